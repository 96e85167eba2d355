// The health server as an orchestrator and a scraper see it: over a real loopback socket, with the
// project's HTTP client, /healthz flipping between 200 and 503 as components go down and come back,
// /metrics as valid Prometheus text, and the answers for anything else.

#include "adapters/observability/health_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/http/verb.hpp>

#include <atomic>
#include <expected>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "../run_coroutine.hpp"
#include "adapters/net/http_client.hpp"
#include "prometheus_text.hpp"

namespace collab::observability {
namespace {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace std::chrono_literals;

// 2026-12-01 12:00:03 UTC
const SystemClock::time_point outage_start = std::chrono::sys_days{std::chrono::year{2026} / 12 / 1} + 12h + 3s;

std::string problems_of(const std::string& body) {
    std::string text;
    for (const std::string& problem : test::prometheus_text_problems(body)) text += problem + "\n";
    return text;
}

asio::awaitable<std::expected<net::HttpResponse, net::NetError>> send_once(net::HttpRequest request) {
    const auto executor = co_await asio::this_coro::executor;
    net::HttpClientOptions options;
    net::HttpClient client(executor, options);
    co_return co_await client.send(std::move(request));
}

TEST(HealthText, DownLinesSayWhatAndSinceWhen) {
    EXPECT_EQ(describe_down("slack", ComponentStatus{false, "no socket connected", outage_start}),
              "slack: down since 2026-12-01 12:00:03 UTC (no socket connected)");
    EXPECT_EQ(describe_down("store", ComponentStatus{false, "", std::nullopt}), "store: down");
    EXPECT_EQ(describe_down("store", ComponentStatus{false, "two\nlines", std::nullopt}), "store: down (two lines)");
}

TEST(HealthText, AComponentStateKeepsTheStartOfAnOutage) {
    ComponentState state("connecting", outage_start - 1h);
    EXPECT_FALSE(state.status().up);
    EXPECT_EQ(state.status().since, outage_start - 1h);
    state.set_up();
    EXPECT_TRUE(state.status().up);
    state.set_down("no socket connected", outage_start);
    state.set_down("reconnect failed", outage_start + 10s);
    const ComponentStatus status = state.status();
    EXPECT_FALSE(status.up);
    EXPECT_EQ(status.since, outage_start);
    EXPECT_EQ(status.detail, "reconnect failed");
}

class HealthServerTest : public ::testing::Test {
protected:
    HealthServerTest() {
        slack_.set_up();
        server_.emplace(io_.get_executor(), registry_, HealthServerOptions{});
        server_->add_component("slack", [this] { return slack_.status(); });
        server_->add_component("store", [this] {
            if (store_up_) return ComponentStatus{};
            return ComponentStatus{false, "database is not answering", outage_start + 5s};
        });
        server_->start();
        thread_ = std::thread([this] { io_.run(); });
    }

    // Always stopped and joined, whatever the test did.
    ~HealthServerTest() override {
        server_->stop();
        thread_.join();
        server_.reset();
    }

    net::HttpResponse fetch(http::verb method, const std::string& path) {
        net::HttpRequest request;
        request.method = method;
        request.url = server_->public_url() + path;
        auto result = testing::run(send_once(std::move(request)));
        if (!result) throw std::runtime_error("request failed: " + result.error().message);
        return std::move(*result);
    }
    net::HttpResponse get(const std::string& path) { return fetch(http::verb::get, path); }

