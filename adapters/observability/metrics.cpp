#include "adapters/observability/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace collab::observability {

namespace {

bool is_metric_name(std::string_view name) {
    if (name.empty()) return false;
    const auto first = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'; };
    const auto rest = [&](char c) { return first(c) || (c >= '0' && c <= '9'); };
    return first(name.front()) && std::all_of(name.begin() + 1, name.end(), rest);
}

bool is_label_name(std::string_view name) {
    // Metric names without the colon; names starting with "__" are reserved for Prometheus' own use.
    return name.find(':') == std::string_view::npos && is_metric_name(name) && !name.starts_with("__");
}

std::vector<double> checked_bounds(std::span<const double> bounds) {
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        if (!std::isfinite(bounds[i]))
            throw std::invalid_argument("histogram bounds must be finite (the +Inf bucket is implicit)");
        if (i > 0 && !(bounds[i - 1] < bounds[i]))
            throw std::invalid_argument("histogram bounds must be strictly increasing");
    }
    return {bounds.begin(), bounds.end()};
}

// The label set in the order it is keyed and rendered: by name.
Labels sorted(const Labels& labels) {
    Labels result = labels;
    std::sort(result.begin(), result.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return result;
}

// name="value" pairs joined by commas, without the braces.
std::string label_text(const Labels& labels) {
    std::string text;
    for (const auto& [name, value] : labels) {
        if (!text.empty()) text += ',';
        text += name;
        text += "=\"";
        text += escape_label_value(value);
        text += '"';
    }
    return text;
}

// One sample line: name{labels,extra} value
void append_sample(std::string& out, std::string_view name, std::string_view suffix, std::string_view labels,
                   std::string_view extra_label, std::string_view value) {
    out += name;
    out += suffix;
    if (!labels.empty() || !extra_label.empty()) {
        out += '{';
        out += labels;
        if (!labels.empty() && !extra_label.empty()) out += ',';
        out += extra_label;
        out += '}';
    }
    out += ' ';
    out += value;
    out += '\n';
}

}  // namespace

std::string format_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    // As Prometheus' own clients write floats (Go's %g with the shortest round-trip digits): plain
    // below 1e6 and from 1e-4 on, scientific otherwise. It matters for le labels, which are compared
    // as strings: le="0.0005" here must be le="0.0005" from any other exporter too.
    std::array<char, 40> text{};
    const auto scientific =
        std::to_chars(text.data(), text.data() + text.size(), value, std::chars_format::scientific).ptr;
    const std::string_view shortest(text.data(), static_cast<std::size_t>(scientific - text.data()));
    const std::size_t e = shortest.find('e');
    int exponent = 0;
    std::from_chars(shortest.data() + e + (shortest[e + 1] == '+' ? 2 : 1), shortest.data() + shortest.size(),
                    exponent);
    if (exponent < -4 || exponent >= 6) return std::string(shortest);
    const auto fixed = std::to_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed).ptr;
    return std::string(text.data(), fixed);
}

std::string escape_label_value(std::string_view value) {
    std::string escaped;
    escaped.reserve(value.size());
    for (const char c : value) {
        switch (c) {
            case '\\': escaped += "\\\\"; break;
            case '"': escaped += "\\\""; break;
            case '\n': escaped += "\\n"; break;
            default: escaped += c;
        }
    }
    return escaped;
}

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

// --- Histogram -------------------------------------------------------------------------------------

Histogram::Histogram(std::span<const double> bounds)
    : bounds_(checked_bounds(bounds)), counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds.size() + 1)) {}

