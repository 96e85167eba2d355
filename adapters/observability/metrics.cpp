#include "adapters/observability/metrics.hpp"

#include <prometheus/check_names.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <stdexcept>

namespace collab::observability {

namespace {

// prometheus-cpp 1.0 writes HELP texts as given: a backslash or a line feed would break the format.
std::string escape_help(std::string_view help) {
    std::string escaped;
    escaped.reserve(help.size());
    for (const char c : help) {
        switch (c) {
            case '\\': escaped += "\\\\"; break;
            case '\n': escaped += "\\n"; break;
            default: escaped += c;
        }
    }
    return escaped;
}

template <typename Handle, typename Series>
Handle& held(std::map<const Series*, std::unique_ptr<Handle>>& handles, Series& series) {
    std::unique_ptr<Handle>& handle = handles[&series];
    if (!handle) handle = std::make_unique<Handle>(series);
    return *handle;
}

}  // namespace

std::uint64_t Histogram::count() const {
    return series_.Collect().histogram.sample_count;
}

double Histogram::sum() const {
    return series_.Collect().histogram.sample_sum;
}

Registry::Registry() : registry_(std::make_unique<prometheus::Registry>()) {}
Registry::~Registry() = default;

prometheus::Labels Registry::admit(std::string_view name, std::string_view help, Kind kind,
                                   std::span<const double> bounds, const Labels& labels) {
    const std::string quoted = "\"" + std::string(name) + "\"";
    if (!prometheus::CheckMetricName(std::string(name))) throw std::invalid_argument("invalid metric name " + quoted);
    prometheus::Labels series;
    for (const auto& [label, value] : labels) {
        if (!prometheus::CheckLabelName(label))
            throw std::invalid_argument("invalid label name \"" + label + "\" for " + quoted);
        if (kind == Kind::histogram && label == "le")
            throw std::invalid_argument("the label \"le\" is reserved for the buckets of histogram " + quoted);
        if (!series.emplace(label, value).second)
            throw std::invalid_argument("label \"" + label + "\" given twice for " + quoted);
    }
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        if (!std::isfinite(bounds[i]))
            throw std::invalid_argument("histogram bounds must be finite (the +Inf bucket is implicit)");
        if (i > 0 && !(bounds[i - 1] < bounds[i]))
            throw std::invalid_argument("histogram bounds must be strictly increasing");
    }

    const auto [family, created] =
        families_.try_emplace(std::string(name), Family{kind, std::string(help), {bounds.begin(), bounds.end()}});
    if (created) return series;
    if (family->second.kind != kind) throw std::invalid_argument(quoted + " is already registered with another type");
    if (family->second.help != help)
        throw std::invalid_argument(quoted + " is already registered with another help text");
    if (!std::equal(family->second.bounds.begin(), family->second.bounds.end(), bounds.begin(), bounds.end()))
        throw std::invalid_argument(quoted + " is already registered with other bucket bounds");
    return series;
}

bool Registry::has_callback(std::string_view name, const prometheus::Labels& labels) const {
    std::lock_guard lock(callbacks_mutex_);
    return callbacks_.contains({std::string(name), labels});
}

Counter& Registry::counter(std::string_view name, std::string_view help, const Labels& labels) {
    std::lock_guard lock(mutex_);
    const prometheus::Labels series = admit(name, help, Kind::counter, {}, labels);
    auto& family = prometheus::BuildCounter().Name(std::string(name)).Help(std::string(help)).Register(*registry_);
    return held(counters_, family.Add(series));
}

Gauge& Registry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
    std::lock_guard lock(mutex_);
    const prometheus::Labels series = admit(name, help, Kind::gauge, {}, labels);
    if (has_callback(name, series))
        throw std::invalid_argument("\"" + std::string(name) + "\" has a callback gauge with these labels already");
    auto& family = prometheus::BuildGauge().Name(std::string(name)).Help(std::string(help)).Register(*registry_);
    return held(gauges_, family.Add(series));
}

Histogram& Registry::histogram(std::string_view name, std::string_view help, std::span<const double> bounds,
                               const Labels& labels) {
    std::lock_guard lock(mutex_);
    const prometheus::Labels series = admit(name, help, Kind::histogram, bounds, labels);
    auto& family = prometheus::BuildHistogram().Name(std::string(name)).Help(std::string(help)).Register(*registry_);
    return held(histograms_, family.Add(series, prometheus::Histogram::BucketBoundaries(bounds.begin(), bounds.end())));
}

void Registry::gauge_callback(std::string_view name, std::string_view help, const Labels& labels,
                              std::function<double()> read) {
    std::lock_guard lock(mutex_);
    const prometheus::Labels series = admit(name, help, Kind::gauge, {}, labels);
    // The family of the settable gauges of this name (created empty if need be, and then not rendered).
    auto& family = prometheus::BuildGauge().Name(std::string(name)).Help(std::string(help)).Register(*registry_);
    if (family.Has(series))
        throw std::invalid_argument("\"" + std::string(name) + "\" has a settable gauge with these labels already");
    std::lock_guard callbacks(callbacks_mutex_);
    callbacks_[{std::string(name), series}] = Callback{std::string(help), std::move(read)};
}

void Registry::remove_callback(std::string_view name, const Labels& labels) {
    prometheus::Labels series(labels.begin(), labels.end());
    std::lock_guard lock(callbacks_mutex_);
    callbacks_.erase({std::string(name), series});
}

std::string Registry::render() const {
    std::vector<prometheus::MetricFamily> families = registry_->Collect();
    {
        std::lock_guard lock(callbacks_mutex_);
        for (const auto& [key, callback] : callbacks_) {
            const auto& [name, labels] = key;
            prometheus::ClientMetric sample;
            try {
                sample.gauge.value = callback.read();
            } catch (...) {
                continue;  // no sample rather than a made-up one
            }
            for (const auto& [label, value] : labels) sample.label.push_back({label, value});
            auto family = std::find_if(families.begin(), families.end(), [&](const auto& f) { return f.name == name; });
            if (family == families.end())
                family = families.insert(families.end(), {name, callback.help, prometheus::MetricType::Gauge, {}});
            family->metric.push_back(std::move(sample));
        }
    }
    // A family whose only series are callbacks that were removed (or threw) says nothing at all.
    std::erase_if(families, [](const prometheus::MetricFamily& family) { return family.metric.empty(); });
    for (auto& family : families) {
        family.help = escape_help(family.help);
        std::sort(family.metric.begin(), family.metric.end(),
                  [](const auto& a, const auto& b) { return a.label < b.label; });
    }
    std::sort(families.begin(), families.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return prometheus::TextSerializer().Serialize(families);
}

}  // namespace collab::observability
