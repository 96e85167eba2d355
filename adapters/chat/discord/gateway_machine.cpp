#include "adapters/chat/discord/gateway_machine.hpp"

namespace collab::discord {
namespace {

using Kind = GatewayEventKind;
using Phase = GatewayPhase;

GatewayAction finish(GatewayState& state, GatewayStep step, GatewayEnding why,
                     std::optional<std::uint16_t> close = std::nullopt) {
    state.phase = Phase::ended;
    GatewayAction action{close};
    action.step = step;
    action.why = why;
    return action;
}

GatewayAction connect(GatewayState& state, GatewayTarget target, std::optional<net::WaitRange> wait,
                      std::optional<std::uint16_t> close = std::nullopt) {
    state.phase = Phase::connecting;
    state.heartbeat_interval = std::chrono::milliseconds{0};  // the next connection's Hello gives it
    state.ack_pending = false;
    GatewayAction action{close};
    action.step = GatewayStep::connect;
    action.target = target;
    action.wait = wait;
    return action;
}

GatewayAction read(GatewaySend send = GatewaySend::nothing, std::optional<net::WaitRange> heartbeat = std::nullopt) {
    return GatewayAction{std::nullopt, send, heartbeat};
}

// A new connection that resumes the session when there is one, else identifies anew.
GatewayTarget resume_or_identify(const GatewayState& state) {
    return state.session.id.empty() ? GatewayTarget::gateway : GatewayTarget::resume;
}

void forget_session(GatewayState& state) {
    state.session = GatewaySession{};
    state.sequence.reset();
}

// After a failure: the backoff grows with each one until READY or RESUMED.
net::WaitRange backoff(const GatewayRules& rules, GatewayState& state) {
    return net::backoff_range(rules.reconnect, state.attempts++);
}

GatewayAction from_fetching(const GatewayRules& rules, GatewayState& state, const GatewayEvent& event) {
    if (event.kind == Kind::url_fetched) return connect(state, GatewayTarget::gateway, std::nullopt);
    if (event.kind != Kind::url_failed) return finish(state, GatewayStep::end, GatewayEnding::out_of_order);
    if (event.token_refused) return finish(state, GatewayStep::stop_client, GatewayEnding::token_refused);
    GatewayAction action{};
    action.step = GatewayStep::fetch_url;
    if (event.rate_limited) {
        const auto asked = event.retry_after.value_or(rules.rate_limited_wait);
        ++state.attempts;
        action.wait = net::WaitRange{asked, asked};
    } else {
        action.wait = backoff(rules, state);
    }
    return action;
}

GatewayAction from_connecting(const GatewayRules& rules, GatewayState& state, const GatewayEvent& event) {
    if (event.kind == Kind::connected) {
        state.phase = Phase::hello_wait;
        return read();
    }
    // A connection to resume_gateway_url that fails is tried again on the gateway's own URL, as
    // Discord advises; the session is still offered there.
    if (event.kind == Kind::connect_failed) return connect(state, GatewayTarget::gateway, backoff(rules, state));
    return finish(state, GatewayStep::end, GatewayEnding::out_of_order);
}

GatewayAction heartbeat_due(const GatewayRules& rules, GatewayState& state) {
    if (state.phase == Phase::hello_wait) return finish(state, GatewayStep::end, GatewayEnding::out_of_order);
    if (state.ack_pending)  // a zombie connection: Discord no longer hears us, or we no longer hear it
        return connect(state, resume_or_identify(state), backoff(rules, state), resumable_close_code);
    state.ack_pending = true;
    return read(GatewaySend::heartbeat, net::WaitRange{state.heartbeat_interval, state.heartbeat_interval});
}

GatewayAction closed(const GatewayRules& rules, GatewayState& state, const GatewayEvent& event) {
    if (fatal_close(event.close_code)) return finish(state, GatewayStep::stop_client, GatewayEnding::fatal_close);
    // Invalid sequence, session timed out: "reconnect and start a new session".
    if (event.close_code == 4007 || event.close_code == 4009) forget_session(state);
    return connect(state, resume_or_identify(state), backoff(rules, state));
}

GatewayAction from_connected(const GatewayRules& rules, GatewayState& state, const GatewayEvent& event) {
    switch (event.kind) {
        case Kind::hello:
            if (state.phase != Phase::hello_wait) return read();  // only the first one counts
            state.heartbeat_interval = event.heartbeat_interval;
            state.ack_pending = false;
            state.phase = state.session.id.empty() ? Phase::identifying : Phase::resuming;
            return read(state.session.id.empty() ? GatewaySend::identify : GatewaySend::resume,
                        net::WaitRange{std::chrono::milliseconds{0}, event.heartbeat_interval});
        case Kind::heartbeat_due: return heartbeat_due(rules, state);
        case Kind::heartbeat_ack: state.ack_pending = false; return read();
        case Kind::heartbeat_request: state.ack_pending = true; return read(GatewaySend::heartbeat);
        case Kind::ready:
            state.session = event.session;
            if (event.sequence) state.sequence = event.sequence;
            state.phase = Phase::ready;
            state.attempts = 0;
            return read();
        case Kind::resumed:
            if (event.sequence) state.sequence = event.sequence;
            if (state.phase == Phase::resuming) {
                state.phase = Phase::ready;
                state.attempts = 0;
            }
            return read();
        case Kind::dispatch:
            if (event.sequence) state.sequence = event.sequence;
            return read();
        case Kind::reconnect: return connect(state, resume_or_identify(state), std::nullopt, resumable_close_code);
        case Kind::invalid_session:
            if (event.resumable && !state.session.id.empty())
                return connect(state, GatewayTarget::resume, std::nullopt, resumable_close_code);
            forget_session(state);
            return connect(state, GatewayTarget::gateway, rules.invalid_session_wait, resumable_close_code);
        case Kind::closed: return closed(rules, state, event);
        default: return finish(state, GatewayStep::end, GatewayEnding::out_of_order);
    }
}

}  // namespace

GatewayAction next(const GatewayRules& rules, GatewayState& state, const GatewayEvent& event) {
    switch (state.phase) {
        case Phase::fetching:
        case Phase::connecting:
            if (event.kind == Kind::stopped) return finish(state, GatewayStep::end, GatewayEnding::stopped);
            return state.phase == Phase::fetching ? from_fetching(rules, state, event)
                                                  : from_connecting(rules, state, event);
        case Phase::hello_wait:
        case Phase::identifying:
        case Phase::resuming:
        case Phase::ready:
            // Closing with 1000 ends the session: nothing is left to resume after a stop.
            if (event.kind == Kind::stopped)
                return finish(state, GatewayStep::end, GatewayEnding::stopped, final_close_code);
            return from_connected(rules, state, event);
        case Phase::ended: break;
    }
    return finish(state, GatewayStep::end,
                  event.kind == Kind::stopped ? GatewayEnding::stopped : GatewayEnding::out_of_order);
}

bool fatal_close(std::uint16_t code) {
    return !fatal_close_advice(code).empty();
}

std::string_view fatal_close_advice(std::uint16_t code) {
    switch (code) {
        case 4004:
            return "Discord refused the bot token (close code 4004, authentication failed): set DISCORD_BOT_TOKEN "
                   "([discord] bot_token_file) to the token on the Bot page of the application in the Developer "
                   "Portal";
        case 4010:
            return "Discord refused the shard (close code 4010, invalid shard): the shard count must be the one "
                   "GET /gateway/bot gives";
        case 4011:
            return "Discord requires more shards (close code 4011, sharding required): restart the bot so that it "
                   "asks GET /gateway/bot for the shard count again";
        case 4012:
            return "Discord refused the gateway version (close code 4012, invalid API version): this build speaks "
                   "v10; upgrade collab-bot";
        case 4013:
            return "Discord refused the intents (close code 4013, invalid intents): this build asks for none; "
                   "upgrade collab-bot";
        case 4014:
            return "Discord refused a privileged intent (close code 4014, disallowed intents): enable it on the "
                   "Bot page of the application in the Developer Portal, or upgrade collab-bot";
        default: return {};
    }
}

}  // namespace collab::discord
