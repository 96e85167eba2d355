// The WebSocket client against a real Beast server on loopback: what a chat adapter sees for each way
// a socket can go, over ws:// and over wss:// with a throw-away CA.

#include "adapters/net/websocket_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <array>
#include <future>

#include "loopback_server.hpp"
#include "test_certificates.hpp"
#include "websocket_server.hpp"

namespace collab::net {
namespace {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using ConnectionPtr = std::shared_ptr<WebSocketConnection>;
using test::WebSocketServer;
using test::WsServerSession;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

unsigned short closed_port() {
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return acceptor.local_endpoint().port();  // closed again on return
}

// Reads whatever comes and never answers: a server that accepts TCP and then hangs.
asio::awaitable<void> never_answer(tcp::socket socket) {
    std::array<char, 4096> data{};
    for (;;) {
        auto [error, read] = co_await socket.async_read_some(asio::buffer(data), use_tuple);
        if (error) co_return;
    }
}

// A server whose handler stops reading: pings and close frames from the client go unanswered.
asio::awaitable<void> go_silent(WsServerSession& session) {
    co_await session.stay_silent(5s);
}

std::chrono::milliseconds since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

class WebSocketClientTest : public ::testing::Test {
protected:
    static WebSocketOptions short_timeouts() {
        WebSocketOptions options;
        options.timeouts = WebSocketTimeouts{2s, 2s, 2s, 2s, 2s, 1s};
        options.user_agent = "collab-bot-test/1";
        return options;
    }

    // Runs a task on the test's io_context until it completes. The io_context is not run dry: an
    // open connection keeps keep-alive timers pending for ever.
    template <typename T>
    T run(asio::awaitable<T> task, const asio::any_io_executor& executor) {
        auto result = asio::co_spawn(executor, std::move(task), asio::use_future);
        io_.restart();
        while (result.wait_for(0s) != std::future_status::ready) io_.run_one_for(20ms);
        return result.get();
    }
    template <typename T>
    T run(asio::awaitable<T> task) {
        return run(std::move(task), io_.get_executor());
    }

    WebSocketConnection::ConnectResult connect(std::string url, WebSocketOptions options = short_timeouts()) {
        const asio::any_io_executor executor = io_.get_executor();
        return run(WebSocketConnection::connect(executor, std::move(url), std::move(options)));
    }

    ConnectionPtr connect_ok(std::string url, WebSocketOptions options = short_timeouts()) {
        auto connection = connect(std::move(url), std::move(options));
        EXPECT_TRUE(connection) << connection.error().message;
        return connection ? *connection : nullptr;
    }

    // Reads on the connection's strand, as its thread model asks.
    WebSocketConnection::ReadResult read(WebSocketConnection& connection) {
        return run(connection.read(), connection.executor());
    }

    static void expect_failure(const WebSocketConnection::ConnectResult& result, NetErrorKind kind) {
        ASSERT_FALSE(result.has_value()) << "connected unexpectedly";
        EXPECT_EQ(to_string(result.error().kind), to_string(kind)) << result.error().message;
    }
    static void expect_failure(const WebSocketConnection::ReadResult& result, NetErrorKind kind) {
        ASSERT_FALSE(result.has_value()) << "read a message unexpectedly: " << *result;
        EXPECT_EQ(to_string(result.error().kind), to_string(kind)) << result.error().message;
    }

