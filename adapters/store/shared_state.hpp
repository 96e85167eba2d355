#pragma once
// What instances of the bot must agree on besides the audit trail: which envelopes have been taken
// in (Slack spreads envelopes over every instance's sockets and delivers one again when its
// acknowledgement was late), and how much of an upstream account's request allowance is left (the
// allowance is per account, not per process), and which confirmations and signed requests have been
// used (UsedTokens: a proposal completes once, a captured request cannot be replayed). One instance
// keeps all of it in memory (LocalState); several share it through PostgreSQL (PostgresStore).

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>

#include "core/confirmation.hpp"
#include "core/ports.hpp"

namespace collab::store {

class SharedState : public UsedTokens {
public:
    virtual ~SharedState() = default;

    // True for the first claim of `key` (an envelope id) by any instance; false once one was made,
    // unless the claim was never completed and is old enough for its instance to be presumed dead
    // (then this claim takes it over). Keys are kept at least a day.
    virtual boost::asio::awaitable<ApiResult<bool>> claim(std::string key) = 0;
    // The claimed work is done (acknowledged): nobody may take it over any more.
    virtual boost::asio::awaitable<ApiResult<void>> complete(std::string key) = 0;

    // Takes one request from `account`'s allowance of `per_minute` requests in any rolling minute,
    // counted across instances: nullopt when granted, else how long until one is free.
    virtual boost::asio::awaitable<ApiResult<std::optional<std::chrono::milliseconds>>> take_request(
        std::string account, int per_minute) = 0;

    // Requests still free in `account`'s current minute (for the metrics).
    virtual boost::asio::awaitable<ApiResult<int>> requests_left(std::string account, int per_minute) = 0;

    // Whether the store answers (for the health check); the error says why not.
    virtual boost::asio::awaitable<ApiResult<void>> ping() = 0;
};

}  // namespace collab::store
