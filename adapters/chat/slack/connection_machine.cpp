#include "adapters/chat/slack/connection_machine.hpp"

#include <utility>

namespace collab::slack {
namespace {

using Kind = ConnectionEventKind;

// The socket set aside has had its use once the slot's next socket is up, or the slot ends.
OlderSocket release_older(ConnectionState& state) {
    return std::exchange(state.replacing, false) ? OlderSocket::close : OlderSocket::keep;
}

ConnectionAction finish(ConnectionState& state, ConnectionStep step, Ending why) {
    state.phase = ConnectionPhase::ended;
    return ConnectionAction{step, std::nullopt, release_older(state), why};
}

ConnectionAction open_again(ConnectionState& state, net::WaitRange wait) {
    state.phase = ConnectionPhase::opening;
    ++state.attempts;
    return ConnectionAction{ConnectionStep::open, wait};
}

ConnectionAction from_opening(const ConnectionRules& rules, ConnectionState& state, const ConnectionEvent& event) {
    if (event.kind == Kind::opened) {
        state.phase = ConnectionPhase::connecting;
        return ConnectionAction{ConnectionStep::connect};
    }
    if (event.kind != Kind::open_failed) return finish(state, ConnectionStep::end, Ending::out_of_order);
    if (event.token_refused) return finish(state, ConnectionStep::stop_client, Ending::token_refused);
    if (!event.rate_limited) return open_again(state, net::backoff_range(rules.reconnect, state.attempts));
    const auto asked = event.retry_after.value_or(rules.ratelimited_wait);
    return open_again(state, net::WaitRange{asked, asked});
}

ConnectionAction from_connecting(const ConnectionRules& rules, ConnectionState& state, const ConnectionEvent& event) {
    switch (event.kind) {
        case Kind::hello:
            state.phase = ConnectionPhase::up;
            state.attempts = 0;
            return ConnectionAction{ConnectionStep::read, std::nullopt, release_older(state)};
        case Kind::disconnect:
            // Slack refuses a socket it will not serve with a disconnect in place of hello.
            if (event.reason == DisconnectReason::link_disabled)
                return finish(state, ConnectionStep::stop_client, Ending::link_disabled);
            if (event.reason == DisconnectReason::too_many_websockets) {
                if (!state.replacing) return finish(state, ConnectionStep::end, Ending::too_many);
                // Every socket Slack allows is in use, the one being replaced included: let it go first.
                state = ConnectionState{ConnectionPhase::opening, 0, state.quick_losses, false};
                return ConnectionAction{ConnectionStep::open, std::nullopt, OlderSocket::close_first};
            }
            return open_again(state, net::backoff_range(rules.reconnect, state.attempts));
        case Kind::failed: return open_again(state, net::backoff_range(rules.reconnect, state.attempts));
        default: return finish(state, ConnectionStep::end, Ending::out_of_order);
    }
}

// An open socket, or one set aside (which asks for nothing when it ends or is asked to refresh).
ConnectionAction from_reading(const ConnectionRules& rules, ConnectionState& state, const ConnectionEvent& event) {
    const bool set_aside = state.phase == ConnectionPhase::set_aside;
    switch (event.kind) {
        case Kind::hello: return ConnectionAction{ConnectionStep::read};
        case Kind::failed:
            if (set_aside) return finish(state, ConnectionStep::end, Ending::replaced);
            state.quick_losses = event.up_for > rules.steady_after ? 0 : state.quick_losses + 1;
            state.phase = ConnectionPhase::opening;
            state.attempts = 0;
            return ConnectionAction{ConnectionStep::open, net::backoff_range(rules.reconnect, state.quick_losses)};
        case Kind::disconnect:
            if (event.reason == DisconnectReason::link_disabled)
                return finish(state, ConnectionStep::stop_client, Ending::link_disabled);
            if (event.reason == DisconnectReason::too_many_websockets)
                return finish(state, ConnectionStep::end, Ending::too_many);
            if (set_aside) return ConnectionAction{ConnectionStep::read};
            state.phase = ConnectionPhase::opening;
            state.attempts = 0;
            state.replacing = true;
            return ConnectionAction{ConnectionStep::open, std::nullopt, OlderSocket::set_aside};
        default: return finish(state, ConnectionStep::end, Ending::out_of_order);
    }
}

}  // namespace

ConnectionAction next(const ConnectionRules& rules, ConnectionState& state, const ConnectionEvent& event) {
    if (event.kind == Kind::stopped) return finish(state, ConnectionStep::end, Ending::stopped);
    switch (state.phase) {
        case ConnectionPhase::opening: return from_opening(rules, state, event);
        case ConnectionPhase::connecting: return from_connecting(rules, state, event);
        case ConnectionPhase::up:
        case ConnectionPhase::set_aside: return from_reading(rules, state, event);
        case ConnectionPhase::ended: break;
    }
    return finish(state, ConnectionStep::end, Ending::out_of_order);
}

}  // namespace collab::slack