    Registry registry_;  // outlives the io_context, as the server requires
    asio::io_context io_;
    ComponentState slack_;
    std::atomic<bool> store_up_{true};
    std::optional<HealthServer> server_;
    std::thread thread_;
};

TEST_F(HealthServerTest, HealthzFlipsWithTheComponentsAndSaysWhatIsDown) {
    net::HttpResponse all_up = get("/healthz");
    EXPECT_EQ(all_up.status, 200u);
    EXPECT_EQ(all_up.body, "ok\n");
    EXPECT_EQ(all_up.header("Content-Type"), "text/plain; charset=utf-8");

    slack_.set_down("no socket connected", outage_start);
    net::HttpResponse slack_down = get("/healthz");
    EXPECT_EQ(slack_down.status, 503u);
    EXPECT_EQ(slack_down.body, "slack: down since 2026-12-01 12:00:03 UTC (no socket connected)\n");

    store_up_ = false;
    net::HttpResponse both_down = get("/healthz");
    EXPECT_EQ(both_down.status, 503u);
    EXPECT_EQ(both_down.body,
              "slack: down since 2026-12-01 12:00:03 UTC (no socket connected)\n"
              "store: down since 2026-12-01 12:00:08 UTC (database is not answering)\n");

    slack_.set_up();
    net::HttpResponse store_down = get("/healthz");
    EXPECT_EQ(store_down.status, 503u);
    EXPECT_EQ(store_down.body, "store: down since 2026-12-01 12:00:08 UTC (database is not answering)\n");

    store_up_ = true;
    net::HttpResponse back = get("/healthz");
    EXPECT_EQ(back.status, 200u);
    EXPECT_EQ(back.body, "ok\n");
}

TEST_F(HealthServerTest, ACheckThatThrowsOrARemovedComponent) {
    server_->add_component("directory", []() -> ComponentStatus { throw std::runtime_error("lookup table gone"); });
    net::HttpResponse failing = get("/healthz");
    EXPECT_EQ(failing.status, 503u);
    EXPECT_EQ(failing.body, "directory: down (health check failed: lookup table gone)\n");

    server_->remove_component("directory");
    EXPECT_EQ(get("/healthz").status, 200u);
}

TEST_F(HealthServerTest, MetricsAreValidPrometheusTextReadOnTheServersThread) {
    registry_
        .counter("collab_commands_total", "Commands handled, by kind and outcome.",
                 {{"kind", "list"}, {"outcome", "answered"}})
        .inc(3);
    registry_.histogram("collab_ack_latency_seconds", "Envelope to acknowledgement.", ack_latency_buckets)
        .observe(0.0004);
    std::mutex mutex;
    std::optional<std::thread::id> read_on;
    registry_.gauge_callback("collab_open_sockets", "Open Socket Mode sockets.", {}, [&] {
        std::lock_guard lock(mutex);
        read_on = std::this_thread::get_id();
        return 2.0;
    });

    net::HttpResponse metrics = get("/metrics");
    EXPECT_EQ(metrics.status, 200u);
    EXPECT_EQ(metrics.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(problems_of(metrics.body), "") << metrics.body;
    EXPECT_NE(metrics.body.find("collab_commands_total{kind=\"list\",outcome=\"answered\"} 3\n"), std::string::npos);
    EXPECT_NE(metrics.body.find("collab_ack_latency_seconds_count 1\n"), std::string::npos);
    EXPECT_NE(metrics.body.find("collab_open_sockets 2\n"), std::string::npos);
    {
        std::lock_guard lock(mutex);
        EXPECT_EQ(read_on, thread_.get_id());
    }
    // A query string asks for the same thing.
    EXPECT_EQ(get("/metrics?format=text").status, 200u);
}

TEST_F(HealthServerTest, OtherPathsAre404AndOtherMethods405) {
    EXPECT_EQ(get("/").status, 404u);
    EXPECT_EQ(get("/health").status, 404u);
    EXPECT_EQ(get("/metrics/extra").status, 404u);
    EXPECT_EQ(fetch(http::verb::post, "/nowhere").status, 404u);

    net::HttpResponse post = fetch(http::verb::post, "/healthz");
    EXPECT_EQ(post.status, 405u);
    EXPECT_EQ(post.header("Allow"), "GET");
    EXPECT_EQ(fetch(http::verb::delete_, "/metrics").status, 405u);
    EXPECT_EQ(fetch(http::verb::put, "/metrics").status, 405u);
}

TEST(HealthServerOff, NothingListensUntilStarted) {
    Registry registry;
    asio::io_context io;
    HealthServerOptions options;
    options.server.listen = "127.0.0.1:not-a-port";
    // Constructing it binds nothing: a bad address only shows at start().
    HealthServer server(io.get_executor(), registry, options);
    EXPECT_THROW(server.start(), std::runtime_error);
}

}  // namespace
}  // namespace collab::observability
