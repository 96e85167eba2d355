#pragma once
// Whether a request is sent again, and after how long: a pure state machine (no I/O, no clock, no
// randomness, no logging) shared by the HTTP clients (Slack's Web API, Scalingo's API). The client
// sends, tells the machine what came of it, and does what it says: send again after a wait drawn
// from the range it gives, or stop and hand the last outcome to its caller.
//
// The rules:
// - a 429 was not carried out, so even a write is sent again: after the server's Retry-After plus
//   a little jitter (instances do not come back in step), or after the backoff when it gave none;
//   a Retry-After longer than the policy's longest wait is not waited out, the caller is told when
//   to come back;
// - a 5xx is sent again for idempotent requests only (a write may have been applied), after its
//   Retry-After or the backoff;
// - a failed connection is tried again when nothing reached the server, or for an idempotent
//   request; never after a timeout (the caller's time is spent), nor when it cannot get better
//   (a malformed URL, a host that does not exist, a refused certificate);
// - at most backoff.max_attempts sends after the first.

#include <chrono>
#include <optional>

namespace collab::net {

struct BackoffPolicy {
    std::chrono::milliseconds base{500};
    std::chrono::milliseconds cap{30'000};
    int max_attempts = 3;  // retries after the first try
};

// A wait to draw uniformly from [shortest, longest]: the spread keeps retrying clients apart.
struct WaitRange {
    std::chrono::milliseconds shortest{0};
    std::chrono::milliseconds longest{0};
    bool operator==(const WaitRange&) const = default;
};

// Capped exponential backoff with full jitter: [0, min(cap, base * 2^attempt)].
WaitRange backoff_range(const BackoffPolicy& policy, int attempt);

struct RetryPolicy {
    BackoffPolicy backoff;
    // A Retry-After longer than this is not waited out: the caller gets the answer and when to come back.
    std::chrono::milliseconds longest_wait{30'000};
    // Drawn from [0, this] and added to a Retry-After.
    std::chrono::milliseconds retry_after_jitter{100};
    // When to come back after a 429 that gave no Retry-After.
    std::chrono::seconds unknown_rate_wait{60};
};

// What one send came to.
enum class Outcome {
    answered,    // a response, of any status
    never_sent,  // nothing reached the server (no address, connection refused)
    lost,        // the connection broke or misbehaved after the request may have reached the server
    timed_out,
    unusable,  // retrying cannot help: a malformed URL, a host that does not exist, a refused certificate
};

struct Attempt {
    Outcome outcome = Outcome::answered;
    unsigned status = 0;                                                  // when answered
    std::optional<std::chrono::milliseconds> retry_after = std::nullopt;  // the response's Retry-After, range-checked
    bool operator==(const Attempt&) const = default;
};

struct RetryState {
    bool idempotent = false;           // sending twice is harmless: a read, a DELETE
    bool wait_out_rate_limits = true;  // false: a 429 goes back to the caller, who waits in its own way
    int resent = 0;                    // sends after the first, so far
    bool operator==(const RetryState&) const = default;
};

enum class RetryStep { stop, send_again };

struct RetryAction {
    RetryStep step = RetryStep::stop;
    WaitRange wait{};  // before sending again
    // After a 429 that is not waited out: when to come back, in whole seconds rounded up.
    std::optional<std::chrono::seconds> come_back_after = std::nullopt;
    bool operator==(const RetryAction&) const = default;
};

RetryAction next(const RetryPolicy& policy, RetryState& state, const Attempt& attempt);

}  // namespace collab::net
