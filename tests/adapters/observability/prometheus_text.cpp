#include "prometheus_text.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <utility>

namespace collab::observability::test {
namespace {

const std::regex metric_name_pattern("[a-zA-Z_:][a-zA-Z0-9_:]*");
const std::regex label_name_pattern("[a-zA-Z_][a-zA-Z0-9_]*");
const std::regex timestamp_pattern("-?[0-9]+");
const std::set<std::string, std::less<>> known_types{"counter", "gauge", "histogram", "summary", "untyped"};

using LabelSet = std::vector<std::pair<std::string, std::string>>;  // sorted by name once parsed

struct Sample {
    std::string name;
    LabelSet labels;
    double value = 0;
};

// A float as Prometheus reads one (Go's ParseFloat): decimals, exponents, +Inf/-Inf/NaN.
std::optional<double> parse_float(const std::string& text) {
    if (text.empty()) return std::nullopt;
    errno = 0;
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size()) return std::nullopt;
    // strtod also accepts "infinity" and "nan(…)": fine, Go accepts the former and the renderer never
    // writes the latter. Out of range is what Go rejects.
    if (errno == ERANGE && std::isinf(value)) return std::nullopt;
    return value;
}

class Checker {
public:
    std::vector<std::string> run(std::string_view body) {
        if (!body.empty() && body.back() != '\n') problem(0, "the body does not end with a line feed");
        std::size_t start = 0;
        int number = 0;
        while (start < body.size()) {
            const std::size_t end = std::min(body.find('\n', start), body.size());
            ++number;
            line(number, body.substr(start, end - start));
            start = end + 1;
        }
        check_histograms();
        return std::move(problems_);
    }

private:
    struct Family {
        std::string type;
        bool help = false;
        bool has_samples = false;
        bool closed = false;  // another family's samples came after its own
    };

    // What one histogram series (the label set without le) showed, in the order of the lines.
    struct HistogramSeries {
        int first_line = 0;
        std::vector<std::pair<double, double>> buckets;  // (le, count)
        std::optional<double> sum;
        std::optional<double> count;
    };

    void problem(int number, const std::string& what) {
        problems_.push_back(number == 0 ? what : "line " + std::to_string(number) + ": " + what);
    }

    void line(int number, std::string_view text) {
        if (text.empty()) return;
        if (text.front() == '#') return comment(number, text);
        sample_line(number, text);
    }

    // "# HELP name text", "# TYPE name type", or any other comment (ignored).
    void comment(int number, std::string_view text) {
        if (!text.starts_with("# HELP ") && !text.starts_with("# TYPE ")) return;
        const bool help = text[2] == 'H';
        std::string_view rest = text.substr(7);
        const std::size_t space = rest.find(' ');
        const std::string name(rest.substr(0, space));
        const std::string_view argument = space == std::string_view::npos ? "" : rest.substr(space + 1);
        if (!std::regex_match(name, metric_name_pattern))
            return problem(number, "invalid metric name \"" + name + "\"");
        Family& family = families_[name];
        if (family.has_samples)
            problem(number, std::string(help ? "HELP" : "TYPE") + " of " + name + " after its samples");
        if (help) {
            if (family.help) problem(number, "a second HELP line for " + name);
            family.help = true;
            for (std::size_t i = 0; i < argument.size(); ++i) {
                if (argument[i] != '\\') continue;
                if (i + 1 == argument.size() || (argument[i + 1] != '\\' && argument[i + 1] != 'n'))
                    return problem(number, "invalid escape sequence in the HELP of " + name);
                ++i;
            }
            return;
        }
        if (!family.type.empty()) problem(number, "a second TYPE line for " + name);
        if (!known_types.contains(argument)) return problem(number, "unknown type \"" + std::string(argument) + "\"");
        family.type = std::string(argument);
    }

