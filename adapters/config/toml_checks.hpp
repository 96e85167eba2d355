#pragma once
// Reading TOML strictly: a misspelt key is an error that names it, never a silent default.

#include <toml++/toml.h>

#include <initializer_list>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace collab::config {

class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// `where` is the dotted path of the table ("" for the root), used in the message.
void reject_unknown_keys(const toml::table& table, std::span<const std::string_view> known, std::string_view where,
                         std::string_view source);
void reject_unknown_keys(const toml::table& table, std::initializer_list<std::string_view> known,
                         std::string_view where, std::string_view source);

// The value at `key`, or `fallback` when absent; a value of another type is an error.
template <typename T>
T value_or(const toml::table& table, std::string_view key, T fallback, std::string_view where,
           std::string_view source) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return fallback;
    if (auto value = node->value_exact<T>()) return *value;
    throw ConfigError(std::string(source) + ": " + (where.empty() ? "" : std::string(where) + ".") + std::string(key) +
                      " has the wrong type");
}

// An integer that must lie in [min, max]; the message names the key and the range.
int64_t integer_in_range(const toml::table& table, std::string_view key, int64_t fallback, int64_t min, int64_t max,
                         std::string_view where, std::string_view source);

const toml::table* subtable(const toml::table& table, std::string_view key, std::string_view where,
                            std::string_view source);

// Parses TOML text; syntax errors become ConfigError with the line and column.
toml::table parse_toml(std::string_view text, std::string_view source);

}  // namespace collab::config
