// The metrics registry: what a scraper reads, exactly, for each kind of series; the programming
// errors it refuses at registration; and updates from several threads at once.

#include "adapters/observability/metrics.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "prometheus_text.hpp"

namespace collab::observability {
namespace {

std::string problems_of(const std::string& body) {
    std::string text;
    for (const std::string& problem : test::prometheus_text_problems(body)) text += problem + "\n";
    return text;
}

TEST(Metrics, CountersAndGaugesRenderSortedWithEscapedLabels) {
    Registry registry;
    const std::string commands_help = "Commands handled, by kind and outcome.";
    // Labels in any order name the same series; series sort by their (name-sorted) labels.
    registry.counter("collab_commands_total", commands_help, {{"outcome", "answered"}, {"kind", "list"}}).inc(3);
    registry.counter("collab_commands_total", commands_help, {{"kind", "add"}, {"outcome", "denied"}}).inc();
    registry.counter("collab_commands_total", commands_help, {{"kind", "list"}, {"outcome", "answered"}}).inc();
    registry.gauge("collab_budget_left", "Scalingo requests left in the current minute.").set(57);
    Gauge& odd = registry.gauge("collab_odd", "Help with a \\ backslash\nand a second line.",
                                {{"path", "C:\\dir \"quoted\"\nnext"}});
    odd.set(-1.5);
    odd.inc(0.25);
    odd.dec();
    registry.counter("collab_reconnects_total", "Chat reconnections.");

    const std::string expected =
        "# HELP collab_budget_left Scalingo requests left in the current minute.\n"
        "# TYPE collab_budget_left gauge\n"
        "collab_budget_left 57\n"
        "# HELP collab_commands_total Commands handled, by kind and outcome.\n"
        "# TYPE collab_commands_total counter\n"
        "collab_commands_total{kind=\"add\",outcome=\"denied\"} 1\n"
        "collab_commands_total{kind=\"list\",outcome=\"answered\"} 4\n"
        "# HELP collab_odd Help with a \\\\ backslash\\nand a second line.\n"
        "# TYPE collab_odd gauge\n"
        "collab_odd{path=\"C:\\\\dir \\\"quoted\\\"\\nnext\"} -2.25\n"
        "# HELP collab_reconnects_total Chat reconnections.\n"
        "# TYPE collab_reconnects_total counter\n"
        "collab_reconnects_total 0\n";
    const std::string rendered = registry.render();
    EXPECT_EQ(rendered, expected);
    EXPECT_EQ(problems_of(rendered), "");
}

TEST(Metrics, HistogramsRenderCumulativeBucketsSumAndCount) {
    Registry registry;
    const std::array<double, 3> bounds{0.125, 0.5, 1};
    const std::string help = "Time from an envelope's arrival to its acknowledgement.";
    Histogram& socket = registry.histogram("collab_ack_latency_seconds", help, bounds, {{"mode", "socket"}});
    socket.observe(0.125);  // on a bound: counted in that bucket (le means <=)
    socket.observe(std::chrono::milliseconds(250));
    socket.observe(0.5);
    socket.observe(4.0);  // above every bound: only in +Inf
    registry.histogram("collab_ack_latency_seconds", help, bounds, {{"mode", "http"}}).observe(0.0);

    // prometheus-cpp writes a histogram's _count and _sum before its buckets.
    const std::string expected =
        "# HELP collab_ack_latency_seconds Time from an envelope's arrival to its acknowledgement.\n"
        "# TYPE collab_ack_latency_seconds histogram\n"
        "collab_ack_latency_seconds_count{mode=\"http\"} 1\n"
        "collab_ack_latency_seconds_sum{mode=\"http\"} 0\n"
        "collab_ack_latency_seconds_bucket{mode=\"http\",le=\"0.125\"} 1\n"
        "collab_ack_latency_seconds_bucket{mode=\"http\",le=\"0.5\"} 1\n"
        "collab_ack_latency_seconds_bucket{mode=\"http\",le=\"1\"} 1\n"
        "collab_ack_latency_seconds_bucket{mode=\"http\",le=\"+Inf\"} 1\n"
        "collab_ack_latency_seconds_count{mode=\"socket\"} 4\n"
        "collab_ack_latency_seconds_sum{mode=\"socket\"} 4.875\n"
        "collab_ack_latency_seconds_bucket{mode=\"socket\",le=\"0.125\"} 1\n"
        "collab_ack_latency_seconds_bucket{mode=\"socket\",le=\"0.5\"} 3\n"
        "collab_ack_latency_seconds_bucket{mode=\"socket\",le=\"1\"} 3\n"
        "collab_ack_latency_seconds_bucket{mode=\"socket\",le=\"+Inf\"} 4\n";
    const std::string rendered = registry.render();
    EXPECT_EQ(rendered, expected);
    EXPECT_EQ(problems_of(rendered), "");
    EXPECT_EQ(socket.count(), 4u);
    EXPECT_EQ(socket.sum(), 4.875);
}

TEST(Metrics, TheAckLatencyBucketsRenderAsWritten) {
    Registry registry;
    registry.histogram("ack_seconds", "Ack latency.", ack_latency_buckets).observe(0.0003);
    const std::string rendered = registry.render();
    EXPECT_NE(rendered.find("ack_seconds_bucket{le=\"0.0005\"} 1\n"), std::string::npos) << rendered;
    EXPECT_NE(rendered.find("ack_seconds_bucket{le=\"0.0025\"} 1\n"), std::string::npos) << rendered;
    EXPECT_NE(rendered.find("ack_seconds_bucket{le=\"3\"} 1\n"), std::string::npos) << rendered;
    EXPECT_NE(rendered.find("ack_seconds_sum 0.0003\n"), std::string::npos) << rendered;
    EXPECT_EQ(problems_of(rendered), "");
}

TEST(Metrics, CallbackGaugesAreReadAtRenderTimeAndCanBeRemoved) {
    Registry registry;
    double open_sockets = 2;
    registry.gauge_callback("collab_open_sockets", "Open Socket Mode sockets.", {}, [&] { return open_sockets; });
    registry.gauge_callback("collab_budget_left", "Requests left.", {{"account", "a"}}, [] { return 60.0; });
    registry.gauge_callback("collab_budget_left", "Requests left.", {{"account", "b"}},
                            []() -> double { throw std::runtime_error("not known yet"); });
    EXPECT_EQ(registry.render(),
              "# HELP collab_budget_left Requests left.\n"
              "# TYPE collab_budget_left gauge\n"
              "collab_budget_left{account=\"a\"} 60\n"
              "# HELP collab_open_sockets Open Socket Mode sockets.\n"
              "# TYPE collab_open_sockets gauge\n"
              "collab_open_sockets 2\n");

    open_sockets = 3;
    EXPECT_NE(registry.render().find("collab_open_sockets 3\n"), std::string::npos);

    // A family whose only series is a removed callback says nothing, not even HELP and TYPE.
    registry.remove_callback("collab_open_sockets", {});
    registry.remove_callback("collab_unknown", {});
    EXPECT_EQ(registry.render().find("collab_open_sockets"), std::string::npos);
    // Set again, it is back.
    registry.gauge_callback("collab_open_sockets", "Open Socket Mode sockets.", {}, [] { return 1.0; });
    EXPECT_NE(registry.render().find("collab_open_sockets 1\n"), std::string::npos);
}

TEST(Metrics, TheSameSeriesIsTheSameHandle) {
    Registry registry;
    Counter& first = registry.counter("c_total", "help", {{"a", "1"}, {"b", "2"}});
    Counter& again = registry.counter("c_total", "help", {{"b", "2"}, {"a", "1"}});
    Counter& other = registry.counter("c_total", "help", {{"a", "1"}, {"b", "3"}});
    EXPECT_EQ(&first, &again);
    EXPECT_NE(&first, &other);
}

TEST(Metrics, ProgrammingErrorsAreRefusedAtRegistration) {
    Registry registry;
    const std::array<double, 2> bounds{1, 2};
    registry.counter("c_total", "help");
    registry.gauge("g", "help", {{"k", "v"}});
    registry.histogram("h", "help", bounds);

    EXPECT_THROW(registry.counter("1c", "help"), std::invalid_argument);
    EXPECT_THROW(registry.counter("c-total", "help"), std::invalid_argument);
    EXPECT_THROW(registry.counter("", "help"), std::invalid_argument);
    EXPECT_THROW(registry.counter("x", "help", {{"__reserved", "v"}}), std::invalid_argument);
    EXPECT_THROW(registry.counter("x", "help", {{"a b", "v"}}), std::invalid_argument);
    EXPECT_THROW(registry.counter("x", "help", {{"a:b", "v"}}), std::invalid_argument);
    EXPECT_THROW(registry.counter("x", "help", {{"k", "1"}, {"k", "2"}}), std::invalid_argument);
    EXPECT_THROW(registry.histogram("y", "help", bounds, {{"le", "1"}}), std::invalid_argument);
    // One name, one type, one help text, one set of bounds.
    EXPECT_THROW(registry.gauge("c_total", "help"), std::invalid_argument);
    EXPECT_THROW(registry.counter("c_total", "other help"), std::invalid_argument);
    const std::array<double, 2> other_bounds{1, 3};
    EXPECT_THROW(registry.histogram("h", "help", other_bounds), std::invalid_argument);
    const std::array<double, 2> decreasing{2, 1};
    const std::array<double, 2> infinite{1, std::numeric_limits<double>::infinity()};
    EXPECT_THROW(registry.histogram("z", "help", decreasing), std::invalid_argument);
    EXPECT_THROW(registry.histogram("z", "help", infinite), std::invalid_argument);
    // A series is either set by the code or read from a callback, not both.
    EXPECT_THROW(registry.gauge_callback("g", "help", {{"k", "v"}}, [] { return 1.0; }), std::invalid_argument);
    registry.gauge_callback("g", "help", {{"k", "w"}}, [] { return 1.0; });
    EXPECT_THROW(registry.gauge("g", "help", {{"k", "w"}}), std::invalid_argument);
    // Nothing refused left a trace.
    EXPECT_EQ(problems_of(registry.render()), "");
    EXPECT_EQ(registry.render().find("1c"), std::string::npos);
}

TEST(Metrics, ConcurrentUpdatesFromFourThreadsAllCount) {
    Registry registry;
    const std::array<double, 2> bounds{1, 2};
    constexpr int threads = 4;
    constexpr int per_thread = 200'000;
    std::vector<std::thread> workers;
    std::vector<std::string> scrapes;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&registry, &bounds] {
            // Each thread looks its handles up itself, as separate adapters would.
            Counter& counter = registry.counter("ops_total", "Operations.", {{"kind", "x"}});
            Gauge& gauge = registry.gauge("in_flight", "In flight.");
            Histogram& histogram = registry.histogram("latency_seconds", "Latency.", bounds);
            for (int i = 0; i < per_thread; ++i) {
                counter.inc();
                gauge.inc(2);
                gauge.dec();
                histogram.observe(i % 2 == 0 ? 0.5 : 2.0);
            }
        });
    }
    // Scrapes while the updates run: each must be a valid exposition on its own.
    for (int i = 0; i < 20; ++i) scrapes.push_back(registry.render());
    for (auto& worker : workers) worker.join();

    constexpr std::uint64_t total = std::uint64_t{threads} * per_thread;
    EXPECT_EQ(registry.counter("ops_total", "Operations.", {{"kind", "x"}}).value(), total);
    EXPECT_EQ(registry.gauge("in_flight", "In flight.").value(), static_cast<double>(total));
    const Histogram& histogram = registry.histogram("latency_seconds", "Latency.", bounds);
    EXPECT_EQ(histogram.count(), total);
    EXPECT_EQ(histogram.sum(), 0.5 * (total / 2) + 2.0 * (total / 2));
    const std::string rendered = registry.render();
    EXPECT_NE(rendered.find("latency_seconds_bucket{le=\"1\"} 400000\n"), std::string::npos) << rendered;
    EXPECT_NE(rendered.find("latency_seconds_bucket{le=\"2\"} 800000\n"), std::string::npos) << rendered;
    EXPECT_NE(rendered.find("ops_total{kind=\"x\"} 800000\n"), std::string::npos) << rendered;
    EXPECT_NE(rendered.find("latency_seconds_count 800000\n"), std::string::npos) << rendered;
    EXPECT_EQ(problems_of(rendered), "");
    for (const std::string& scrape : scrapes) EXPECT_EQ(problems_of(scrape), "") << scrape;
}