    // name[{label="value",…}] value [timestamp]
    void sample_line(int number, std::string_view text) {
        Sample sample;
        std::size_t at = 0;
        while (at < text.size() && text[at] != '{' && text[at] != ' ' && text[at] != '\t') ++at;
        sample.name = std::string(text.substr(0, at));
        if (!std::regex_match(sample.name, metric_name_pattern))
            return problem(number, "invalid metric name \"" + sample.name + "\"");
        if (at < text.size() && text[at] == '{') {
            const std::optional<std::size_t> after = labels(number, text, at + 1, sample.labels);
            if (!after) return;
            at = *after;
        }
        if (at >= text.size() || (text[at] != ' ' && text[at] != '\t'))
            return problem(number, "no value after " + sample.name);
        // The value, then an optional timestamp, separated by blanks.
        std::vector<std::string> fields;
        std::size_t field_start = std::string_view::npos;
        for (std::size_t i = at; i <= text.size(); ++i) {
            const bool blank = i == text.size() || text[i] == ' ' || text[i] == '\t';
            if (!blank && field_start == std::string_view::npos) field_start = i;
            if (blank && field_start != std::string_view::npos) {
                fields.emplace_back(text.substr(field_start, i - field_start));
                field_start = std::string_view::npos;
            }
        }
        if (fields.empty() || fields.size() > 2)
            return problem(number, "expected a value and an optional timestamp after " + sample.name);
        const std::optional<double> value = parse_float(fields[0]);
        if (!value) return problem(number, "invalid value \"" + fields[0] + "\" for " + sample.name);
        if (fields.size() == 2 && !std::regex_match(fields[1], timestamp_pattern))
            return problem(number, "invalid timestamp \"" + fields[1] + "\"");
        sample.value = *value;
        std::sort(sample.labels.begin(), sample.labels.end());
        for (std::size_t i = 1; i < sample.labels.size(); ++i)
            if (sample.labels[i - 1].first == sample.labels[i].first)
                return problem(number, "label \"" + sample.labels[i].first + "\" given twice");
        belongs(number, sample);
    }

    // Parses label="value" pairs from just after the "{"; the position after the "}".
    std::optional<std::size_t> labels(int number, std::string_view text, std::size_t at, LabelSet& out) {
        const auto skip_blanks = [&] {
            while (at < text.size() && (text[at] == ' ' || text[at] == '\t')) ++at;
        };
        for (;;) {
            skip_blanks();
            if (at < text.size() && text[at] == '}') return at + 1;
            std::size_t name_end = at;
            while (name_end < text.size() && text[name_end] != '=' && text[name_end] != ' ' && text[name_end] != '}' &&
                   text[name_end] != ',')
                ++name_end;
            const std::string name(text.substr(at, name_end - at));
            if (!std::regex_match(name, label_name_pattern)) {
                problem(number, "invalid label name \"" + name + "\"");
                return std::nullopt;
            }
            at = name_end;
            skip_blanks();
            if (at >= text.size() || text[at] != '=') {
                problem(number, "no \"=\" after the label " + name);
                return std::nullopt;
            }
            ++at;
            skip_blanks();
            if (at >= text.size() || text[at] != '"') {
                problem(number, "the value of the label " + name + " is not quoted");
                return std::nullopt;
            }
            ++at;
            std::string value;
            for (;;) {
                if (at >= text.size()) {
                    problem(number, "unterminated value of the label " + name);
                    return std::nullopt;
                }
                const char c = text[at++];
                if (c == '"') break;
                if (c != '\\') {
                    value += c;
                    continue;
                }
                const char escaped = at < text.size() ? text[at++] : '\0';
                if (escaped == '\\' || escaped == '"')
                    value += escaped;
                else if (escaped == 'n')
                    value += '\n';
                else {
                    problem(number, "invalid escape sequence in the value of the label " + name);
                    return std::nullopt;
                }
            }
            out.emplace_back(name, std::move(value));
            skip_blanks();
            if (at < text.size() && text[at] == ',') {
                ++at;
                continue;  // a trailing comma before "}" is allowed
            }
            if (at < text.size() && text[at] == '}') return at + 1;
            problem(number, "expected \",\" or \"}\" after the label " + name);
            return std::nullopt;
        }
    }