    asio::io_context io_;
};

// --- ws:// ------------------------------------------------------------------------------------------

TEST_F(WebSocketClientTest, EchoOverPlainWebSocketWithUserAgentAndTarget) {
    WebSocketServer server([](WsServerSession& session) -> asio::awaitable<void> {
        std::string greeting = "ua=" + session.user_agent + " target=" + session.target;
        co_await session.write(std::move(greeting));
        co_await test::echo_messages(session);
    });
    auto connection = connect_ok(server.url("/link?ticket=abc"));
    ASSERT_TRUE(connection);

    auto greeting = read(*connection);
    connection->send("hello");
    auto echoed = read(*connection);

    ASSERT_TRUE(greeting) << greeting.error().message;
    EXPECT_EQ(*greeting, "ua=collab-bot-test/1 target=/link?ticket=abc");
    ASSERT_TRUE(echoed) << echoed.error().message;
    EXPECT_EQ(*echoed, "hello");
    EXPECT_EQ(connection->messages_received(), 2u);
    EXPECT_FALSE(connection->closed());
}

TEST_F(WebSocketClientTest, MessagesSentBackToBackArriveInOrder) {
    WebSocketServer server(&test::echo_messages);
    auto connection = connect_ok(server.url("/"));
    ASSERT_TRUE(connection);
    constexpr int count = 500;

    // send() only queues: the writes happen after this coroutine yields.
    auto send_all = [&]() -> asio::awaitable<std::size_t> {
        for (int i = 0; i < count; ++i) connection->send("message #" + std::to_string(i));
        co_return connection->queued_messages();
    };
    const std::size_t queued = run(send_all(), connection->executor());

    EXPECT_EQ(queued, std::size_t(count));
    for (int i = 0; i < count; ++i) {
        auto message = read(*connection);
        ASSERT_TRUE(message) << message.error().message;
        ASSERT_EQ(*message, "message #" + std::to_string(i));
    }
    EXPECT_EQ(connection->queued_messages(), 0u);
}

TEST_F(WebSocketClientTest, ServerPingIsAnsweredWithAPongAndCountsAsActivity) {
    WebSocketServer server([](WsServerSession& session) -> asio::awaitable<void> {
        std::string payload = "are-you-there";
        co_await session.ping(std::move(payload));
        std::string text = "after-ping";
        co_await session.write(std::move(text));
        auto ack = co_await session.read();  // the pong arrives before the ack
        std::string report = "pongs:";
        for (const auto& pong : session.pongs) report += pong + ";";
        report += " ack:" + ack.value_or("none");
        co_await session.write(std::move(report));
        co_await test::echo_messages(session);
    });
    auto connection = connect_ok(server.url("/"));
    ASSERT_TRUE(connection);
    const Clock::time_point opened = connection->last_activity();
    std::this_thread::sleep_for(5ms);  // so that a later frame has a later time

    auto first = read(*connection);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(*first, "after-ping");
    EXPECT_EQ(connection->pings_received(), 1u);
    EXPECT_GT(connection->last_activity(), opened);

    connection->send("ack");
    auto report = read(*connection);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(*report, "pongs:are-you-there; ack:ack");
}

TEST_F(WebSocketClientTest, PeerThatStopsAnsweringIsDetectedWithinTheIdleTimeout) {
    WebSocketServer server(&go_silent);
    WebSocketOptions options = short_timeouts();
    options.timeouts.idle = 400ms;
    auto connection = connect_ok(server.url("/"), options);
    ASSERT_TRUE(connection);

    const auto start = Clock::now();
    auto result = read(*connection);
    const auto waited = since(start);

    expect_failure(result, NetErrorKind::timeout);
    // A keep-alive ping went out after half the idle time; with no pong, the link is declared dead.
    EXPECT_GE(waited, 350ms);
    EXPECT_LT(waited, 900ms);
    EXPECT_TRUE(connection->closed());
    // Every later read gives the same answer at once.
    expect_failure(read(*connection), NetErrorKind::timeout);
}

TEST_F(WebSocketClientTest, APeerThatDoesNotTakeOurMessagesIsClosedAsTooSlowOnceTheQueueIsFull) {
    WebSocketServer server(&go_silent);
    WebSocketOptions options = short_timeouts();
    options.timeouts.idle = 10s;  // so that only the queue bound can end the connection in time
    options.max_queued_bytes = 256 * 1024;
    auto connection = connect_ok(server.url("/"), options);
    ASSERT_TRUE(connection);

    // 64 MiB offered: far more than the socket buffers take, so the rest waits in the queue.
    const std::string chunk(64 * 1024, 'x');
    for (int i = 0; i < 1024; ++i) connection->send(chunk);
    const auto start = Clock::now();
    auto result = read(*connection);

    expect_failure(result, NetErrorKind::reset);
    EXPECT_NE(result.error().message.find("the peer is too slow: more than 262144 bytes were waiting to be sent"),
              std::string::npos)
        << result.error().message;
    EXPECT_LT(since(start), 2s) << "closed when the bound was hit, not at the idle timeout";
    EXPECT_TRUE(connection->closed());
}

TEST_F(WebSocketClientTest, QuietButLivePeerIsKeptAliveByPings) {
    WebSocketServer server([](WsServerSession& session) -> asio::awaitable<void> {
        // Reads (so answers the client's keep-alive pings) but sends nothing for 3 idle periods.
        auto message = co_await session.read();
        std::string reply = "late reply to " + message.value_or("none");
        co_await session.write(std::move(reply));
        co_await test::echo_messages(session);
    });
    WebSocketOptions options = short_timeouts();
    options.timeouts.idle = 200ms;
    auto connection = connect_ok(server.url("/"), options);
    ASSERT_TRUE(connection);

    // Nothing to read for 600 ms: the read must survive thanks to the pongs.
    auto delayed_send = [&]() -> asio::awaitable<WebSocketConnection::ReadResult> {
        asio::steady_timer timer(connection->executor());
        timer.expires_after(600ms);
        timer.async_wait([connection](boost::system::error_code) { connection->send("question"); });
        co_return co_await connection->read();
    };
    auto result = run(delayed_send(), connection->executor());

    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(*result, "late reply to question");
    EXPECT_GE(connection->pongs_received(), 2u);
}

TEST_F(WebSocketClientTest, MessageLargerThanTheCapIsAnErrorNotACrash) {
    WebSocketServer server([](WsServerSession& session) -> asio::awaitable<void> {
        std::string small(512, 's');
        co_await session.write(std::move(small));
        std::string big(4096, 'x');
        co_await session.write(std::move(big));
        co_await test::echo_messages(session);
    });
    WebSocketOptions options = short_timeouts();
    options.max_message_bytes = 1024;
    auto connection = connect_ok(server.url("/"), options);
    ASSERT_TRUE(connection);

    auto small = read(*connection);
    auto big = read(*connection);

    ASSERT_TRUE(small) << small.error().message;
    EXPECT_EQ(small->size(), 512u);
    expect_failure(big, NetErrorKind::oversize);
    EXPECT_NE(big.error().message.find("1024"), std::string::npos) << big.error().message;
    EXPECT_TRUE(connection->closed());
}

TEST_F(WebSocketClientTest, ServerCloseFrameEndsReadCleanlyWithTheReason) {
    WebSocketServer server([](WsServerSession& session) -> asio::awaitable<void> {
        std::string last = "last words";
        co_await session.write(std::move(last));
        std::string reason = "server restarting";
        co_await session.close(1001, std::move(reason));
    });
    auto connection = connect_ok(server.url("/"));
    ASSERT_TRUE(connection);

    auto last = read(*connection);
    auto closed = read(*connection);

    ASSERT_TRUE(last) << last.error().message;
    EXPECT_EQ(*last, "last words");
    expect_failure(closed, NetErrorKind::reset);
    EXPECT_NE(closed.error().message.find("server restarting"), std::string::npos) << closed.error().message;
    EXPECT_EQ(connection->close_reason(), (WebSocketClose{1001, "server restarting"}));
    EXPECT_TRUE(connection->closed());
    // Already closed by the peer: a close() afterwards is a no-op that reports success.
    std::string reason = "bye";
    EXPECT_EQ(run(connection->close(std::move(reason)), connection->executor()), std::nullopt);
}

TEST_F(WebSocketClientTest, PoliteCloseDrainsTheQueueThenSendsACloseFrame) {
    std::promise<std::string> seen;
    WebSocketServer server([&seen](WsServerSession& session) -> asio::awaitable<void> {
        std::string received;
        while (auto message = co_await session.read()) received += *message + ",";
        seen.set_value(received + " close " + std::to_string(session.client_close_code.value_or(0)) + " " +
                       session.client_close_reason);
    });
    auto connection = connect_ok(server.url("/"));
    ASSERT_TRUE(connection);

    auto send_then_close = [&]() -> asio::awaitable<std::optional<NetError>> {
        connection->send("one");
        connection->send("two");
        std::string reason = "maintenance";
        co_return co_await connection->close(std::move(reason));
    };
    auto outcome = run(send_then_close(), connection->executor());

    EXPECT_EQ(outcome, std::nullopt) << outcome->message;
    auto server_saw = seen.get_future();
    ASSERT_EQ(server_saw.wait_for(2s), std::future_status::ready);
    EXPECT_EQ(server_saw.get(), "one,two, close 1000 maintenance");
    EXPECT_TRUE(connection->closed());
    // After close, sends are dropped and reads fail at once.
    connection->send("too late");
    expect_failure(read(*connection), NetErrorKind::reset);
    EXPECT_EQ(connection->queued_messages(), 0u);
}

TEST_F(WebSocketClientTest, CloseWhileAReadIsPendingEndsBothCleanly) {
    std::promise<std::string> seen;
    WebSocketServer server([&seen](WsServerSession& session) -> asio::awaitable<void> {
        co_await test::echo_messages(session);
        seen.set_value(std::to_string(session.client_close_code.value_or(0)) + " " + session.client_close_reason);
    });
    auto connection = connect_ok(server.url("/"));
    ASSERT_TRUE(connection);

    // The usual shape: one coroutine always reading, another deciding to close.
    auto reading = asio::co_spawn(connection->executor(), connection->read(), asio::use_future);
    std::string reason = "refresh_requested";
    auto closing = asio::co_spawn(connection->executor(), connection->close(std::move(reason)), asio::use_future);
    io_.restart();
    while (reading.wait_for(0s) != std::future_status::ready || closing.wait_for(0s) != std::future_status::ready)
        io_.run_one_for(20ms);
    auto result = reading.get();
    auto closed_with = closing.get();

    expect_failure(result, NetErrorKind::reset);
    EXPECT_NE(result.error().message.find("closed by this side"), std::string::npos) << result.error().message;
    EXPECT_EQ(closed_with, std::nullopt) << closed_with->message;
    auto server_saw = seen.get_future();
    ASSERT_EQ(server_saw.wait_for(2s), std::future_status::ready);
    EXPECT_EQ(server_saw.get(), "1000 refresh_requested");
}

TEST_F(WebSocketClientTest, AReadBegunWhileACloseRunsEndsWithItEvenWithThePeersCloseFrameAlreadyBuffered) {
    // A message and the server's close frame (code 1000) in one TCP segment: once the message is read,
    // the close frame waits in the client's buffer. Server frames are not masked.
    WebSocketServer server([](WsServerSession& session) -> asio::awaitable<void> {
        std::string frames = std::string{'\x81', '\x03'} + "bye" + std::string{'\x88', '\x02', '\x03', '\xe8'};
        co_await session.write_raw_then_close(std::move(frames));
    });
    auto connection = connect_ok(server.url("/"));
    ASSERT_TRUE(connection);
    auto first = read(*connection);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(*first, "bye");

    // A stop closes the connection while the reading loop goes on reading: the close begins first.
    std::string reason = "shutting down";
    auto closing = asio::co_spawn(connection->executor(), connection->close(std::move(reason)), asio::use_future);
    auto reading = asio::co_spawn(connection->executor(), connection->read(), asio::use_future);
    io_.restart();
    const auto start = Clock::now();
    while ((reading.wait_for(0s) != std::future_status::ready || closing.wait_for(0s) != std::future_status::ready) &&
           since(start) < 3s)
        io_.run_one_for(20ms);
    ASSERT_EQ(reading.wait_for(0s), std::future_status::ready) << "the read never ended";
    ASSERT_EQ(closing.wait_for(0s), std::future_status::ready) << "the close never ended";
    expect_failure(reading.get(), NetErrorKind::reset);
    auto closed_with = closing.get();
    EXPECT_EQ(closed_with, std::nullopt) << closed_with->message;
    EXPECT_EQ(connection->close_reason(), (WebSocketClose{1000, ""}));
    EXPECT_TRUE(connection->closed());
}

TEST_F(WebSocketClientTest, CloseToAPeerThatNeverAnswersTimesOut) {
    WebSocketServer server(&go_silent);
    WebSocketOptions options = short_timeouts();
    options.timeouts.close = 300ms;
    auto connection = connect_ok(server.url("/"), options);
    ASSERT_TRUE(connection);

    const auto start = Clock::now();
    std::string reason = "bye";
    auto outcome = run(connection->close(std::move(reason)), connection->executor());

    ASSERT_TRUE(outcome.has_value());
    EXPECT_EQ(to_string(outcome->kind), to_string(NetErrorKind::timeout)) << outcome->message;
    EXPECT_LT(since(start), 1s);
    EXPECT_TRUE(connection->closed());
}

TEST_F(WebSocketClientTest, AbortWakesAPendingReadAtOnce) {
    WebSocketServer server(&go_silent);
    auto connection = connect_ok(server.url("/"));
    ASSERT_TRUE(connection);

    const auto start = Clock::now();
    auto abort_later = [&]() -> asio::awaitable<WebSocketConnection::ReadResult> {
        asio::steady_timer timer(connection->executor());
        timer.expires_after(50ms);
        timer.async_wait([connection](boost::system::error_code) { connection->abort(); });
        co_return co_await connection->read();
    };
    auto result = run(abort_later(), connection->executor());

    expect_failure(result, NetErrorKind::reset);
    EXPECT_NE(result.error().message.find("aborted"), std::string::npos) << result.error().message;
    EXPECT_LT(since(start), 1s);
    EXPECT_TRUE(connection->closed());
}

// --- Failing to connect -----------------------------------------------------------------------------

TEST_F(WebSocketClientTest, ClosedPortIsRefused) {
    expect_failure(connect("ws://127.0.0.1:" + std::to_string(closed_port()) + "/"), NetErrorKind::refused);
}

TEST_F(WebSocketClientTest, ServerThatNeverCompletesTheHandshakeTimesOut) {
    test::LoopbackServer server(test::RawHandler{&never_answer});
    WebSocketOptions options = short_timeouts();
    options.timeouts.websocket_handshake = 300ms;

    const auto start = Clock::now();
    auto result = connect(server.url("/", "ws"), options);

    expect_failure(result, NetErrorKind::timeout);
    EXPECT_NE(result.error().message.find("WebSocket handshake"), std::string::npos) << result.error().message;
    EXPECT_LT(since(start), 1500ms);
}

TEST_F(WebSocketClientTest, UpgradeDeclinedByAnHttpServerIsAProtocolError) {
    test::HttpServerOptions options;
    options.handler = [](const test::ServerRequest&, int) {
        test::ServerResponse response{boost::beast::http::status::forbidden, 11};
        response.body() = "invalid ticket";
        return std::optional<test::ServerResponse>(std::move(response));
    };
    test::LoopbackServer server(options);

    auto result = connect(server.url("/link?ticket=secret-ticket", "ws"));

    expect_failure(result, NetErrorKind::protocol);
    EXPECT_NE(result.error().message.find("403"), std::string::npos) << result.error().message;
    // The target carries the ticket: it must stay out of error messages.
    EXPECT_EQ(result.error().message.find("secret-ticket"), std::string::npos) << result.error().message;
}

TEST_F(WebSocketClientTest, UnusableUrlsAreRefusedBeforeAnyConnection) {
    for (const std::string url : {"http://example.com/", "example.com/ws", "", "ws://user:pw@example.com/"}) {
        auto result = connect(url);
        expect_failure(result, NetErrorKind::bad_url);
        if (!result) {
            EXPECT_NE(result.error().message.find("ws(s) URL"), std::string::npos) << result.error().message;
        }
    }
}

// --- wss:// -----------------------------------------------------------------------------------------

class SecureWebSocketClientTest : public WebSocketClientTest {
protected:
    static void SetUpTestSuite() {
        ca_ = std::make_unique<test::TestCa>("collab-bot websocket test CA");
        ca_file_ = std::make_unique<test::TempFile>(ca_->certificate_pem());
    }
    static void TearDownTestSuite() {
        ca_file_.reset();
        ca_.reset();
    }

