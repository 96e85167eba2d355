#pragma once
// The bot's configuration: one TOML file (or the embedded default), strictly read.

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "core/policy.hpp"

namespace collab::bot {

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
};

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