    // The family a sample belongs to (declared by TYPE before it), and what that family requires.
    void belongs(int number, Sample& sample) {
        std::string family_name;
        std::string suffix;
        const auto declared = [&](const std::string& name) {
            const auto it = families_.find(name);
            return it != families_.end() && !it->second.type.empty() ? &it->second : nullptr;
        };
        const Family* direct = declared(sample.name);
        // A summary's quantiles are samples under the family's own name, like a counter's or a gauge's.
        if (direct != nullptr && direct->type != "histogram") {
            family_name = sample.name;
        } else {
            for (const std::string candidate : {"_bucket", "_sum", "_count"}) {
                if (!family_name.empty()) break;
                if (!sample.name.ends_with(candidate)) continue;
                const std::string stem = sample.name.substr(0, sample.name.size() - candidate.size());
                const Family* family = declared(stem);
                if (family == nullptr) continue;
                if (family->type == "histogram" || (family->type == "summary" && candidate != "_bucket")) {
                    family_name = stem;
                    suffix = candidate;
                }
            }
            if (family_name.empty() && direct != nullptr)
                return problem(number, sample.name + " is a " + direct->type +
                                           ": its samples need a _bucket, _sum or _count suffix");
        }
        if (family_name.empty()) {
            families_[sample.name].has_samples = true;  // a TYPE line coming later is a problem too
            return problem(number, "no TYPE line declares the family of " + sample.name);
        }

        Family& family = families_[family_name];
        if (family.closed) problem(number, "the lines of " + family_name + " are not in one group");
        if (!current_.empty() && current_ != family_name) families_[current_].closed = true;
        current_ = family_name;
        family.has_samples = true;

        std::string key = sample.name + "{";
        for (const auto& [name, value] : sample.labels) key += name + "=\"" + value + "\",";
        if (!series_.insert(key).second) problem(number, "the series " + key + "} appears twice");

        if (family.type == "counter" && !(sample.value >= 0))
            problem(number, "counter " + sample.name + " has the value " + std::to_string(sample.value));
        if (family.type == "histogram") histogram_sample(number, family_name, suffix, sample);
    }

    void histogram_sample(int number, const std::string& family_name, const std::string& suffix, Sample& sample) {
        std::optional<double> le;
        LabelSet others;
        for (auto& label : sample.labels) {
            if (label.first != "le") {
                others.push_back(label);
                continue;
            }
            le = parse_float(label.second);
            if (!le) return problem(number, "invalid le=\"" + label.second + "\" in " + sample.name);
        }
        if (suffix == "_bucket" && !le) return problem(number, sample.name + " has no le label");
        if (suffix != "_bucket" && le) return problem(number, sample.name + " has an le label");
        if (!(sample.value >= 0)) return problem(number, sample.name + " is negative or NaN");
        HistogramSeries& series = histograms_[{family_name, others}];
        if (series.first_line == 0) series.first_line = number;
        if (suffix == "_bucket") {
            if (!series.buckets.empty()) {
                const auto [previous_le, previous_count] = series.buckets.back();
                if (!(*le > previous_le)) problem(number, "the le bounds of " + family_name + " do not increase");
                if (sample.value < previous_count)
                    problem(number, "the buckets of " + family_name + " are not cumulative");
            }
            series.buckets.emplace_back(*le, sample.value);
        } else if (suffix == "_sum") {
            series.sum = sample.value;
        } else {
            series.count = sample.value;
        }
    }

    void check_histograms() {
        for (const auto& [key, series] : histograms_) {
            const std::string& name = key.first;
            const int number = series.first_line;
            if (series.buckets.empty()) {
                problem(number, "histogram " + name + " has a series without buckets");
                continue;
            }
            const auto [last_le, last_count] = series.buckets.back();
            if (!std::isinf(last_le) || last_le < 0)
                problem(number, "the buckets of histogram " + name + " do not end with le=\"+Inf\"");
            if (!series.sum) problem(number, "histogram " + name + " has a series without _sum");
            if (!series.count)
                problem(number, "histogram " + name + " has a series without _count");
            else if (*series.count != last_count)
                problem(number, "the _count of histogram " + name + " differs from its +Inf bucket");
        }
    }

    std::vector<std::string> problems_;
    std::map<std::string, Family, std::less<>> families_;
    std::string current_;  // the family of the last sample
    std::set<std::string> series_;
    std::map<std::pair<std::string, LabelSet>, HistogramSeries> histograms_;
};

}  // namespace

std::vector<std::string> prometheus_text_problems(std::string_view body) {
    return Checker().run(body);
}

}  // namespace collab::observability::test
