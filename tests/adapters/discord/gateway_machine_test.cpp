// A Discord gateway connection's life cycle as a table: the phase it is in × what happened to it.

#include <gtest/gtest.h>

#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "adapters/chat/discord/gateway_machine.hpp"

namespace collab::discord {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using Kind = GatewayEventKind;
using Phase = GatewayPhase;
using Step = GatewayStep;
using Target = GatewayTarget;
using Ending = GatewayEnding;

const GatewayRules rules{{1s, 60s, 0}, 5s, {1s, 5s}};
const GatewaySession session{"session-1", "wss://resume.example/"};
constexpr auto interval = 45'000ms;

struct GatewayCase {
    std::string name;
    GatewayState before;
    GatewayEvent event;
    GatewayAction action;
    GatewayState after;
};

struct StateOptions {
    bool with_session = false;
    std::optional<std::int64_t> sequence = std::nullopt;
    bool ack_pending = false;
    int attempts = 0;
};

GatewayState in(Phase phase, StateOptions options = {}) {
    const bool heartbeating =
        phase != Phase::fetching && phase != Phase::connecting && phase != Phase::hello_wait && phase != Phase::ended;
    return GatewayState{phase,
                        options.with_session ? session : GatewaySession{},
                        options.sequence,
                        heartbeating ? interval : 0ms,
                        options.ack_pending,
                        options.attempts};
}
// The same state, another phase.
GatewayState now_in(GatewayState state, Phase phase) {
    state.phase = phase;
    return state;
}

GatewayEvent event(Kind kind) {
    return GatewayEvent{kind};
}
GatewayEvent url_failed(bool token_refused = false, bool rate_limited = false,
                        std::optional<milliseconds> retry_after = std::nullopt) {
    GatewayEvent e{Kind::url_failed};
    e.token_refused = token_refused;
    e.rate_limited = rate_limited;
    e.retry_after = retry_after;
    return e;
}
GatewayEvent hello() {
    GatewayEvent e{Kind::hello};
    e.heartbeat_interval = interval;
    return e;
}
GatewayEvent ready(std::int64_t sequence = 1) {
    GatewayEvent e{Kind::ready};
    e.session = session;
    e.sequence = sequence;
    return e;
}
GatewayEvent dispatch(Kind kind, std::int64_t sequence) {
    GatewayEvent e{kind};
    e.sequence = sequence;
    return e;
}
GatewayEvent invalid_session(bool resumable) {
    GatewayEvent e{Kind::invalid_session};
    e.resumable = resumable;
    return e;
}
GatewayEvent closed(std::uint16_t code) {
    GatewayEvent e{Kind::closed};
    e.close_code = code;
    return e;
}

GatewayAction read(GatewaySend send = GatewaySend::nothing, std::optional<net::WaitRange> heartbeat = std::nullopt) {
    return GatewayAction{std::nullopt, send, heartbeat};
}
GatewayAction connect(Target target, std::optional<net::WaitRange> wait = std::nullopt,
                      std::optional<std::uint16_t> close = std::nullopt) {
    GatewayAction a{close};
    a.step = Step::connect;
    a.target = target;
    a.wait = wait;
    return a;
}
GatewayAction fetch_after(milliseconds shortest, milliseconds longest) {
    GatewayAction a{};
    a.step = Step::fetch_url;
    a.wait = net::WaitRange{shortest, longest};
    return a;
}
GatewayAction end(Ending why, std::optional<std::uint16_t> close = std::nullopt) {
    GatewayAction a{close};
    a.step = Step::end;
    a.why = why;
    return a;
}
GatewayAction stop_client(Ending why) {
    GatewayAction a{};
    a.step = Step::stop_client;
    a.why = why;
    return a;
}
net::WaitRange up_to(milliseconds longest) {
    return net::WaitRange{0ms, longest};
}

constexpr std::uint16_t keep_session = resumable_close_code;
constexpr std::uint16_t end_session = final_close_code;

// Events that cannot happen before the socket is open: the client never reports them there.
const std::vector<Kind> socket_events{
    Kind::hello,   Kind::heartbeat_due, Kind::heartbeat_ack, Kind::heartbeat_request, Kind::ready,
    Kind::resumed, Kind::dispatch,      Kind::reconnect,     Kind::invalid_session,   Kind::closed};

std::vector<GatewayCase> out_of_order(const std::string& prefix, Phase phase, const std::vector<Kind>& kinds) {
    std::vector<GatewayCase> cases;
    for (Kind kind : kinds)
        cases.push_back({prefix + "_out_of_order_" + std::to_string(static_cast<int>(kind)), in(phase), event(kind),
                         end(Ending::out_of_order), now_in(in(phase), Phase::ended)});
    return cases;
}

std::vector<GatewayCase> table() {
    const GatewayState ended = in(Phase::ended);
    const GatewayState ended_with_session = in(Phase::ended, {true, 7});
    std::vector<GatewayCase> cases{
        // Asking GET /gateway/bot for the URL.
        {"fetching_url_fetched", in(Phase::fetching), event(Kind::url_fetched), connect(Target::gateway),
         in(Phase::connecting)},
        {"fetching_failed", in(Phase::fetching), url_failed(), fetch_after(0ms, 1s),
         in(Phase::fetching, {.attempts = 1})},
        {"fetching_failed_again", in(Phase::fetching, {.attempts = 3}), url_failed(), fetch_after(0ms, 8s),
         in(Phase::fetching, {.attempts = 4})},
        {"fetching_failed_often", in(Phase::fetching, {.attempts = 9}), url_failed(), fetch_after(0ms, 60s),
         in(Phase::fetching, {.attempts = 10})},
        {"fetching_rate_limited", in(Phase::fetching), url_failed(false, true, 7s), fetch_after(7s, 7s),
         in(Phase::fetching, {.attempts = 1})},
        {"fetching_rate_limited_without_retry_after", in(Phase::fetching), url_failed(false, true), fetch_after(5s, 5s),
         in(Phase::fetching, {.attempts = 1})},
        {"fetching_token_refused", in(Phase::fetching), url_failed(true), stop_client(Ending::token_refused), ended},
        {"fetching_stopped", in(Phase::fetching), event(Kind::stopped), end(Ending::stopped), ended},

        // Opening the websocket.
        {"connecting_connected", in(Phase::connecting, {.attempts = 2}), event(Kind::connected), read(),
         in(Phase::hello_wait, {.attempts = 2})},
        {"connecting_failed", in(Phase::connecting, {.attempts = 2}), event(Kind::connect_failed),
         connect(Target::gateway, up_to(4s)), in(Phase::connecting, {.attempts = 3})},
        // The resume URL failed: the gateway's own URL is tried, still resuming the session there.
        {"connecting_failed_with_session", in(Phase::connecting, {true, 7}), event(Kind::connect_failed),
         connect(Target::gateway, up_to(1s)), in(Phase::connecting, {true, 7, false, 1})},
        {"connecting_stopped", in(Phase::connecting), event(Kind::stopped), end(Ending::stopped), ended},

        // Connected, waiting for Hello.
        {"hello_wait_hello", in(Phase::hello_wait), hello(), read(GatewaySend::identify, up_to(interval)),
         in(Phase::identifying)},
        {"hello_wait_hello_with_session", in(Phase::hello_wait, {true, 7, false, 2}), hello(),
         read(GatewaySend::resume, up_to(interval)), in(Phase::resuming, {true, 7, false, 2})},
        {"hello_wait_heartbeat_due", in(Phase::hello_wait), event(Kind::heartbeat_due), end(Ending::out_of_order),
         ended},
        {"hello_wait_heartbeat_ack", in(Phase::hello_wait), event(Kind::heartbeat_ack), read(), in(Phase::hello_wait)},
        {"hello_wait_heartbeat_request", in(Phase::hello_wait), event(Kind::heartbeat_request),
         read(GatewaySend::heartbeat), in(Phase::hello_wait, {.ack_pending = true})},
        {"hello_wait_ready", in(Phase::hello_wait, {.attempts = 3}), ready(), read(),
         GatewayState{Phase::ready, session, 1, 0ms, false, 0}},
        {"hello_wait_resumed", in(Phase::hello_wait), dispatch(Kind::resumed, 3), read(),
         in(Phase::hello_wait, {.sequence = 3})},
        {"hello_wait_dispatch", in(Phase::hello_wait), dispatch(Kind::dispatch, 4), read(),
         in(Phase::hello_wait, {.sequence = 4})},
        {"hello_wait_reconnect", in(Phase::hello_wait, {true, 7}), event(Kind::reconnect),
         connect(Target::resume, std::nullopt, keep_session), in(Phase::connecting, {true, 7})},
        {"hello_wait_invalid_session", in(Phase::hello_wait, {true, 7}), invalid_session(false),
         connect(Target::gateway, net::WaitRange{1s, 5s}, keep_session), in(Phase::connecting)},
        {"hello_wait_closed", in(Phase::hello_wait, {true, 7, false, 1}), closed(4000),
         connect(Target::resume, up_to(2s)), in(Phase::connecting, {true, 7, false, 2})},
        {"hello_wait_stopped", in(Phase::hello_wait), event(Kind::stopped), end(Ending::stopped, end_session), ended},

        // Identify sent, waiting for READY.
        {"identifying_hello_again", in(Phase::identifying), hello(), read(), in(Phase::identifying)},
        {"identifying_heartbeat_due", in(Phase::identifying, {.sequence = 2}), event(Kind::heartbeat_due),
         read(GatewaySend::heartbeat, net::WaitRange{interval, interval}),
         in(Phase::identifying, {.sequence = 2, .ack_pending = true})},
        {"identifying_heartbeat_due_unanswered", in(Phase::identifying, {.ack_pending = true}),
         event(Kind::heartbeat_due), connect(Target::gateway, up_to(1s), keep_session),
         in(Phase::connecting, {.attempts = 1})},
        {"identifying_heartbeat_ack", in(Phase::identifying, {.ack_pending = true}), event(Kind::heartbeat_ack), read(),
         in(Phase::identifying)},
        {"identifying_heartbeat_request", in(Phase::identifying), event(Kind::heartbeat_request),
         read(GatewaySend::heartbeat), in(Phase::identifying, {.ack_pending = true})},
        {"identifying_ready", in(Phase::identifying, {.attempts = 4}), ready(1), read(), in(Phase::ready, {true, 1})},
        {"identifying_resumed", in(Phase::identifying), dispatch(Kind::resumed, 2), read(),
         in(Phase::identifying, {.sequence = 2})},
        {"identifying_dispatch", in(Phase::identifying), dispatch(Kind::dispatch, 2), read(),
         in(Phase::identifying, {.sequence = 2})},
        {"identifying_reconnect", in(Phase::identifying), event(Kind::reconnect),
         connect(Target::gateway, std::nullopt, keep_session), in(Phase::connecting)},
        // Too many identifies at once (max_concurrency): Discord answers op 9 d:false.
        {"identifying_invalid_session", in(Phase::identifying), invalid_session(false),
         connect(Target::gateway, net::WaitRange{1s, 5s}, keep_session), in(Phase::connecting)},
        {"identifying_closed_authentication_failed", in(Phase::identifying), closed(4004),
         stop_client(Ending::fatal_close), now_in(in(Phase::identifying), Phase::ended)},
        {"identifying_closed_disallowed_intents", in(Phase::identifying), closed(4014),
         stop_client(Ending::fatal_close), now_in(in(Phase::identifying), Phase::ended)},
        {"identifying_closed_invalid_shard", in(Phase::identifying), closed(4010), stop_client(Ending::fatal_close),
         now_in(in(Phase::identifying), Phase::ended)},
        {"identifying_closed_already_authenticated", in(Phase::identifying), closed(4005),
         connect(Target::gateway, up_to(1s)), in(Phase::connecting, {.attempts = 1})},
        {"identifying_stopped", in(Phase::identifying), event(Kind::stopped), end(Ending::stopped, end_session),
         now_in(in(Phase::identifying), Phase::ended)},

        // Resume sent, waiting for RESUMED (the missed events come first).
        {"resuming_hello_again", in(Phase::resuming, {true, 7}), hello(), read(), in(Phase::resuming, {true, 7})},
        {"resuming_heartbeat_due", in(Phase::resuming, {true, 7}), event(Kind::heartbeat_due),
         read(GatewaySend::heartbeat, net::WaitRange{interval, interval}), in(Phase::resuming, {true, 7, true})},
        {"resuming_heartbeat_ack", in(Phase::resuming, {true, 7, true}), event(Kind::heartbeat_ack), read(),
         in(Phase::resuming, {true, 7})},
        {"resuming_heartbeat_request", in(Phase::resuming, {true, 7}), event(Kind::heartbeat_request),
         read(GatewaySend::heartbeat), in(Phase::resuming, {true, 7, true})},
        {"resuming_ready", in(Phase::resuming, {true, 7}), ready(1), read(), in(Phase::ready, {true, 1})},
        {"resuming_missed_event", in(Phase::resuming, {true, 7, false, 2}), dispatch(Kind::dispatch, 8), read(),
         in(Phase::resuming, {true, 8, false, 2})},
        {"resuming_resumed", in(Phase::resuming, {true, 8, false, 2}), dispatch(Kind::resumed, 9), read(),
         in(Phase::ready, {true, 9})},
        {"resuming_reconnect", in(Phase::resuming, {true, 7}), event(Kind::reconnect),
         connect(Target::resume, std::nullopt, keep_session), in(Phase::connecting, {true, 7})},
        {"resuming_invalid_session_resumable", in(Phase::resuming, {true, 7}), invalid_session(true),
         connect(Target::resume, std::nullopt, keep_session), in(Phase::connecting, {true, 7})},
        {"resuming_invalid_session", in(Phase::resuming, {true, 7}), invalid_session(false),
         connect(Target::gateway, net::WaitRange{1s, 5s}, keep_session), in(Phase::connecting)},
        {"resuming_closed_invalid_sequence", in(Phase::resuming, {true, 7}), closed(4007),
         connect(Target::gateway, up_to(1s)), in(Phase::connecting, {.attempts = 1})},
        {"resuming_closed_session_timed_out", in(Phase::resuming, {true, 7}), closed(4009),
         connect(Target::gateway, up_to(1s)), in(Phase::connecting, {.attempts = 1})},
        {"resuming_closed_rate_limited", in(Phase::resuming, {true, 7}), closed(4008),
         connect(Target::resume, up_to(1s)), in(Phase::connecting, {true, 7, false, 1})},
        {"resuming_stopped", in(Phase::resuming, {true, 7}), event(Kind::stopped), end(Ending::stopped, end_session),
         now_in(in(Phase::resuming, {true, 7}), Phase::ended)},

        // Events flow.
        {"ready_hello_again", in(Phase::ready, {true, 7}), hello(), read(), in(Phase::ready, {true, 7})},
        {"ready_heartbeat_due", in(Phase::ready, {true, 7}), event(Kind::heartbeat_due),
         read(GatewaySend::heartbeat, net::WaitRange{interval, interval}), in(Phase::ready, {true, 7, true})},
        // No ACK since the last heartbeat: a zombie connection, closed so that the session lives on.
        {"ready_heartbeat_due_unanswered", in(Phase::ready, {true, 7, true}), event(Kind::heartbeat_due),
         connect(Target::resume, up_to(1s), keep_session), in(Phase::connecting, {true, 7, false, 1})},
        {"ready_heartbeat_ack", in(Phase::ready, {true, 7, true}), event(Kind::heartbeat_ack), read(),
         in(Phase::ready, {true, 7})},
        {"ready_heartbeat_request", in(Phase::ready, {true, 7}), event(Kind::heartbeat_request),
         read(GatewaySend::heartbeat), in(Phase::ready, {true, 7, true})},
        {"ready_ready_again", in(Phase::ready, {true, 7}), ready(1), read(), in(Phase::ready, {true, 1})},
        {"ready_resumed", in(Phase::ready, {true, 7}), dispatch(Kind::resumed, 8), read(), in(Phase::ready, {true, 8})},
        {"ready_dispatch", in(Phase::ready, {true, 7}), dispatch(Kind::dispatch, 8), read(),
         in(Phase::ready, {true, 8})},
        {"ready_reconnect", in(Phase::ready, {true, 7}), event(Kind::reconnect),
         connect(Target::resume, std::nullopt, keep_session), in(Phase::connecting, {true, 7})},
        {"ready_invalid_session_resumable", in(Phase::ready, {true, 7}), invalid_session(true),
         connect(Target::resume, std::nullopt, keep_session), in(Phase::connecting, {true, 7})},
        {"ready_invalid_session", in(Phase::ready, {true, 7}), invalid_session(false),
         connect(Target::gateway, net::WaitRange{1s, 5s}, keep_session), in(Phase::connecting)},
        {"ready_dropped", in(Phase::ready, {true, 7}), closed(0), connect(Target::resume, up_to(1s)),
         in(Phase::connecting, {true, 7, false, 1})},
        {"ready_closed_unknown_error", in(Phase::ready, {true, 7}), closed(4000), connect(Target::resume, up_to(1s)),
         in(Phase::connecting, {true, 7, false, 1})},
        {"ready_closed_going_away", in(Phase::ready, {true, 7}), closed(1001), connect(Target::resume, up_to(1s)),
         in(Phase::connecting, {true, 7, false, 1})},
        {"ready_closed_session_timed_out", in(Phase::ready, {true, 7}), closed(4009),
         connect(Target::gateway, up_to(1s)), in(Phase::connecting, {.attempts = 1})},
        {"ready_closed_authentication_failed", in(Phase::ready, {true, 7}), closed(4004),
         stop_client(Ending::fatal_close), now_in(in(Phase::ready, {true, 7}), Phase::ended)},
        {"ready_closed_sharding_required", in(Phase::ready, {true, 7}), closed(4011), stop_client(Ending::fatal_close),
         now_in(in(Phase::ready, {true, 7}), Phase::ended)},
        {"ready_closed_invalid_api_version", in(Phase::ready, {true, 7}), closed(4012),
         stop_client(Ending::fatal_close), now_in(in(Phase::ready, {true, 7}), Phase::ended)},
        {"ready_closed_invalid_intents", in(Phase::ready, {true, 7}), closed(4013), stop_client(Ending::fatal_close),
         now_in(in(Phase::ready, {true, 7}), Phase::ended)},
        {"ready_stopped", in(Phase::ready, {true, 7}), event(Kind::stopped), end(Ending::stopped, end_session),
         now_in(in(Phase::ready, {true, 7}), Phase::ended)},

        // Nothing more happens to a connection that ended.
        {"ended_stopped", ended_with_session, event(Kind::stopped), end(Ending::stopped), ended_with_session},
    };
    auto add = [&](std::vector<GatewayCase> more) {
        for (auto& c : more) cases.push_back(std::move(c));
    };
    add(out_of_order("fetching", Phase::fetching, socket_events));
    add(out_of_order("fetching", Phase::fetching, {Kind::connected, Kind::connect_failed}));
    add(out_of_order("connecting", Phase::connecting, socket_events));
    add(out_of_order("connecting", Phase::connecting, {Kind::url_fetched, Kind::url_failed}));
    for (Phase phase : {Phase::hello_wait, Phase::identifying, Phase::resuming, Phase::ready})
        add(out_of_order("connected_" + std::to_string(static_cast<int>(phase)), phase,
                         {Kind::url_fetched, Kind::url_failed, Kind::connected, Kind::connect_failed}));
    add(out_of_order("ended", Phase::ended, socket_events));
    add(out_of_order("ended", Phase::ended,
                     {Kind::url_fetched, Kind::url_failed, Kind::connected, Kind::connect_failed}));
    return cases;
}

void PrintTo(const GatewayCase& c, std::ostream* os) {
    *os << c.name;
}

class GatewayTable : public ::testing::TestWithParam<GatewayCase> {};

TEST_P(GatewayTable, Transition) {
    const auto& c = GetParam();
    GatewayState state = c.before;
    const GatewayAction action = next(rules, state, c.event);
    EXPECT_EQ(action.close, c.action.close);
    EXPECT_EQ(action.send, c.action.send);
    EXPECT_EQ(action.heartbeat, c.action.heartbeat);
    EXPECT_EQ(action.step, c.action.step);
    if (action.step == Step::connect) {
        EXPECT_EQ(action.target, c.action.target);
    }
    EXPECT_EQ(action.wait, c.action.wait);
    EXPECT_EQ(action.why, c.action.why);
    EXPECT_EQ(state.phase, c.after.phase);
    EXPECT_EQ(state.session, c.after.session);
    EXPECT_EQ(state.sequence, c.after.sequence);
    EXPECT_EQ(state.heartbeat_interval, c.after.heartbeat_interval);
    EXPECT_EQ(state.ack_pending, c.after.ack_pending);
    EXPECT_EQ(state.attempts, c.after.attempts);
}

INSTANTIATE_TEST_SUITE_P(PhaseTimesEvent, GatewayTable, ::testing::ValuesIn(table()),
                         [](const auto& info) { return info.param.name; });

TEST(GatewayTable, CoversEveryPhaseAndEvent) {
    std::set<std::pair<Phase, Kind>> covered;
    for (const auto& c : table()) covered.insert({c.before.phase, c.event.kind});
    for (Phase phase : {Phase::fetching, Phase::connecting, Phase::hello_wait, Phase::identifying, Phase::resuming,
                        Phase::ready, Phase::ended})
        for (int kind = 0; kind <= static_cast<int>(Kind::stopped); ++kind)
            EXPECT_TRUE(covered.contains({phase, static_cast<Kind>(kind)}))
                << "phase " << static_cast<int>(phase) << ", event " << kind;
}

// A whole session as Discord runs one: identify, a dispatch, op 7, resume on the resume URL with the
// last sequence number, RESUMED.
TEST(GatewayMachine, ReconnectResumesTheSessionWhereItStopped) {
    GatewayState state;
    EXPECT_EQ(next(rules, state, event(Kind::url_fetched)).target, Target::gateway);
    next(rules, state, event(Kind::connected));
    EXPECT_EQ(next(rules, state, hello()).send, GatewaySend::identify);
    next(rules, state, ready(1));
    next(rules, state, dispatch(Kind::dispatch, 42));
    const GatewayAction reconnect = next(rules, state, event(Kind::reconnect));
    EXPECT_EQ(reconnect.close, resumable_close_code);
    EXPECT_EQ(reconnect.target, Target::resume);
    next(rules, state, event(Kind::connected));
    EXPECT_EQ(next(rules, state, hello()).send, GatewaySend::resume);
    EXPECT_EQ(state.sequence, 42);
    next(rules, state, dispatch(Kind::resumed, 43));
    EXPECT_EQ(state.phase, Phase::ready);
    EXPECT_EQ(state.session, session);
}

TEST(GatewayMachine, FatalCloseCodesNameWhatToFix) {
    EXPECT_NE(fatal_close_advice(4004).find("DISCORD_BOT_TOKEN"), std::string_view::npos);
    EXPECT_NE(fatal_close_advice(4014).find("Developer Portal"), std::string_view::npos);
    for (std::uint16_t code : {4004, 4010, 4011, 4012, 4013, 4014}) EXPECT_TRUE(fatal_close(code)) << code;
    for (std::uint16_t code : {0, 1000, 1001, 1006, 4000, 4001, 4002, 4003, 4005, 4007, 4008, 4009})
        EXPECT_FALSE(fatal_close(code)) << code;
}

}  // namespace
}  // namespace collab::discord