    static test::TlsIdentity identity(const std::string& subject_alt_names) {
        const test::IssuedCertificate issued = ca_->issue("test server", subject_alt_names);
        return test::TlsIdentity{issued.certificate_pem, issued.private_key_pem};
    }

    static WebSocketOptions trusting_test_ca() {
        WebSocketOptions options = short_timeouts();
        options.ca_file = ca_file_->path().string();
        return options;
    }

    static inline std::unique_ptr<test::TestCa> ca_;
    static inline std::unique_ptr<test::TempFile> ca_file_;
};

TEST_F(SecureWebSocketClientTest, EchoOverTlsWithTheTestCa) {
    WebSocketServer server(&test::echo_messages, identity("DNS:localhost,IP:127.0.0.1"));
    auto connection = connect_ok(server.url("/", "wss", "localhost"), trusting_test_ca());
    ASSERT_TRUE(connection);

    connection->send("over tls");
    auto echoed = read(*connection);

    ASSERT_TRUE(echoed) << echoed.error().message;
    EXPECT_EQ(*echoed, "over tls");
}

TEST_F(SecureWebSocketClientTest, CertificateForAnotherHostIsRefused) {
    WebSocketServer server(&test::echo_messages, identity("DNS:other.example"));

    auto result = connect(server.url("/", "wss", "localhost"), trusting_test_ca());

    expect_failure(result, NetErrorKind::tls);
    EXPECT_NE(result.error().message.find("localhost"), std::string::npos) << result.error().message;
    EXPECT_EQ(server.sessions(), 0);
}

TEST_F(SecureWebSocketClientTest, CertificateFromAnUntrustedCaIsRefused) {
    WebSocketServer server(&test::echo_messages, identity("DNS:localhost"));
    // The system store does not know the throw-away CA.
    WebSocketOptions options = short_timeouts();

    expect_failure(connect(server.url("/", "wss", "localhost"), options), NetErrorKind::tls);
}

}  // namespace
}  // namespace collab::net
