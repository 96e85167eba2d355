#include "bot/config_sources.hpp"

#include <cctype>
#include <cstdlib>
#include <fstream>

#include "adapters/config/toml_checks.hpp"

namespace collab::bot {

using config::ConfigError;

Environment process_environment() {
    return [](std::string_view name) -> std::optional<std::string> {
        const char* value = std::getenv(std::string(name).c_str());
        if (value == nullptr || *value == '\0') return std::nullopt;
        return std::string(value);
    };
}

std::filesystem::path resolve_path(const std::string& path, const std::filesystem::path& base_dir) {
    if (path.empty()) return {};
    std::filesystem::path p(path);
    return p.is_absolute() || base_dir.empty() ? p : base_dir / p;
}

std::string read_secret_file(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string secret;
    if (!in || !std::getline(in, secret) || secret.empty())
        throw ConfigError("cannot read a secret from " + file.string());
    while (!secret.empty() && (secret.back() == '\r' || secret.back() == ' ')) secret.pop_back();
    return secret;
}

std::optional<std::string> secret(const Environment& environment, std::string_view variable,
                                  const std::filesystem::path& file) {
    if (auto value = environment(variable)) {
        // A value pasted with its line break would make an HTTP header no server accepts.
        while (!value->empty() && std::isspace(static_cast<unsigned char>(value->back()))) value->pop_back();
        while (!value->empty() && std::isspace(static_cast<unsigned char>(value->front()))) value->erase(0, 1);
        if (!value->empty()) return value;
    }
    if (!file.empty()) return read_secret_file(file);
    return std::nullopt;
}

std::string required_secret(const Environment& environment, std::string_view variable,
                            const std::filesystem::path& file, std::string_view missing) {
    auto value = secret(environment, variable, file);
    if (!value) throw ConfigError(std::string(missing));
    return std::move(*value);
}

}  // namespace collab::bot
