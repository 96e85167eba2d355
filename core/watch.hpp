#pragma once
// Watching the invitations sent through the bot: one round reads the collaborators of only the
// databases that have such invitations still pending, and tells the channel each was made in what
// became of it (accepted, or gone without being accepted: revoked or expired). The timer, the lease
// that lets one instance watch at a time and the logging are the caller's (adapters/chat/watcher.hpp).

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <string>

#include "core/ports.hpp"

namespace collab {

// How long to wait between rounds that read `databases` databases, one upstream request each: the
// configured interval, stretched so that the watch never takes more than a quarter of an allowance of
// `allowance_per_minute` requests (0: no allowance to share, as with the sandbox).
std::chrono::milliseconds watch_interval(std::chrono::milliseconds configured, std::size_t databases,
                                         int allowance_per_minute);

// What one round did.
struct WatchRound {
    std::size_t databases = 0;    // read upstream (one request each)
    std::size_t accepted = 0;     // notices of acceptance given
    std::size_t vanished = 0;     // notices of revocation or expiry given
    std::size_t unreadable = 0;   // databases the upstream could not be asked about this time
    std::size_t undelivered = 0;  // notices neither the channel nor the inviter could be given
    std::string trouble;          // the last thing that went wrong, for the log
};

class InvitationWatch {
public:
    // Watches the invitations made on `platform` (an instance announces in its own platform only).
    InvitationWatch(CollaboratorsApi& api, InvitationLog& log, Announcer& announcer, const WallClock& clock,
                    std::string platform);

    boost::asio::awaitable<ApiResult<WatchRound>> round();
    // Deletes what is remembered of the invitations settled more than `keep` ago: how many went.
    boost::asio::awaitable<ApiResult<std::size_t>> forget_settled(std::chrono::hours keep);

private:
    // Tells the channel the invitation was made in, or its inviter when the bot may not post there.
    boost::asio::awaitable<bool> announce(const Invitation& invitation, Reply notice);

    CollaboratorsApi& api_;
    InvitationLog& log_;
    Announcer& announcer_;
    const WallClock& clock_;
    std::string platform_;
};

}  // namespace collab
