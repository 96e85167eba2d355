#pragma once
// Retry pacing shared by every client: capped exponential backoff with full jitter, and a token
// bucket that keeps a client within an upstream's request allowance.

#include <algorithm>
#include <chrono>
#include <optional>
#include <random>

namespace collab::net {

struct BackoffPolicy {
    std::chrono::milliseconds base{500};
    std::chrono::milliseconds cap{30'000};
    int max_attempts = 3;  // retries after the first try
};

// A random delay in [0, min(cap, base * 2^attempt)]: full jitter spreads retrying clients apart.
template <typename Rng>
std::chrono::milliseconds jittered_backoff(const BackoffPolicy& policy, int attempt, Rng& rng) {
    const auto ceiling = std::min<long long>(policy.cap.count(), policy.base.count() << std::min(attempt, 20));
    std::uniform_int_distribution<long long> pick(0, ceiling);
    return std::chrono::milliseconds{pick(rng)};
}

// `capacity` requests, refilled evenly over `period`.
class TokenBucket {
public:
    using Clock = std::chrono::steady_clock;

    TokenBucket(int capacity, std::chrono::milliseconds period)
        : capacity_(capacity), period_(period), tokens_(capacity), updated_(Clock::now()) {}

    // Takes one request from the allowance; when it is spent, how long until one is available.
    std::optional<std::chrono::milliseconds> try_take(Clock::time_point now = Clock::now()) {
        refill(now);
        if (tokens_ >= 1.0) {
            tokens_ -= 1.0;
            return std::nullopt;
        }
        const double per_token_ms = double(period_.count()) / capacity_;
        return std::chrono::milliseconds{static_cast<long long>((1.0 - tokens_) * per_token_ms) + 1};
    }

    double available(Clock::time_point now = Clock::now()) {
        refill(now);
        return tokens_;
    }

private:
    void refill(Clock::time_point now) {
        const auto elapsed = std::chrono::duration<double, std::milli>(now - updated_).count();
        if (elapsed <= 0) return;
        tokens_ = std::min<double>(capacity_, tokens_ + elapsed * capacity_ / double(period_.count()));
        updated_ = now;
    }

    int capacity_;
    std::chrono::milliseconds period_;
    double tokens_;
    Clock::time_point updated_;
};

}  // namespace collab::net
