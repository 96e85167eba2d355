#pragma once
// Used tokens kept in a file, so that a restart does not forget them. An instance keeps its own memory
// of the marks in front of such a file (LocalState): it marks a new one there without waiting for the
// disk, and asks the file only about those a process before it may have made. Slack's HTTP mode marks
// every request's signature: waiting for each mark's commit put the file's checkpoints (two fsyncs,
// 10 to 15 ms) on a request's path about once a second at 1,000 requests a second.

#include <boost/asio/awaitable.hpp>

#include <string>

#include "core/confirmation.hpp"
#include "core/ports.hpp"

namespace collab::store {

// A use to mark, committed with the writes queued beside it.
struct TokenMark {
    std::string key;
    TokenUse use;
    TimePoint keep_until;
};

class DurableTokens : public UsedTokens {
public:
    // Marks `mark.key` used unless it already is, with the next group commit: nobody waits for the disk,
    // and a question asked after it is answered as if it were committed.
    virtual boost::asio::awaitable<void> mark_later(TokenMark mark) = 0;
    // The latest deadline of the marks kept (TimePoint{} when there are none): from then on, no mark made
    // by an earlier process guards anything.
    virtual boost::asio::awaitable<ApiResult<TimePoint>> kept_until() = 0;
};

}  // namespace collab::store
