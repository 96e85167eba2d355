// A Socket Mode socket's life cycle as a table: the phase it is in × what happened to it.

#include <gtest/gtest.h>

#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "adapters/chat/slack/connection_machine.hpp"

namespace collab::slack {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using Kind = ConnectionEventKind;
using Phase = ConnectionPhase;
using Step = ConnectionStep;

// As SocketModeSettings' defaults.
const ConnectionRules rules{{1s, 30s, 0}, 30s, 30s};

struct ConnectionCase {
    std::string name;
    ConnectionState before;
    ConnectionEvent event;
    ConnectionAction action;
    ConnectionState after;
};

ConnectionState in(Phase phase, int attempts = 0, int quick_losses = 0, bool replacing = false) {
    return ConnectionState{phase, attempts, quick_losses, replacing};
}

ConnectionEvent event(Kind kind) {
    return ConnectionEvent{kind};
}
ConnectionEvent open_failed(bool rate_limited = false, std::optional<milliseconds> retry_after = std::nullopt) {
    ConnectionEvent e{Kind::open_failed};
    e.rate_limited = rate_limited;
    e.retry_after = retry_after;
    return e;
}
ConnectionEvent token_refused() {
    ConnectionEvent e{Kind::open_failed};
    e.token_refused = true;
    return e;
}
ConnectionEvent disconnect(DisconnectReason reason) {
    ConnectionEvent e{Kind::disconnect};
    e.reason = reason;
    return e;
}
ConnectionEvent lost_after(milliseconds up_for) {
    ConnectionEvent e{Kind::failed};
    e.up_for = up_for;
    return e;
}

ConnectionAction act(Step step, OlderSocket older = OlderSocket::keep) {
    return ConnectionAction{step, std::nullopt, older, Ending::none};
}
ConnectionAction open_after(milliseconds shortest, milliseconds longest) {
    return ConnectionAction{Step::open, net::WaitRange{shortest, longest}, OlderSocket::keep, Ending::none};
}
ConnectionAction end(Ending why, OlderSocket older = OlderSocket::keep) {
    return ConnectionAction{Step::end, std::nullopt, older, why};
}
ConnectionAction stop_client(Ending why, OlderSocket older = OlderSocket::keep) {
    return ConnectionAction{Step::stop_client, std::nullopt, older, why};
}

constexpr auto warning = DisconnectReason::warning;
constexpr auto refresh = DisconnectReason::refresh_requested;
constexpr auto other = DisconnectReason::other;
constexpr auto link_disabled = DisconnectReason::link_disabled;
constexpr auto too_many = DisconnectReason::too_many_websockets;

std::vector<ConnectionCase> table() {
    const ConnectionState ended = in(Phase::ended);
    return {
        // Asking apps.connections.open for a URL.
        {"opening_opened", in(Phase::opening, 2), event(Kind::opened), act(Step::connect), in(Phase::connecting, 2)},
        {"opening_failed", in(Phase::opening), open_failed(), open_after(0ms, 1s), in(Phase::opening, 1)},
        {"opening_failed_again", in(Phase::opening, 3), open_failed(), open_after(0ms, 8s), in(Phase::opening, 4)},
        {"opening_failed_often", in(Phase::opening, 9), open_failed(), open_after(0ms, 30s), in(Phase::opening, 10)},
        {"opening_rate_limited", in(Phase::opening, 1), open_failed(true, 5s), open_after(5s, 5s),
         in(Phase::opening, 2)},
        {"opening_rate_limited_without_retry_after", in(Phase::opening), open_failed(true), open_after(30s, 30s),
         in(Phase::opening, 1)},
        {"opening_token_refused", in(Phase::opening), token_refused(), stop_client(Ending::token_refused), ended},
        {"opening_token_refused_while_replacing", in(Phase::opening, 0, 0, true), token_refused(),
         stop_client(Ending::token_refused, OlderSocket::close), ended},
        {"opening_stopped", in(Phase::opening, 1), event(Kind::stopped), end(Ending::stopped), in(Phase::ended, 1)},
        {"opening_stopped_while_replacing", in(Phase::opening, 0, 0, true), event(Kind::stopped),
         end(Ending::stopped, OlderSocket::close), ended},
        {"opening_hello", in(Phase::opening), event(Kind::hello), end(Ending::out_of_order), ended},
        {"opening_disconnect", in(Phase::opening), disconnect(warning), end(Ending::out_of_order), ended},
        {"opening_socket_failed", in(Phase::opening), lost_after(0ms), end(Ending::out_of_order), ended},

        // Connecting to the URL, waiting for hello.
        {"connecting_hello", in(Phase::connecting, 3, 2), event(Kind::hello), act(Step::read), in(Phase::up, 0, 2)},
        {"connecting_hello_while_replacing", in(Phase::connecting, 0, 0, true), event(Kind::hello),
         act(Step::read, OlderSocket::close), in(Phase::up)},
        {"connecting_failed", in(Phase::connecting, 2), lost_after(0ms), open_after(0ms, 4s), in(Phase::opening, 3)},
        {"connecting_warning_in_place_of_hello", in(Phase::connecting), disconnect(warning), open_after(0ms, 1s),
         in(Phase::opening, 1)},
        {"connecting_refresh_in_place_of_hello", in(Phase::connecting, 1), disconnect(refresh), open_after(0ms, 2s),
         in(Phase::opening, 2)},
        {"connecting_other_in_place_of_hello", in(Phase::connecting), disconnect(other), open_after(0ms, 1s),
         in(Phase::opening, 1)},
        {"connecting_link_disabled", in(Phase::connecting), disconnect(link_disabled),
         stop_client(Ending::link_disabled), ended},
        {"connecting_link_disabled_while_replacing", in(Phase::connecting, 0, 0, true), disconnect(link_disabled),
         stop_client(Ending::link_disabled, OlderSocket::close), ended},
        {"connecting_too_many", in(Phase::connecting), disconnect(too_many), end(Ending::too_many), ended},
        // The socket being replaced takes the last place Slack allows: it goes first.
        {"connecting_too_many_while_replacing", in(Phase::connecting, 2, 1, true), disconnect(too_many),
         act(Step::open, OlderSocket::close_first), in(Phase::opening, 0, 1)},
        {"connecting_stopped", in(Phase::connecting), event(Kind::stopped), end(Ending::stopped), ended},
        {"connecting_stopped_while_replacing", in(Phase::connecting, 0, 0, true), event(Kind::stopped),
         end(Ending::stopped, OlderSocket::close), ended},
        {"connecting_opened", in(Phase::connecting), event(Kind::opened), end(Ending::out_of_order), ended},
        {"connecting_open_failed", in(Phase::connecting), open_failed(), end(Ending::out_of_order), ended},

        // Reading an open socket.
        {"up_hello_again", in(Phase::up, 0, 1), event(Kind::hello), act(Step::read), in(Phase::up, 0, 1)},
        {"up_lost_quickly", in(Phase::up), lost_after(1s), open_after(0ms, 2s), in(Phase::opening, 0, 1)},
        {"up_lost_quickly_again", in(Phase::up, 0, 2), lost_after(1s), open_after(0ms, 8s), in(Phase::opening, 0, 3)},
        {"up_lost_at_the_steady_mark", in(Phase::up, 0, 1), lost_after(30s), open_after(0ms, 4s),
         in(Phase::opening, 0, 2)},
        {"up_lost_after_a_long_time", in(Phase::up, 0, 4), lost_after(31s), open_after(0ms, 1s), in(Phase::opening)},
        {"up_warning", in(Phase::up, 0, 1), disconnect(warning), act(Step::open, OlderSocket::set_aside),
         in(Phase::opening, 0, 1, true)},
        {"up_refresh_requested", in(Phase::up), disconnect(refresh), act(Step::open, OlderSocket::set_aside),
         in(Phase::opening, 0, 0, true)},
        {"up_other_reason", in(Phase::up), disconnect(other), act(Step::open, OlderSocket::set_aside),
         in(Phase::opening, 0, 0, true)},
        {"up_link_disabled", in(Phase::up), disconnect(link_disabled), stop_client(Ending::link_disabled), ended},
        {"up_too_many", in(Phase::up), disconnect(too_many), end(Ending::too_many), ended},
        {"up_stopped", in(Phase::up), event(Kind::stopped), end(Ending::stopped), ended},
        {"up_opened", in(Phase::up), event(Kind::opened), end(Ending::out_of_order), ended},
        {"up_open_failed", in(Phase::up), open_failed(), end(Ending::out_of_order), ended},

        // Reading a socket set aside until it ends.
        {"set_aside_hello", in(Phase::set_aside), event(Kind::hello), act(Step::read), in(Phase::set_aside)},
        {"set_aside_ended", in(Phase::set_aside), lost_after(1s), end(Ending::replaced), ended},
        {"set_aside_warning", in(Phase::set_aside), disconnect(warning), act(Step::read), in(Phase::set_aside)},
        {"set_aside_refresh_requested", in(Phase::set_aside), disconnect(refresh), act(Step::read),
         in(Phase::set_aside)},
        {"set_aside_other_reason", in(Phase::set_aside), disconnect(other), act(Step::read), in(Phase::set_aside)},
        {"set_aside_link_disabled", in(Phase::set_aside), disconnect(link_disabled), stop_client(Ending::link_disabled),
         ended},
        {"set_aside_too_many", in(Phase::set_aside), disconnect(too_many), end(Ending::too_many), ended},
        {"set_aside_stopped", in(Phase::set_aside), event(Kind::stopped), end(Ending::stopped), ended},
        {"set_aside_opened", in(Phase::set_aside), event(Kind::opened), end(Ending::out_of_order), ended},
        {"set_aside_open_failed", in(Phase::set_aside), open_failed(), end(Ending::out_of_order), ended},

        // Nothing more happens to a socket that ended.
        {"ended_stopped", ended, event(Kind::stopped), end(Ending::stopped), ended},
        {"ended_opened", ended, event(Kind::opened), end(Ending::out_of_order), ended},
        {"ended_open_failed", ended, open_failed(), end(Ending::out_of_order), ended},
        {"ended_hello", ended, event(Kind::hello), end(Ending::out_of_order), ended},
        {"ended_disconnect", ended, disconnect(warning), end(Ending::out_of_order), ended},
        {"ended_failed", ended, lost_after(0ms), end(Ending::out_of_order), ended},
    };
}

void PrintTo(const ConnectionCase& c, std::ostream* os) {
    *os << c.name;
}

class ConnectionTable : public ::testing::TestWithParam<ConnectionCase> {};

TEST_P(ConnectionTable, Transition) {
    const auto& c = GetParam();
    ConnectionState state = c.before;
    const ConnectionAction action = next(rules, state, c.event);
    EXPECT_EQ(action.step, c.action.step);
    ASSERT_EQ(action.wait.has_value(), c.action.wait.has_value());
    if (action.wait) {
        EXPECT_EQ(action.wait->shortest, c.action.wait->shortest);
        EXPECT_EQ(action.wait->longest, c.action.wait->longest);
    }
    EXPECT_EQ(action.older, c.action.older);
    EXPECT_EQ(action.why, c.action.why);
    EXPECT_EQ(state.phase, c.after.phase);
    EXPECT_EQ(state.attempts, c.after.attempts);
    EXPECT_EQ(state.quick_losses, c.after.quick_losses);
    EXPECT_EQ(state.replacing, c.after.replacing);
}

INSTANTIATE_TEST_SUITE_P(PhaseTimesEvent, ConnectionTable, ::testing::ValuesIn(table()),
                         [](const auto& info) { return info.param.name; });

TEST(ConnectionTable, CoversEveryPhaseAndEvent) {
    std::set<std::pair<Phase, Kind>> covered;
    for (const auto& c : table()) covered.insert({c.before.phase, c.event.kind});
    for (Phase phase : {Phase::opening, Phase::connecting, Phase::up, Phase::set_aside, Phase::ended})
        for (Kind kind : {Kind::opened, Kind::open_failed, Kind::hello, Kind::disconnect, Kind::failed, Kind::stopped})
            EXPECT_TRUE(covered.contains({phase, kind}))
                << "phase " << static_cast<int>(phase) << ", event " << static_cast<int>(kind);
}

// A refresh as Slack does it: the replacement is opened while the old socket is read, and the old one
// is closed once the new one said hello.
TEST(ConnectionMachine, ARefreshSetsTheSocketAsideUntilItsReplacementIsUp) {
    ConnectionState state = in(Phase::up);
    EXPECT_EQ(next(rules, state, disconnect(warning)).older, OlderSocket::set_aside);
    EXPECT_EQ(next(rules, state, event(Kind::opened)).step, Step::connect);
    const ConnectionAction up = next(rules, state, event(Kind::hello));
    EXPECT_EQ(up.step, Step::read);
    EXPECT_EQ(up.older, OlderSocket::close);
    EXPECT_EQ(state, in(Phase::up));
}

}  // namespace
}  // namespace collab::slack
