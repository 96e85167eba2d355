#include "adapters/config/toml_checks.hpp"

#include <algorithm>
#include <sstream>

namespace collab::config {

void reject_unknown_keys(const toml::table& table, std::span<const std::string_view> known, std::string_view where,
                         std::string_view source) {
    for (const auto& [key, value] : table) {
        if (std::find(known.begin(), known.end(), key.str()) == known.end())
            throw ConfigError(std::string(source) + ": unknown key \"" +
                              (where.empty() ? "" : std::string(where) + ".") + std::string(key.str()) + "\"");
    }
}

void reject_unknown_keys(const toml::table& table, std::initializer_list<std::string_view> known,
                         std::string_view where, std::string_view source) {
    reject_unknown_keys(table, std::span(known.begin(), known.size()), where, source);
}

int64_t integer_in_range(const toml::table& table, std::string_view key, int64_t fallback, int64_t min, int64_t max,
                         std::string_view where, std::string_view source) {
    const int64_t value = value_or<int64_t>(table, key, fallback, where, source);
    if (value < min || value > max)
        throw ConfigError(std::string(source) + ": " + (where.empty() ? "" : std::string(where) + ".") +
                          std::string(key) + " must be between " + std::to_string(min) + " and " + std::to_string(max));
    return value;
}

const toml::table* subtable(const toml::table& table, std::string_view key, std::string_view where,
                            std::string_view source) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return nullptr;
    if (const toml::table* sub = node->as_table()) return sub;
    throw ConfigError(std::string(source) + ": " + (where.empty() ? "" : std::string(where) + ".") + std::string(key) +
                      " must be a table");
}

toml::table parse_toml(std::string_view text, std::string_view source) {
    try {
        return toml::parse(text, source);
    } catch (const toml::parse_error& error) {
        std::ostringstream message;
        message << source << ":" << error.source().begin.line << ":" << error.source().begin.column << ": "
                << error.description();
        throw ConfigError(message.str());
    }
}

}  // namespace collab::config
