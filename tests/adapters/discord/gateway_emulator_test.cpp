// The gateway frames and the life-cycle machine against the emulated gateway, over a real websocket:
// what the bot's gateway connection does, step by step.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <functional>

#include "adapters/chat/discord/gateway_frames.hpp"
#include "adapters/net/websocket_client.hpp"
#include "discord_emulator.hpp"

namespace collab::discord {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::DiscordEmulator;
using Connection = std::shared_ptr<net::WebSocketConnection>;

template <typename T>
T on_loop(std::function<asio::awaitable<T>(asio::any_io_executor)> body) {
    asio::io_context io;
    asio::any_io_executor executor = io.get_executor();
    auto result = asio::co_spawn(io, body(executor), asio::use_future);
    io.run();
    return result.get();
}

asio::awaitable<Connection> open(asio::any_io_executor executor, std::string gateway_url) {
    std::string url = connect_url(gateway_url);
    net::WebSocketOptions options;
    auto connected = co_await net::WebSocketConnection::connect(executor, url, options);
    EXPECT_TRUE(connected) << connected.error().message;
    co_return connected ? *connected : nullptr;
}

// The next frame the bot would act on, decoded.
asio::awaitable<GatewayFrame> next_frame(Connection& connection) {
    auto text = co_await connection->read();
    if (!text) {
        ADD_FAILURE() << "the gateway closed: " << text.error().message;
        co_return GatewayFrame{};
    }
    auto frame = decode_gateway_frame(*text);
    EXPECT_TRUE(frame) << frame.error();
    co_return frame ? *frame : GatewayFrame{};
}

TEST(DiscordGateway, HelloIdentifyReadyAndHeartbeats) {
    DiscordEmulator discord;
    const std::string token = discord.options().bot_token;
    const bool done = on_loop<bool>([&](asio::any_io_executor executor) -> asio::awaitable<bool> {
        GatewayRules rules;
        GatewayState state;
        next(rules, state, GatewayEvent{GatewayEventKind::url_fetched});
        std::string url = discord.gateway_url();
        Connection connection = co_await open(executor, url);
        if (!connection) co_return false;
        next(rules, state, GatewayEvent{GatewayEventKind::connected});
        const GatewayAction hello = next(rules, state, (co_await next_frame(connection)).event);
        EXPECT_EQ(hello.send, GatewaySend::identify);
        EXPECT_EQ(hello.heartbeat, (net::WaitRange{0ms, discord.options().heartbeat_interval}));
        connection->send(identify_frame(token, {}));
        const GatewayFrame ready = co_await next_frame(connection);
        next(rules, state, ready.event);
        EXPECT_EQ(state.phase, GatewayPhase::ready);
        EXPECT_EQ(ready.application_id, discord.options().application_id);
        EXPECT_EQ(next(rules, state, GatewayEvent{GatewayEventKind::heartbeat_due}).send, GatewaySend::heartbeat);
        connection->send(heartbeat_frame(state.sequence));
        EXPECT_EQ((co_await next_frame(connection)).event.kind, GatewayEventKind::heartbeat_ack);
        std::string reason = "done";
        co_await connection->close(reason);
        co_return true;
    });
    EXPECT_TRUE(done);
    EXPECT_EQ(discord.heartbeats(0), std::vector<std::int64_t>{1});
    EXPECT_EQ(discord.identifies(), 1);
    EXPECT_EQ(discord.violations(), std::vector<std::string>{});
}

// Op 7: the session resumes on resume_gateway_url, and the interaction dispatched while no
// connection was up arrives there before RESUMED.
TEST(DiscordGateway, AReconnectResumesWithNothingLost) {
    DiscordEmulator discord;
    const std::string token = discord.options().bot_token;
    const bool done = on_loop<bool>([&](asio::any_io_executor executor) -> asio::awaitable<bool> {
        GatewayRules rules;
        GatewayState state;
        next(rules, state, GatewayEvent{GatewayEventKind::url_fetched});
        std::string url = discord.gateway_url();
        Connection first = co_await open(executor, url);
        if (!first) co_return false;
        next(rules, state, GatewayEvent{GatewayEventKind::connected});
        next(rules, state, (co_await next_frame(first)).event);
        first->send(identify_frame(token, {}));
        next(rules, state, (co_await next_frame(first)).event);
        discord.dispatch_interaction(test::slash_command("2001", "whoami", {}));
        const GatewayFrame seen = co_await next_frame(first);
        EXPECT_EQ(seen.dispatch_name, "INTERACTION_CREATE");
        next(rules, state, seen.event);

        discord.send_reconnect();
        const GatewayAction reconnect = next(rules, state, (co_await next_frame(first)).event);
        EXPECT_EQ(reconnect.close, resumable_close_code);
        EXPECT_EQ(reconnect.target, GatewayTarget::resume);
        first->abort();
        discord.dispatch_interaction(test::slash_command("2002", "whoami", {}));

        std::string resume_url = state.session.resume_url;
        Connection second = co_await open(executor, resume_url);
        if (!second) co_return false;
        next(rules, state, GatewayEvent{GatewayEventKind::connected});
        EXPECT_EQ(next(rules, state, (co_await next_frame(second)).event).send, GatewaySend::resume);
        second->send(resume_frame(token, state.session, state.sequence));
        const GatewayFrame missed = co_await next_frame(second);
        EXPECT_EQ(missed.dispatch_name, "INTERACTION_CREATE");
        EXPECT_EQ(missed.data->at("id").as_string(), "2002");
        next(rules, state, missed.event);
        next(rules, state, (co_await next_frame(second)).event);
        EXPECT_EQ(state.phase, GatewayPhase::ready);
        std::string reason = "done";
        co_await second->close(reason);
        co_return true;
    });
    EXPECT_TRUE(done);
    EXPECT_EQ(discord.resumes(), 1);
    EXPECT_TRUE(discord.target(1).starts_with("/resume/?v=10&encoding=json")) << discord.target(1);
    EXPECT_EQ(discord.violations(), std::vector<std::string>{});
}

// What the gateway closes with after these frames (Hello read first): 0 for a drop.
std::uint16_t close_code_after_frames(DiscordEmulator& discord, std::vector<std::string> frames) {
    return on_loop<std::uint16_t>([&](asio::any_io_executor executor) -> asio::awaitable<std::uint16_t> {
        std::string url = discord.gateway_url();
        Connection connection = co_await open(executor, url);
        if (!connection) co_return 0;
        co_await next_frame(connection);
        for (auto& frame : frames) connection->send(std::move(frame));
        for (;;) {
            auto text = co_await connection->read();
            if (!text) break;
        }
        co_return connection->close_reason() ? connection->close_reason()->code : 0;
    });
}

TEST(DiscordGateway, TheSendLimitIsEnforced) {
    test::EmulatorOptions options;
    options.send_limit = 3;
    DiscordEmulator discord(options);
    EXPECT_EQ(close_code_after_frames(discord,
                                      {heartbeat_frame(1), heartbeat_frame(1), heartbeat_frame(1), heartbeat_frame(1)}),
              4008);
    EXPECT_EQ(discord.violations(), std::vector<std::string>{"more than 3 gateway frames in the send window"});
}

TEST(DiscordGateway, ASecondIdentifyIsClosed) {
    DiscordEmulator discord;
    const std::string token = discord.options().bot_token;
    EXPECT_EQ(close_code_after_frames(discord, {identify_frame(token, {}), identify_frame(token, {})}), 4005);
}

TEST(DiscordGateway, AConnectionWithoutHeartbeatsIsDropped) {
    test::EmulatorOptions options;
    options.heartbeat_interval = 200ms;
    options.heartbeat_tolerance = 100ms;
    DiscordEmulator discord(options);
    EXPECT_EQ(close_code_after_frames(discord, {}), 0);  // dropped, no close frame
    EXPECT_EQ(discord.violations(), std::vector<std::string>{"no heartbeat within 300 ms"});
}

TEST(DiscordGateway, ARefusedResumeIsAnInvalidSession) {
    DiscordEmulator discord;
    discord.refuse_resumes();
    const std::string token = discord.options().bot_token;
    const auto kind =
        on_loop<GatewayEventKind>([&](asio::any_io_executor executor) -> asio::awaitable<GatewayEventKind> {
            std::string url = discord.gateway_url();
            Connection connection = co_await open(executor, url);
            if (!connection) co_return GatewayEventKind::stopped;
            co_await next_frame(connection);
            const GatewaySession session{"session-unknown", url};
            connection->send(resume_frame(token, session, 5));
            const GatewayFrame answer = co_await next_frame(connection);
            EXPECT_FALSE(answer.event.resumable);
            connection->abort();
            co_return answer.event.kind;
        });
    EXPECT_EQ(kind, GatewayEventKind::invalid_session);
}

TEST(DiscordGateway, AWrongTokenIsAFatalClose) {
    DiscordEmulator discord;
    const std::uint16_t code = close_code_after_frames(discord, {identify_frame("not-the-token", {})});
    EXPECT_EQ(code, 4004);
    EXPECT_TRUE(fatal_close(code));
}

TEST(DiscordGateway, AnOversizeFrameIsClosedAndReported) {
    DiscordEmulator discord;
    EXPECT_EQ(close_code_after_frames(discord, {heartbeat_frame(1) + std::string(5000, ' ')}), 4002);
    EXPECT_EQ(discord.violations(), std::vector<std::string>{"a gateway frame of 5014 bytes"});
}

}  // namespace
}  // namespace collab::discord
