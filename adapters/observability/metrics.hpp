#pragma once
// The bot's metrics: counters, gauges and histograms with label sets, kept by prometheus-cpp's core
// (registry, families, text serializer) and rendered in the Prometheus text exposition format 0.0.4
// for a scrape of /metrics. This facade adds what the bot relies on besides: handles that stay the
// same for the same series, gauges read from a callback at scrape time, checks that refuse a name's
// second type, help text or bucket bounds, and a sorted, valid exposition.
//
// Hot path: a series is looked up once (that allocates and takes the registry's lock) and the handle
// it returns is then updated without lock (a histogram takes its own short one) or allocation. Code
// that picks a series at run time (a command's kind and outcome) resolves every combination it can
// report up front, e.g. into an array of Counter* indexed by kind and outcome.
//
// Thread model: everything here may be called from any thread. Handles stay valid for the registry's
// lifetime (series are never removed). Gauges computed by a callback are read during render(), on
// the thread that renders (the health server's executor): such callbacks must be cheap, must not
// block, must be safe to call from that thread, and must not register or remove callbacks themselves.
//
// Rendering: families sorted by name, each with one HELP and one TYPE line, then its series sorted by
// label values; a histogram's series as _count, _sum, then its buckets. Metric and label names are
// checked at registration (std::invalid_argument names what is wrong): a programming error, found at
// start-up.

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/labels.h>

#include <array>
#include <chrono>
#include <cmath>
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

namespace prometheus {
class Registry;
}

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
    explicit Counter(prometheus::Counter& series) noexcept : series_(series) {}
    void inc(std::uint64_t by = 1) noexcept { series_.Increment(static_cast<double>(by)); }
    std::uint64_t value() const noexcept { return static_cast<std::uint64_t>(series_.Value()); }

private:
    prometheus::Counter& series_;
};

// A value that goes up and down: open sockets, requests left in the budget.
class Gauge {
public:
    explicit Gauge(prometheus::Gauge& series) noexcept : series_(series) {}
    void set(double value) noexcept { series_.Set(value); }
    void inc(double by = 1) noexcept { series_.Increment(by); }
    void dec(double by = 1) noexcept { series_.Decrement(by); }
    double value() const noexcept { return series_.Value(); }

private:
    prometheus::Gauge& series_;
};

// Observations counted into fixed buckets (each counts the values <= its upper bound, plus one for
// all values), with their sum: latencies.
class Histogram {
public:
    explicit Histogram(prometheus::Histogram& series) noexcept : series_(series) {}

    // NaN is ignored: it would make the sum NaN for good.
    void observe(double value) noexcept {
        if (!std::isnan(value)) series_.Observe(value);
    }
    template <typename Rep, typename Period>
    void observe(std::chrono::duration<Rep, Period> elapsed) noexcept {
        observe(std::chrono::duration<double>(elapsed).count());
    }

    // Read as a scrape reads them (which allocates): for tests.
    std::uint64_t count() const;
    double sum() const;

private:
    prometheus::Histogram& series_;
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
    enum class Kind { counter, gauge, histogram };
    // What a name was first registered as; later registrations must agree.
    struct Family {
        Kind kind;
        std::string help;
        std::vector<double> bounds;  // a histogram's
    };
    struct Callback {
        std::string help;
        std::function<double()> read;
    };
    // The labels of a series of `name`, once the name, the labels and what the family was registered
    // as are checked; records the family on first use.
    prometheus::Labels admit(std::string_view name, std::string_view help, Kind kind, std::span<const double> bounds,
                             const Labels& labels);
    bool has_callback(std::string_view name, const prometheus::Labels& labels) const;

    std::unique_ptr<prometheus::Registry> registry_;
    mutable std::mutex mutex_;  // guards families_ and the handles
    std::map<std::string, Family, std::less<>> families_;
    std::map<const prometheus::Counter*, std::unique_ptr<Counter>> counters_;
    std::map<const prometheus::Gauge*, std::unique_ptr<Gauge>> gauges_;
    std::map<const prometheus::Histogram*, std::unique_ptr<Histogram>> histograms_;
    // Held while a callback runs and while one is set or removed, so that removal waits for a running one.
    mutable std::mutex callbacks_mutex_;
    std::map<std::pair<std::string, prometheus::Labels>, Callback> callbacks_;
};

}  // namespace collab::observability
