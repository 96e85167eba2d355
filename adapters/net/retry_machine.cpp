#include "adapters/net/retry_machine.hpp"

#include <algorithm>

namespace collab::net {

WaitRange backoff_range(const BackoffPolicy& policy, int attempt) {
    const auto ceiling = std::min<long long>(policy.cap.count(), policy.base.count() << std::clamp(attempt, 0, 20));
    return {std::chrono::milliseconds{0}, std::chrono::milliseconds{ceiling}};
}

namespace {

RetryAction send_again(RetryState& state, WaitRange wait) {
    ++state.resent;
    return RetryAction{RetryStep::send_again, wait, std::nullopt};
}

// After the server's Retry-After, or the backoff when it gave none; nullopt when it asks for longer
// than the policy waits.
std::optional<WaitRange> server_wait(const RetryPolicy& policy, const RetryState& state, const Attempt& attempt) {
    if (!attempt.retry_after) return backoff_range(policy.backoff, state.resent);
    if (*attempt.retry_after > policy.longest_wait) return std::nullopt;
    return WaitRange{*attempt.retry_after, *attempt.retry_after + policy.retry_after_jitter};
}

}  // namespace

RetryAction next(const RetryPolicy& policy, RetryState& state, const Attempt& attempt) {
    const bool may_retry = state.resent < policy.backoff.max_attempts;
    switch (attempt.outcome) {
        case Outcome::never_sent:
            if (may_retry) return send_again(state, backoff_range(policy.backoff, state.resent));
            return {};
        case Outcome::lost:
            if (may_retry && state.idempotent) return send_again(state, backoff_range(policy.backoff, state.resent));
            return {};
        case Outcome::timed_out:
        case Outcome::unusable: return {};
        case Outcome::answered: break;
    }
    if (attempt.status == 429) {
        const auto wait = may_retry && state.wait_out_rate_limits ? server_wait(policy, state, attempt) : std::nullopt;
        if (wait) return send_again(state, *wait);
        const auto come_back = attempt.retry_after.value_or(policy.unknown_rate_wait);
        return RetryAction{RetryStep::stop, {}, std::chrono::ceil<std::chrono::seconds>(come_back)};
    }
    if (attempt.status >= 500 && state.idempotent && may_retry)
        if (const auto wait = server_wait(policy, state, attempt)) return send_again(state, *wait);
    return {};
}

}  // namespace collab::net
