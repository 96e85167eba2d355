#pragma once
// The rules of one call to Scalingo, as a pure state machine (no I/O, no logging): the shared retry
// machine's rules (adapters/net/retry_machine.hpp), and Scalingo's own addition, a 401 on a bearer
// that was not fresh. The bearer may have expired early or been revoked: the API token is exchanged
// once more and the call sent again, once, never in a loop. A 401 on a bearer exchanged during this
// call means no rights, not a stale bearer. The exchange counts as a send against the bound.

#include <chrono>
#include <optional>

#include "adapters/net/retry_machine.hpp"

namespace collab::scalingo {

struct CallState {
    net::RetryState retry;
    bool authenticated = true;  // with a bearer; false: the token exchange itself, with the API token
    bool exchanged_again = false;
    bool operator==(const CallState&) const = default;
};

struct CallEvent {
    net::Attempt attempt;
    bool fresh_bearer = false;  // the bearer sent was exchanged during this call
};

enum class CallStep {
    stop,              // hand the last outcome to the caller
    send_again,        // after `wait`
    exchange_and_send  // forget the bearer, exchange the API token again, send again at once
};

struct CallAction {
    CallStep step = CallStep::stop;
    net::WaitRange wait{};
    std::optional<std::chrono::seconds> come_back_after = std::nullopt;  // see net::RetryAction
    bool operator==(const CallAction&) const = default;
};

CallAction next(const net::RetryPolicy& policy, CallState& state, const CallEvent& event);

}  // namespace collab::scalingo
