#pragma once
// The bot's metrics: counters, gauges and histograms with label sets, rendered in the Prometheus text
// exposition format 0.0.4 for a scrape of /metrics.
//
// Hot path: a series is looked up once (that allocates and takes the registry's lock) and the handle
// it returns is then updated with one atomic operation, without lock or allocation. Code that picks a
// series at run time (a command's kind and outcome) resolves every combination it can report up
// front, e.g. into an array of Counter* indexed by kind and outcome.
//
// Thread model: everything here may be called from any thread. Handles stay valid for the registry's
// lifetime (series are never removed). Gauges computed by a callback are read during render(), on
// the thread that renders (the health server's executor): such callbacks must be cheap, must not
// block, must be safe to call from that thread, and must not register or remove callbacks themselves.
//
// Rendering: families sorted by name, each with one HELP and one TYPE line, then its series sorted by
// label values; label names sorted within a series. Metric and label names are checked at
// registration (std::invalid_argument names what is wrong): a programming error, found at start-up.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace collab::observability {

// Label name and value pairs, e.g. {{"kind", "list"}, {"outcome", "answered"}}; the order does not
// matter (the same set in another order is the same series).
using Labels = std::vector<std::pair<std::string, std::string>>;

// Upper bounds, in seconds, for the time from an envelope's arrival to its acknowledgement: Slack
// wants an ack within 3 s, and a healthy one takes well under a millisecond.
inline constexpr std::array<double, 13> ack_latency_buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                            0.1,    0.25,  0.5,    1,     2,    3};

// Only ever goes up: commands handled, requests sent, reconnections.
class Counter {
public:
    void inc(std::uint64_t by = 1) noexcept { value_.fetch_add(by, std::memory_order_relaxed); }
    std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

// A value that goes up and down: open sockets, requests left in the budget.
class Gauge {
public:
    void set(double value) noexcept { value_.store(value, std::memory_order_relaxed); }
    void inc(double by = 1) noexcept { value_.fetch_add(by, std::memory_order_relaxed); }
    void dec(double by = 1) noexcept { value_.fetch_sub(by, std::memory_order_relaxed); }
    double value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0};
};

// Observations counted into fixed buckets (each counts the values <= its upper bound, plus one for
// all values), with their sum: latencies.
class Histogram {
public:
    // Bounds finite and strictly increasing (the +Inf bucket is implicit); std::invalid_argument otherwise.
    explicit Histogram(std::span<const double> bounds);

    // NaN is ignored: it would make the sum NaN for good.
    void observe(double value) noexcept;
    template <typename Rep, typename Period>
    void observe(std::chrono::duration<Rep, Period> elapsed) noexcept {
        observe(std::chrono::duration<double>(elapsed).count());
    }

    std::span<const double> bounds() const noexcept { return bounds_; }
    // Observations <= each bound, then the total (the +Inf bucket); read one bucket at a time, so a
    // snapshot under concurrent updates may be mid-way, but it is always cumulative.
    std::vector<std::uint64_t> cumulative_counts() const;
    std::uint64_t count() const noexcept;
    double sum() const noexcept { return sum_.load(std::memory_order_relaxed); }

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // per bucket (not cumulative), +Inf last
    std::atomic<double> sum_{0};
};

class Registry {
public:
    Registry();
    ~Registry();
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    // The series of this family with these labels, created on first use (at 0); the same reference on
    // every later call. A name registered with another type or help text, a histogram with other bounds,
    // an invalid name, a duplicate label name or the label "le" on a histogram throw std::invalid_argument.
    Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
    Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
    Histogram& histogram(std::string_view name, std::string_view help, std::span<const double> bounds,
                         const Labels& labels = {});

    // A gauge whose value is read at render time ("budget left", "open sockets"), replacing the series'
    // previous callback if any. Throws as above, and when the series is a settable gauge.
    void gauge_callback(std::string_view name, std::string_view help, const Labels& labels,
                        std::function<double()> read);
    // After it returns, the callback is no longer called (a render running it is waited for) and the
    // series is left out of the rendering until a callback is set again. Unknown series: no effect.
    void remove_callback(std::string_view name, const Labels& labels);

    // The whole registry in the text format 0.0.4. A callback that throws leaves its series out.
    std::string render() const;

private:
    enum class Kind { counter, gauge, gauge_callback, histogram };
    struct Series;
    struct Family;
    // Finds or creates the series (and its family), checking names and that the kinds agree.
    Series& series(std::string_view name, std::string_view help, Kind kind, std::span<const double> bounds,
                   const Labels& labels);

    mutable std::mutex mutex_;  // guards families_ (not the series' values, which are atomic)
    std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
    // Held while a callback runs and while one is set or removed, so that removal waits for a running one.
    mutable std::mutex callbacks_mutex_;
};

// The value as the text format writes it: shortest round-trip form, "+Inf", "-Inf", "NaN".
std::string format_value(double value);
// A label value with backslash, double quote and line feed escaped.
std::string escape_label_value(std::string_view value);
// A HELP text with backslash and line feed escaped.
std::string escape_help(std::string_view help);

}  // namespace collab::observability