TEST(Metrics, NaNObservationsAreIgnored) {
    Registry registry;
    const std::array<double, 1> bounds{1};
    Histogram& histogram = registry.histogram("h", "help", bounds);
    histogram.observe(std::numeric_limits<double>::quiet_NaN());
    histogram.observe(-1.0);
    EXPECT_EQ(histogram.count(), 1u);
    EXPECT_EQ(histogram.sum(), -1.0);
    EXPECT_NE(registry.render().find("h_bucket{le=\"1\"} 1\n"), std::string::npos);
}

TEST(Metrics, ValuesAreWrittenAsTheFormatReadsThem) {
    Registry registry;
    registry.gauge("g", "help", {{"v", "a"}}).set(0.1);
    registry.gauge("g", "help", {{"v", "b"}}).set(1e21);
    registry.gauge("g", "help", {{"v", "c"}}).set(-std::numeric_limits<double>::infinity());
    registry.gauge("g", "help", {{"v", "d"}}).set(std::numeric_limits<double>::quiet_NaN());
    const std::string rendered = registry.render();
    EXPECT_NE(rendered.find("g{v=\"a\"} 0.1\n"), std::string::npos) << rendered;
    EXPECT_NE(rendered.find("g{v=\"b\"} 1e+21\n"), std::string::npos) << rendered;
    EXPECT_NE(rendered.find("g{v=\"c\"} -Inf\n"), std::string::npos) << rendered;
    EXPECT_EQ(problems_of(rendered), "");
}

}  // namespace
}  // namespace collab::observability
