#pragma once
// What instances of the bot must agree on besides the audit trail: which envelopes have been taken
// in and by whom (Slack spreads envelopes over every instance's sockets, delivers one again when its
// acknowledgement was late, and any instance may die while it works on one), how much of an upstream
// account's request allowance is left (the allowance is per account, not per process), and which
// confirmations and signed requests have been used (UsedTokens: a proposal completes once, a
// captured request cannot be replayed), and the proposals a button can only name by a short key
// (KeptValues). One instance keeps it in memory (LocalState), save what must outlive a restart (in its
// SQLite file); several share it through PostgreSQL (PostgresStore).

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "adapters/store/kept_values.hpp"
#include "core/confirmation.hpp"
#include "core/ports.hpp"

namespace collab::store {

// What a claim on an envelope found.
enum class ClaimState {
    won,         // first claim: the caller does the work
    taken_over,  // claimed before, but its owner's lease lapsed (it died): the caller does the work again
    running,     // another owner holds a live lease: it, or whoever takes over if it dies, answers
    answered,    // done: nothing more to do
};

// Claimed work whose owner's lease lapsed, now the caller's: `work` is what its first owner left
// so that anyone can finish it (opaque to the store).
struct Orphan {
    std::string key;
    std::string work;
};

class SharedState : public UsedTokens, public KeptValues {
public:
    virtual ~SharedState() = default;

    // Claims `key` (an envelope id) for `owner` (an instance) for `lease`, leaving `work` for whoever
    // must finish it if the owner dies (empty: nothing to finish). A claim whose lease lapsed before
    // it was completed is taken over at once. Keys are kept at least a day.
    virtual boost::asio::awaitable<ApiResult<ClaimState>> claim(std::string key, std::string owner, std::string work,
                                                                std::chrono::milliseconds lease) = 0;
    // Extends the owner's lease while the work runs: false when the claim is not (or no more) its.
    virtual boost::asio::awaitable<ApiResult<bool>> renew(std::string key, std::string owner,
                                                          std::chrono::milliseconds lease) = 0;
    // The claimed work is done (answered): nobody may take it over any more, and its work is forgotten.
    virtual boost::asio::awaitable<ApiResult<void>> complete(std::string key) = 0;
    // Takes over up to `limit` unfinished claims with work left whose lease lapsed, for `owner`, each
    // for `lease`: each goes to exactly one caller.
    virtual boost::asio::awaitable<ApiResult<std::vector<Orphan>>> take_over_lapsed(std::string owner,
                                                                                    std::chrono::milliseconds lease,
                                                                                    int limit) = 0;

    // Takes one request from `account`'s allowance of `per_minute` requests in any rolling minute,
    // counted across instances: nullopt when granted, else how long until one is free.
    virtual boost::asio::awaitable<ApiResult<std::optional<std::chrono::milliseconds>>> take_request(
        std::string account, int per_minute) = 0;

    // Requests still free in `account`'s current minute (for the metrics).
    virtual boost::asio::awaitable<ApiResult<int>> requests_left(std::string account, int per_minute) = 0;

    // The answer to an allowance that lets nothing through (per_minute < 1).
    static ApiError invalid_allowance(int per_minute) {
        return ApiError{ApiErrorKind::invalid_input,
                        "A request allowance of " + std::to_string(per_minute) + " a minute lets nothing through."};
    }

    // Whether the store answers (for the health check); the error says why not.
    virtual boost::asio::awaitable<ApiResult<void>> ping() = 0;

    // Whether the work left with a claim can reach another instance. One instance's memory cannot: its
    // claims lapse only while it is alive, and it never takes its own work over, so there is no work
    // worth describing for it.
    virtual bool hands_over_work() const { return true; }
};

}  // namespace collab::store
