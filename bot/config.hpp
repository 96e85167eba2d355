#pragma once
// The bot's configuration: one TOML file (or the embedded default), strictly read.

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "core/policy.hpp"

namespace collab::bot {

struct ScalingoConfig {
    std::string region = "osc-fr1";
    std::string api_url;  // empty: the region's API
    std::string auth_url = "https://auth.scalingo.com";
    std::filesystem::path token_file;  // read when SCALINGO_API_TOKEN is not set
    std::filesystem::path ca_file;     // empty: the system's trust store
    int requests_per_minute = 60;
    std::chrono::seconds connect_timeout{5};
    std::chrono::seconds request_timeout{15};
    std::chrono::seconds database_cache{300};
    std::chrono::seconds collaborators_cache{10};
};

struct Config {
    std::string source;  // the file it came from, or "embedded default"
    std::string adapter = "shell";
    std::string provider = "sandbox";
    std::filesystem::path state_dir;  // empty: the user's state directory
    std::string log_level = "info";
    std::chrono::seconds confirmation_ttl{300};
    std::filesystem::path confirmation_key_file;  // empty: generated in the state directory
    Rules rules;
    std::map<std::string, std::string> identities;  // chat user id -> Scalingo e-mail
    std::string shell_user_id = "local";
    std::string shell_email;
    std::filesystem::path sandbox_seed;  // empty: the embedded seed
    int audit_rows = 20;
    ScalingoConfig scalingo;
};

using Environment = std::function<std::optional<std::string>(std::string_view name)>;
Environment process_environment();

// What the environment says over the file, the way Scalingo's CLI reads it: SCALINGO_REGION,
// SCALINGO_API_URL, SCALINGO_AUTH_URL.
void apply_environment(Config& config, const Environment& environment);

// The regional API URL in force: api_url, or the region's.
std::string scalingo_api_url(const ScalingoConfig& scalingo);

// SCALINGO_API_TOKEN, else the token file. Throws ConfigError saying where to put it.
std::string scalingo_api_token(const ScalingoConfig& scalingo, const Environment& environment);

// Throws config::ConfigError naming the file and the key at fault. Relative paths in the file are
// resolved against `base_dir`.
Config parse_config(std::string_view toml_text, std::string_view source, const std::filesystem::path& base_dir);
Config load_config_file(const std::filesystem::path& file);
Config embedded_config();

std::string_view embedded_config_text();
std::string_view embedded_sandbox_seed();

// $XDG_STATE_HOME/collab-bot, or ~/.local/state/collab-bot.
std::filesystem::path default_state_dir();

}  // namespace collab::bot
