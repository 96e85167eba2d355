// The bot's own HTTP server against clients that misbehave: oversized heads and bodies, slow
// senders, garbage instead of HTTP. Each gets a clear 4xx or is cut by a timeout, and the server
// keeps answering everyone else.

#include "adapters/net/http_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/status.hpp>

#include <atomic>
#include <thread>

#include "raw_connection.hpp"

namespace collab::net {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace std::chrono_literals;
using test::RawConnection;

// The server on a thread of its own, answering every request with 200 "ok".
class Served {
public:
    explicit Served(HttpServerOptions options)
        : work_(asio::make_work_guard(io_)),
          server_(io_.get_executor(), std::move(options), [](ServerRequest) -> asio::awaitable<ServerResponse> {
              ServerResponse response{http::status::ok, 11};
              response.body() = "ok";
              co_return response;
          }) {
        server_.start();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~Served() {
        server_.stop();
        work_.reset();
        thread_.join();
    }

    unsigned short port() const { return server_.endpoint().port(); }
    test::RawAnswer exchange(std::string_view bytes) { return test::raw_exchange(port(), bytes); }

private:
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    HttpServer server_;
    std::thread thread_;
};

constexpr std::string_view small_request = "GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";

TEST(HttpServerLimits, OversizedHeadersAre431AndTheServerGoesOn) {
    Served served{HttpServerOptions{}};
    const std::string big_header =
        "GET /x HTTP/1.1\r\nHost: a\r\nX-Padding: " + std::string(32 * 1024, 'p') + "\r\nConnection: close\r\n\r\n";
    const auto refused = served.exchange(big_header);
    EXPECT_EQ(refused.status, 431u) << refused.text.substr(0, 200);
    EXPECT_TRUE(refused.closed);
    const std::string long_target = "GET /" + std::string(64 * 1024, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n";
    EXPECT_EQ(served.exchange(long_target).status, 431u);
    EXPECT_EQ(served.exchange(small_request).status, 200u);
}

TEST(HttpServerLimits, AnOversizedBodyIs413BeforeItIsRead) {
    HttpServerOptions options;
    options.max_body_bytes = 1024;
    Served served{options};
    EXPECT_EQ(served.exchange("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000\r\n\r\n").status, 413u);
    const std::string chunked = "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
                                std::string(2048, 'b') + "\r\n0\r\n\r\n";
    EXPECT_EQ(served.exchange(chunked).status, 413u);
    EXPECT_EQ(served.exchange(small_request).status, 200u);
}

// The answer must survive the client still sending: closing with unread bytes resets the connection,
// and a reset destroys the answer on its way to the client.
TEST(HttpServerLimits, TheRefusalReachesAClientThatIsStillSending) {
    HttpServerOptions options;
    options.max_body_bytes = 1024;
    Served served{options};
    for (int attempt = 0; attempt < 5; ++attempt) {
        RawConnection client("127.0.0.1", served.port());
        client.send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 300000\r\n\r\n");
        client.send(std::string(300'000, 'c'), 2s);  // the server stops reading at some point: fine
        const auto answer = client.read_all();
        EXPECT_EQ(answer.status, 413u) << "attempt " << attempt << ": " << answer.text.substr(0, 100);
    }
}

TEST(HttpServerLimits, GarbageIsA400) {
    Served served{HttpServerOptions{}};
    for (const std::string& garbage :
         {std::string("GARBAGE\r\n\r\n"), std::string("GET / HTTP/1.1\r\nHo\0st: a\r\n\r\n", 28),
          std::string("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef"),
          std::string("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n")}) {
        const auto answer = served.exchange(garbage);
        EXPECT_EQ(answer.status, 400u) << garbage.substr(0, 30) << " -> " << answer.text.substr(0, 100);
        EXPECT_TRUE(answer.closed);
    }
    EXPECT_EQ(served.exchange(small_request).status, 200u);
}

// A slow sender ("slowloris") gets the time of one request, however it trickles its bytes, and holds
// up nobody meanwhile.
TEST(HttpServerTimeouts, ASlowSenderIsCutByTheRequestTimeoutAndHoldsUpNobody) {
    HttpServerOptions options;
    options.read_timeout = 30s;  // idle: waiting for a request to begin
    options.request_timeout = 1s;
    Served served{options};
    RawConnection slow("127.0.0.1", served.port());
    const auto began = std::chrono::steady_clock::now();
    ASSERT_TRUE(slow.send("POST /x HTTP/1.1\r\nHost: a\r\n"));
    std::atomic<bool> cut = false;
    std::thread trickle([&] {
        while (std::chrono::steady_clock::now() - began < 6s) {
            if (!slow.send("X-Slow: 1\r\n") || slow.closed_within(200ms)) {
                cut = true;
                return;
            }
        }
    });
    // Others are answered at once meanwhile.
    for (int i = 0; i < 3; ++i) {
        const auto asked = std::chrono::steady_clock::now();
        EXPECT_EQ(served.exchange(small_request).status, 200u);
        EXPECT_LT(std::chrono::steady_clock::now() - asked, 500ms);
    }
    trickle.join();
    EXPECT_TRUE(cut) << "the slow sender was still connected after 6 s";
    EXPECT_LT(std::chrono::steady_clock::now() - began, 3s);
}

TEST(HttpServerTimeouts, AnIdleConnectionIsClosedAfterTheIdleTimeout) {
    HttpServerOptions options;
    options.read_timeout = 1s;
    options.request_timeout = 30s;
    Served served{options};
    RawConnection idle("127.0.0.1", served.port());
    const auto began = std::chrono::steady_clock::now();
    EXPECT_TRUE(idle.closed_within(5s));
    EXPECT_LT(std::chrono::steady_clock::now() - began, 3s);
}

// A stop that lets the answers being prepared leave first: the bot's shutdown in Slack's HTTP mode,
// where a command answered in time must still reach Slack in its HTTP response.
TEST(HttpServerStop, AGracefulStopLetsTheAnswerInProgressLeaveThenCloses) {
    asio::io_context io;
    auto work = asio::make_work_guard(io);
    std::atomic<bool> arrived{false};
    HttpServer server(io.get_executor(), HttpServerOptions{},
                      [&arrived](ServerRequest) -> asio::awaitable<ServerResponse> {
                          arrived = true;
                          asio::steady_timer slow(co_await asio::this_coro::executor, 300ms);
                          co_await slow.async_wait(asio::use_awaitable);
                          ServerResponse response{http::status::ok, 11};
                          response.body() = "answered";
                          co_return response;
                      });
    server.start();
    std::thread runner([&io] { io.run(); });
    const unsigned short port = server.endpoint().port();
    test::RawAnswer answer;
    std::thread client([&answer, port] { answer = test::raw_exchange(port, small_request); });
    while (!arrived) std::this_thread::sleep_for(5ms);

    std::atomic<bool> stopped{false};
    auto stop = [&server, &stopped]() -> asio::awaitable<void> {
        co_await server.stop_gracefully(5s);
        stopped = true;
    };
    asio::co_spawn(io, stop, asio::detached);
    client.join();
    EXPECT_EQ(answer.status, 200u) << answer.text;
    EXPECT_NE(answer.text.find("answered"), std::string::npos) << answer.text;
    for (int i = 0; i < 200 && !stopped; ++i) std::this_thread::sleep_for(5ms);
    EXPECT_TRUE(stopped) << "closed once the answer had left, well before the limit";
    work.reset();
    runner.join();
}

}  // namespace
}  // namespace collab::net