void Histogram::observe(double value) noexcept {
    if (std::isnan(value)) return;
    // The first bucket whose upper bound is >= value; past the last bound, the +Inf bucket.
    const auto bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
    counts_[static_cast<std::size_t>(bucket)].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(value, std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::cumulative_counts() const {
    std::vector<std::uint64_t> cumulative(bounds_.size() + 1);
    std::uint64_t running = 0;
    for (std::size_t i = 0; i < cumulative.size(); ++i) {
        running += counts_[i].load(std::memory_order_relaxed);
        cumulative[i] = running;
    }
    return cumulative;
}

std::uint64_t Histogram::count() const noexcept {
    std::uint64_t total = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) total += counts_[i].load(std::memory_order_relaxed);
    return total;
}

// --- Registry --------------------------------------------------------------------------------------

struct Registry::Series {
    std::string labels;  // rendered pairs without braces, e.g. kind="list",outcome="answered"
    Kind kind;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> read;  // a gauge_callback's; guarded by callbacks_mutex_
};

struct Registry::Family {
    std::string name;
    std::string help;
    Kind kind;  // gauge and gauge_callback series share the kind gauge here
    std::vector<double> bounds;
    std::vector<std::string> le;                       // each bucket's le="…" label, +Inf last
    std::map<Labels, std::unique_ptr<Series>> series;  // keyed by the labels sorted by name
};

Registry::Registry() = default;
Registry::~Registry() = default;

Registry::Series& Registry::series(std::string_view name, std::string_view help, Kind kind,
                                   std::span<const double> bounds, const Labels& labels) {
    const std::string quoted = "\"" + std::string(name) + "\"";
    if (!is_metric_name(name)) throw std::invalid_argument("invalid metric name " + quoted);
    Labels key = sorted(labels);
    for (std::size_t i = 0; i < key.size(); ++i) {
        if (!is_label_name(key[i].first))
            throw std::invalid_argument("invalid label name \"" + key[i].first + "\" for " + quoted);
        if (i > 0 && key[i - 1].first == key[i].first)
            throw std::invalid_argument("label \"" + key[i].first + "\" given twice for " + quoted);
        if (kind == Kind::histogram && key[i].first == "le")
            throw std::invalid_argument("the label \"le\" is reserved for the buckets of histogram " + quoted);
    }
    if (kind == Kind::histogram) checked_bounds(bounds);
    const Kind family_kind = kind == Kind::gauge_callback ? Kind::gauge : kind;

    std::lock_guard lock(mutex_);
    auto family_it = families_.find(name);
    if (family_it == families_.end()) {
        auto family = std::make_unique<Family>();
        family->name = std::string(name);
        family->help = std::string(help);
        family->kind = family_kind;
        if (kind == Kind::histogram) {
            family->bounds.assign(bounds.begin(), bounds.end());
            for (const double bound : bounds) family->le.push_back("le=\"" + format_value(bound) + "\"");
            family->le.emplace_back("le=\"+Inf\"");
        }
        family_it = families_.emplace(std::string(name), std::move(family)).first;
    }
    Family& family = *family_it->second;
    if (family.kind != family_kind) throw std::invalid_argument(quoted + " is already registered with another type");
    if (family.help != help) throw std::invalid_argument(quoted + " is already registered with another help text");
    if (kind == Kind::histogram &&
        !std::equal(family.bounds.begin(), family.bounds.end(), bounds.begin(), bounds.end()))
        throw std::invalid_argument(quoted + " is already registered with other bucket bounds");

    auto series_it = family.series.find(key);
    if (series_it == family.series.end()) {
        auto created = std::make_unique<Series>();
        created->labels = label_text(key);
        created->kind = kind;
        if (kind == Kind::counter) created->counter = std::make_unique<Counter>();
        if (kind == Kind::gauge) created->gauge = std::make_unique<Gauge>();
        if (kind == Kind::histogram) created->histogram = std::make_unique<Histogram>(bounds);
        series_it = family.series.emplace(std::move(key), std::move(created)).first;
    }
    Series& found = *series_it->second;
    if (found.kind != kind)
        throw std::invalid_argument(quoted + (kind == Kind::gauge_callback
                                                  ? " has a settable gauge with these labels already"
                                                  : " has a callback gauge with these labels already"));
    return found;
}

Counter& Registry::counter(std::string_view name, std::string_view help, const Labels& labels) {
    return *series(name, help, Kind::counter, {}, labels).counter;
}

Gauge& Registry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
    return *series(name, help, Kind::gauge, {}, labels).gauge;
}

