#pragma once
// The bot's configuration: one TOML file (or the embedded default), strictly read.

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "adapters/chat/slack/http_mode.hpp"
#include "adapters/chat/desk.hpp"
#include "adapters/chat/slack/slack_directory.hpp"
#include "adapters/chat/slack/socket_mode.hpp"
#include "adapters/chat/slack/web_api.hpp"
#include "adapters/net/http_client.hpp"
#include "adapters/scalingo/scalingo_api.hpp"
#include "core/service.hpp"

namespace collab::bot {

// What the file names a chat adapter, an upstream and a Slack transport by.
enum class AdapterKind { shell, slack };
enum class ProviderKind { sandbox, scalingo };
enum class SlackMode {
    socket,  // Socket Mode: the bot connects out to Slack
    http,    // Slack POSTs commands and clicks to [slack] http_listen
};

// The choice a name stands for ("shell", "slack"; "sandbox", "scalingo"), or nothing.
std::optional<AdapterKind> adapter_named(std::string_view name);
std::optional<ProviderKind> provider_named(std::string_view name);

// [scalingo]: read into the settings of the HTTP client and of the API client. What only the start
// knows (the API token, the regional URL after the environment has spoken) is added then. Like
// [slack], read whether or not the file has the section: the reader holds the defaults.
struct ScalingoConfig {
    std::string region = "osc-fr1";
    std::string api_url;               // empty: the region's API
    std::filesystem::path token_file;  // read when SCALINGO_API_TOKEN is not set
    net::HttpClientOptions http;       // connect and request timeouts, ca_file (empty: the system's trust store)
    scalingo::ScalingoSettings api;    // auth_url, requests_per_minute, the caches
};

// [slack]: read into the settings of each part of the Slack adapter. The tokens and the identities
// are added at start.
struct SlackConfig {
    SlackMode mode = SlackMode::socket;
    std::filesystem::path app_token_file;       // read when SLACK_APP_TOKEN is not set
    std::filesystem::path bot_token_file;       // read when SLACK_BOT_TOKEN is not set
    std::filesystem::path signing_secret_file;  // read when SLACK_SIGNING_SECRET is not set
    net::HttpClientOptions http;                // Web API calls: request timeout, ca_file
    slack::WebApiSettings web;                  // api_url
    slack::SocketModeSettings socket;           // connections; the websocket's idle timeout and ca_file
    slack::HttpModeOptions http_mode;           // listen, read and write timeouts
    chat::DeskSettings desk;                    // answer_budget; who sees each command's answer
    slack::DirectorySettings directory;         // how long a profile e-mail is reused
};

// The credentials the Slack adapter needs, from the environment or the files named in [slack].
struct SlackSecrets {
    std::string app_token;       // Socket Mode only
    std::string bot_token;
    std::string signing_secret;  // HTTP mode only
};

// Where the audit trail and the state shared by instances live: a SQLite file, for one instance, or
// PostgreSQL, for several.
struct SqliteFile {
    std::filesystem::path file;  // empty: state.sqlite in the state directory
};
struct PostgresUrl {
    std::string url;  // postgresql://… or postgres://…; may hold a password: never logged
};
struct StoreConfig {
    std::variant<SqliteFile, PostgresUrl> location;
    int audit_retention_days = 365;  // PostgreSQL: older audit entries are deleted
};

struct Config {
    std::string source;  // the file it came from, or "embedded default"
    AdapterKind adapter = AdapterKind::shell;
    ProviderKind provider = ProviderKind::sandbox;
    std::filesystem::path state_dir;  // empty: the user's state directory
    std::string log_level = "info";
    std::string log_format = "text";  // "text" or "json" (one object a line)
    std::string health_listen;        // "": no health/metrics listener; else HOST:PORT
    std::filesystem::path confirmation_key_file;  // empty: generated in the state directory
    ServiceSettings service;                      // [policy], [confirmation] ttl_seconds, [audit]
    std::map<std::string, std::string> identities;  // chat user id -> Scalingo e-mail
    std::string shell_user_id = "local";
    std::string shell_email;
    std::filesystem::path sandbox_seed;  // empty: the embedded seed
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
