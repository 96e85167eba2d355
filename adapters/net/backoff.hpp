#pragma once
// Retry pacing shared by every client, on the I/O side of the retry machine: waits drawn and slept,
// send outcomes read for the machine, and a token bucket that keeps a client within an upstream's
// request allowance.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <expected>
#include <optional>
#include <random>

#include "adapters/net/http_client.hpp"
#include "adapters/net/retry_machine.hpp"

namespace collab::net {

// A wait drawn from its range.
template <typename Rng>
std::chrono::milliseconds draw(WaitRange range, Rng& rng) {
    std::uniform_int_distribution<long long> pick(range.shortest.count(), range.longest.count());
    return std::chrono::milliseconds{pick(rng)};
}

// A random delay in [0, min(cap, base * 2^attempt)]: full jitter spreads retrying clients apart.
template <typename Rng>
std::chrono::milliseconds jittered_backoff(const BackoffPolicy& policy, int attempt, Rng& rng) {
    return draw(backoff_range(policy, attempt), rng);
}

// What a send came to, as the retry machine reads it.
inline Attempt attempt_of(const std::expected<HttpResponse, NetError>& response) {
    if (response) return Attempt{Outcome::answered, response->status, retry_after(*response)};
    const NetError& error = response.error();
    if (error.permanent) return Attempt{Outcome::unusable};
    if (error.kind == NetErrorKind::timeout) return Attempt{Outcome::timed_out};
    if (error.kind == NetErrorKind::dns || error.kind == NetErrorKind::refused) return Attempt{Outcome::never_sent};
    return Attempt{Outcome::lost};
}

// Waits on the calling coroutine's executor. Cancellation ends the wait early, without an error.
inline boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds delay) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

// At most `capacity` requests in any window of `period`: a sliding log of send times, so that even a
// burst at start-up stays within an allowance counted over a rolling minute.
class TokenBucket {
public:
    using Clock = std::chrono::steady_clock;

    TokenBucket(int capacity, std::chrono::milliseconds period) : capacity_(capacity), period_(period) {}

    // Takes one request from the allowance, leaving `reserved` of it for what must not wait; when that
    // is spent, how long until one is available.
    std::optional<std::chrono::milliseconds> try_take(Clock::time_point now = Clock::now(), int reserved = 0) {
        auto wait = until_available(now, reserved);
        if (!wait) sent_.push_back(now);
        return wait;
    }

    // How long until try_take(…, reserved) would take one; nothing when it would at `now`.
    std::optional<std::chrono::milliseconds> until_available(Clock::time_point now, int reserved = 0) {
        while (!sent_.empty() && now - sent_.front() >= period_) sent_.pop_front();
        const int usable = std::max(capacity_ - reserved, 1);
        const int over = static_cast<int>(sent_.size()) - usable;
        if (over < 0) return std::nullopt;
        // The send that has to leave the window before one more fits.
        return std::chrono::ceil<std::chrono::milliseconds>(sent_[static_cast<std::size_t>(over)] + period_ - now);
    }

    // Requests that could be taken now.
    int available(Clock::time_point now = Clock::now()) {
        while (!sent_.empty() && now - sent_.front() >= period_) sent_.pop_front();
        return capacity_ - static_cast<int>(sent_.size());
    }

private:
    int capacity_;
    std::chrono::milliseconds period_;
    std::deque<Clock::time_point> sent_;
};

}  // namespace collab::net
