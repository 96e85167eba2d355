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

// Who sees a command's answer in Slack: "ephemeral" or "in_channel".
using ResponseVisibility = std::map<std::string, std::string>;  // command name -> visibility

struct SlackConfig {
    std::string mode = "socket";  // "socket" (Socket Mode) or "http" (Slack POSTs to http_listen)
    std::string api_url = "https://slack.com/api/";
    int connections = 1;  // Socket Mode sockets held by this instance, 1 to 10
    std::filesystem::path app_token_file;       // read when SLACK_APP_TOKEN is not set
    std::filesystem::path bot_token_file;       // read when SLACK_BOT_TOKEN is not set
    std::filesystem::path signing_secret_file;  // read when SLACK_SIGNING_SECRET is not set
    std::filesystem::path ca_file;              // empty: the system's trust store
    std::string http_listen = "127.0.0.1:3000";
    std::chrono::seconds http_read_timeout{10};   // HTTP mode: for a request to arrive whole
    std::chrono::seconds http_write_timeout{10};  // HTTP mode: for an answer to leave
    std::chrono::milliseconds answer_budget{2'000};
    std::chrono::seconds idle_timeout{30};
    std::chrono::seconds request_timeout{10};
    std::chrono::seconds user_cache{600};
    ResponseVisibility responses;  // overrides of the defaults, by command
};

// The credentials the Slack adapter needs, from the environment or the files named in [slack].
struct SlackSecrets {
    std::string app_token;       // Socket Mode only
    std::string bot_token;
    std::string signing_secret;  // HTTP mode only
};

// Where the audit trail and the state shared by instances live.
struct StoreConfig {
    std::string url;  // "": SQLite in the state directory; "sqlite:///path/file.sqlite"; "postgresql://…"
    int audit_retention_days = 365;
};

struct Config {
    std::string source;  // the file it came from, or "embedded default"
    std::string adapter = "shell";
    std::string provider = "sandbox";
    std::filesystem::path state_dir;  // empty: the user's state directory
    std::string log_level = "info";
    std::string log_format = "text";  // "text" or "json" (one object a line)
    std::string health_listen;        // "": no health/metrics listener; else HOST:PORT
    std::chrono::seconds confirmation_ttl{300};
    std::filesystem::path confirmation_key_file;  // empty: generated in the state directory
    Rules rules;
    std::size_t max_addresses_per_add = 10;         // [policy]: addresses one /collab add may invite
    std::map<std::string, std::string> identities;  // chat user id -> Scalingo e-mail
    std::string shell_user_id = "local";
    std::string shell_email;
    std::filesystem::path sandbox_seed;  // empty: the embedded seed
    int audit_rows = 20;
    ScalingoConfig scalingo;
    SlackConfig slack;
    StoreConfig store;
};

using Environment = std::function<std::optional<std::string>(std::string_view name)>;
Environment process_environment();

// What the environment says over the file, the way Scalingo's CLI reads it: SCALINGO_REGION,
// SCALINGO_API_URL, SCALINGO_AUTH_URL; SLACK_API_URL; COLLAB_STORE_URL (a PostgreSQL URL may hold a
// password, which belongs in the environment rather than in the file).
void apply_environment(Config& config, const Environment& environment);

// The regional API URL in force: api_url, or the region's.
std::string scalingo_api_url(const ScalingoConfig& scalingo);

// Parses every URL the configured provider and adapter will call, so that a bad one stops the start
// instead of failing each command later. Throws ConfigError naming the setting (never the URL, which
// may hold a secret).
void check_urls(const Config& config);

// SCALINGO_API_TOKEN, else the token file. Throws ConfigError saying where to put it.
std::string scalingo_api_token(const ScalingoConfig& scalingo, const Environment& environment);

// SLACK_APP_TOKEN, SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (the names of Slack's SDKs), else the
// files. Throws ConfigError naming what is missing for the configured mode.
SlackSecrets slack_secrets(const SlackConfig& slack, const Environment& environment);

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
