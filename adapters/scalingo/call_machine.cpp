#include "adapters/scalingo/call_machine.hpp"

namespace collab::scalingo {

CallAction next(const net::RetryPolicy& policy, CallState& state, const CallEvent& event) {
    const net::Attempt& attempt = event.attempt;
    if (attempt.outcome == net::Outcome::answered && attempt.status == 401 && state.authenticated &&
        !state.exchanged_again && !event.fresh_bearer) {
        state.exchanged_again = true;
        ++state.retry.resent;
        return CallAction{CallStep::exchange_and_send, {}, std::nullopt};
    }
    const net::RetryAction retry = net::next(policy, state.retry, attempt);
    return CallAction{retry.step == net::RetryStep::send_again ? CallStep::send_again : CallStep::stop, retry.wait,
                      retry.come_back_after};
}

}  // namespace collab::scalingo