Histogram& Registry::histogram(std::string_view name, std::string_view help, std::span<const double> bounds,
                               const Labels& labels) {
    return *series(name, help, Kind::histogram, bounds, labels).histogram;
}

void Registry::gauge_callback(std::string_view name, std::string_view help, const Labels& labels,
                              std::function<double()> read) {
    Series& found = series(name, help, Kind::gauge_callback, {}, labels);
    std::lock_guard lock(callbacks_mutex_);
    found.read = std::move(read);
}

void Registry::remove_callback(std::string_view name, const Labels& labels) {
    Series* found = nullptr;
    {
        std::lock_guard lock(mutex_);
        const auto family = families_.find(name);
        if (family == families_.end()) return;
        const auto it = family->second->series.find(sorted(labels));
        if (it == family->second->series.end() || it->second->kind != Kind::gauge_callback) return;
        found = it->second.get();
    }
    std::lock_guard lock(callbacks_mutex_);
    found->read = nullptr;
}

std::string Registry::render() const {
    // Series are never removed and a family's name, help and bounds never change: a snapshot of the
    // pointers is enough, and callbacks run without the registry's lock.
    struct Snapshot {
        const Family* family;
        std::vector<const Series*> series;
    };
    std::vector<Snapshot> snapshot;
    {
        std::lock_guard lock(mutex_);
        snapshot.reserve(families_.size());
        for (const auto& [name, family] : families_) {
            Snapshot& entry = snapshot.emplace_back(Snapshot{family.get(), {}});
            entry.series.reserve(family->series.size());
            for (const auto& [labels, series] : family->series) entry.series.push_back(series.get());
        }
    }

    std::string out;
    std::string samples;
    for (const auto& [family, series_list] : snapshot) {
        samples.clear();
        const std::string_view name = family->name;
        for (const Series* series : series_list) {
            switch (series->kind) {
                case Kind::counter:
                    append_sample(samples, name, "", series->labels, "", std::to_string(series->counter->value()));
                    break;
                case Kind::gauge:
                    append_sample(samples, name, "", series->labels, "", format_value(series->gauge->value()));
                    break;
                case Kind::gauge_callback: {
                    std::lock_guard lock(callbacks_mutex_);
                    if (!series->read) break;
                    double value = 0;
                    try {
                        value = series->read();
                    } catch (...) {
                        break;  // no sample rather than a made-up one
                    }
                    append_sample(samples, name, "", series->labels, "", format_value(value));
                    break;
                }
                case Kind::histogram: {
                    const Histogram& histogram = *series->histogram;
                    // _count is the +Inf bucket of the same snapshot, so the two always agree.
                    const std::vector<std::uint64_t> counts = histogram.cumulative_counts();
                    for (std::size_t i = 0; i < counts.size(); ++i)
                        append_sample(samples, name, "_bucket", series->labels, family->le[i],
                                      std::to_string(counts[i]));
                    append_sample(samples, name, "_sum", series->labels, "", format_value(histogram.sum()));
                    append_sample(samples, name, "_count", series->labels, "", std::to_string(counts.back()));
                    break;
                }
            }
        }
        // A family whose only series are callbacks that were removed (or threw) says nothing at all.
        if (samples.empty()) continue;
        if (!family->help.empty()) {
            out += "# HELP ";
            out += name;
            out += ' ';
            out += escape_help(family->help);
            out += '\n';
        }
        out += "# TYPE ";
        out += name;
        out += family->kind == Kind::counter ? " counter\n" : family->kind == Kind::gauge ? " gauge\n" : " histogram\n";
        out += samples;
    }
    return out;
}

}  // namespace collab::observability
