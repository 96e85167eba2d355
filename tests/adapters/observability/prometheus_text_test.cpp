// The text-format checker itself: it accepts what Prometheus accepts and names what a scraper would
// reject, so that a test passing it means something.

#include "prometheus_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace collab::observability::test {
namespace {

// Does the checker's report mention this?
bool mentions(const std::vector<std::string>& problems, std::string_view what) {
    for (const std::string& problem : problems)
        if (problem.find(what) != std::string::npos) return true;
    return false;
}

std::string joined(const std::vector<std::string>& problems) {
    std::string text;
    for (const std::string& problem : problems) text += problem + "\n";
    return text;
}

TEST(PrometheusText, AcceptsAWellFormedExposition) {
    // Adapted from the format's own documentation: comments, escapes, timestamps, special values,
    // a trailing comma in a label set, a histogram and a summary.
    const std::string body =
        "# A free comment\n"
        "# HELP http_requests_total The total number of HTTP requests.\n"
        "# TYPE http_requests_total counter\n"
        "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\n"
        "http_requests_total{method=\"post\",code=\"400\",}    3 1395066363000\n"
        "\n"
        "# HELP msdos_file_access_time_seconds A \\\\ backslash and\\na new line.\n"
        "# TYPE msdos_file_access_time_seconds gauge\n"
        "msdos_file_access_time_seconds{path=\"C:\\\\DIR\\\\FILE.TXT\",error=\"Cannot find file:\\n\\\"FILE.TXT\\\"\"} "
        "1.458255915e9\n"
        "# TYPE metric_without_timestamp_and_labels gauge\n"
        "metric_without_timestamp_and_labels 12.47\n"
        "# TYPE something_weird gauge\n"
        "something_weird{problem=\"division by zero\"} +Inf -3982045\n"
        "# TYPE not_a_number gauge\n"
        "not_a_number NaN\n"
        "# HELP http_request_duration_seconds A histogram of the request duration.\n"
        "# TYPE http_request_duration_seconds histogram\n"
        "http_request_duration_seconds_bucket{le=\"0.05\"} 24054\n"
        "http_request_duration_seconds_bucket{le=\"0.1\"} 33444\n"
        "http_request_duration_seconds_bucket{le=\"0.2\"} 100392\n"
        "http_request_duration_seconds_bucket{le=\"+Inf\"} 144320\n"
        "http_request_duration_seconds_sum 53423\n"
        "http_request_duration_seconds_count 144320\n"
        "# TYPE rpc_duration_seconds summary\n"
        "rpc_duration_seconds{quantile=\"0.5\"} 4773\n"
        "rpc_duration_seconds_sum 1.7560473e+07\n"
        "rpc_duration_seconds_count 2693\n";
    EXPECT_EQ(joined(prometheus_text_problems(body)), "");
    EXPECT_TRUE(prometheus_text_problems("").empty());
}

TEST(PrometheusText, RejectsBadNamesAndLabelSyntax) {
    EXPECT_TRUE(mentions(prometheus_text_problems("# TYPE 1abc counter\n1abc 1\n"), "invalid metric name"));
    EXPECT_TRUE(mentions(prometheus_text_problems("# TYPE a gauge\na-b 1\n"), "invalid metric name"));
    EXPECT_TRUE(mentions(prometheus_text_problems("# TYPE a gauge\na{1x=\"v\"} 1\n"), "invalid label name"));
    EXPECT_TRUE(mentions(prometheus_text_problems("# TYPE a gauge\na{x=v} 1\n"), "is not quoted"));
    EXPECT_TRUE(mentions(prometheus_text_problems("# TYPE a gauge\na{x=\"v} 1\n"), "unterminated"));
    EXPECT_TRUE(mentions(prometheus_text_problems("# TYPE a gauge\na{x=\"\\t\"} 1\n"), "invalid escape"));
    EXPECT_TRUE(mentions(prometheus_text_problems("# TYPE a gauge\na{x=\"1\" y=\"2\"} 1\n"), "expected \",\""));
    EXPECT_TRUE(mentions(prometheus_text_problems("# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n"), "given twice"));
    EXPECT_TRUE(mentions(prometheus_text_problems("# TYPE a gauge\na one\n"), "invalid value"));
    EXPECT_TRUE(mentions(prometheus_text_problems("# TYPE a gauge\na 1 noon\n"), "invalid timestamp"));
    EXPECT_TRUE(mentions(prometheus_text_problems("# TYPE a gauge\na\n"), "no value"));
    EXPECT_TRUE(mentions(prometheus_text_problems("# TYPE a gauge\na 1"), "does not end with a line feed"));
    EXPECT_TRUE(mentions(prometheus_text_problems("# HELP a bad \\t escape\n# TYPE a gauge\na 1\n"), "escape"));
    EXPECT_TRUE(mentions(prometheus_text_problems("# TYPE a meter\na 1\n"), "unknown type"));
}

TEST(PrometheusText, RejectsSamplesOutsideADeclaredFamily) {
    EXPECT_TRUE(mentions(prometheus_text_problems("a 1\n"), "no TYPE line declares the family of a"));
    EXPECT_TRUE(mentions(prometheus_text_problems("a 1\n# TYPE a gauge\n"), "after its samples"));
    EXPECT_TRUE(mentions(prometheus_text_problems("# TYPE a gauge\n# TYPE a gauge\na 1\n"), "a second TYPE"));
    EXPECT_TRUE(mentions(prometheus_text_problems("# TYPE a gauge\na_sum 1\n"), "no TYPE line declares"));
    EXPECT_TRUE(mentions(prometheus_text_problems("# TYPE a gauge\na{x=\"1\"} 1\n"
                                                  "# TYPE b gauge\nb 1\n"
                                                  "a{x=\"2\"} 1\n"),
                         "not in one group"));
    EXPECT_TRUE(mentions(prometheus_text_problems("# TYPE a gauge\na{x=\"1\"} 1\na{x=\"1\"} 2\n"), "appears twice"));
    EXPECT_TRUE(mentions(prometheus_text_problems("# TYPE a_total counter\na_total -1\n"), "counter a_total"));
}

TEST(PrometheusText, RejectsHistogramsAScraperCannotUse) {
    const auto histogram = [](const std::string& samples) {
        return prometheus_text_problems("# TYPE h histogram\n" + samples);
    };
    const std::string good =
        "h_bucket{le=\"1\"} 1\nh_bucket{le=\"2\"} 3\nh_bucket{le=\"+Inf\"} 4\nh_sum 5.5\nh_count 4\n";
    EXPECT_EQ(joined(histogram(good)), "");

    EXPECT_TRUE(mentions(histogram("h_bucket{le=\"1\"} 3\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"+Inf\"} 4\n"
                                   "h_sum 5\nh_count 4\n"),
                         "not cumulative"));
    EXPECT_TRUE(mentions(histogram("h_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 4\n"
                                   "h_sum 5\nh_count 4\n"),
                         "do not increase"));
    EXPECT_TRUE(mentions(histogram("h_bucket{le=\"1\"} 1\nh_bucket{le=\"2\"} 3\nh_sum 5\nh_count 3\n"),
                         "do not end with le=\"+Inf\""));
    EXPECT_TRUE(mentions(histogram("h_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 4\nh_sum 5\nh_count 5\n"),
                         "differs from its +Inf bucket"));
    EXPECT_TRUE(mentions(histogram("h_bucket{le=\"+Inf\"} 4\nh_sum 5\n"), "without _count"));
    EXPECT_TRUE(mentions(histogram("h_bucket{le=\"+Inf\"} 4\nh_count 4\n"), "without _sum"));
    EXPECT_TRUE(mentions(histogram("h_bucket 4\nh_sum 5\nh_count 4\n"), "no le label"));
    EXPECT_TRUE(mentions(histogram("h 4\n"), "need a _bucket, _sum or _count suffix"));
    // Each label set is a series of its own, checked on its own.
    EXPECT_TRUE(mentions(histogram("h_bucket{k=\"a\",le=\"+Inf\"} 1\nh_sum{k=\"a\"} 1\nh_count{k=\"a\"} 1\n"
                                   "h_bucket{k=\"b\",le=\"+Inf\"} 2\nh_sum{k=\"b\"} 1\nh_count{k=\"b\"} 1\n"),
                         "differs from its +Inf bucket"));
}

}  // namespace
}  // namespace collab::observability::test
