#pragma once
// The bot's configuration: one TOML file (or the embedded default), strictly read.

#include <any>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "adapters/net/http_client.hpp"
#include "adapters/scalingo/scalingo_api.hpp"
#include "bot/config_sources.hpp"
#include "bot/platforms.hpp"
#include "core/service.hpp"

namespace collab::bot {

// What the file names an upstream by.
enum class ProviderKind { sandbox, scalingo };

// The choice a name stands for ("sandbox", "scalingo"), or nothing.
std::optional<ProviderKind> provider_named(std::string_view name);

// [scalingo]: read into the settings of the HTTP client and of the API client. What only the start
// knows (the API token, the regional URL after the environment has spoken) is added then. Like the
// platforms' sections, read whether or not the file has the section: the reader holds the defaults.
struct ScalingoConfig {
    std::string region = "osc-fr1";
    std::string api_url;               // empty: the region's API
    std::filesystem::path token_file;  // read when SCALINGO_API_TOKEN is not set
    net::HttpClientOptions http;       // connect and request timeouts, ca_file (empty: the system's trust store)
    scalingo::ScalingoSettings api;    // auth_url, requests_per_minute, the caches
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

// [watch]: the watch that tells a channel when an invitation made there is accepted.
struct WatchConfig {
    bool enabled = true;
    std::chrono::seconds interval{60};  // between rounds; stretched to keep within a quarter of Scalingo's allowance
    int keep_settled_days = 30;         // settled invitations are forgotten this long after
};

struct Config {
    std::string source;                            // the file it came from, or "embedded default"
    const Platform* adapter = default_platform();  // the chat platform it runs on
    ProviderKind provider = ProviderKind::sandbox;
    std::filesystem::path state_dir;  // empty: the user's state directory
    std::string log_level = "info";
    std::string log_format = "text";                // "text" or "json" (one object a line)
    std::string health_listen;                      // "": no health/metrics listener; else HOST:PORT
    std::filesystem::path confirmation_key_file;    // empty: generated in the state directory
    ServiceSettings service;                        // [policy], [confirmation] ttl_seconds, [audit]
    std::map<std::string, std::string> identities;  // chat user id -> Scalingo e-mail
    std::filesystem::path sandbox_seed;             // empty: the embedded seed
    ScalingoConfig scalingo;
    StoreConfig store;
    WatchConfig watch;
    // Each platform's section (platforms.hpp), read whichever platform runs: by the platform's name,
    // the settings its reader returned. The platform's own code reads them with settings<T>(name).
    std::map<std::string, std::any, std::less<>> platform_settings;

    // The settings of `platform`, of the type its reader returns. Throws std::out_of_range for a name
    // not registered, std::bad_any_cast for another type: mistakes of the code, not of the file.
    template <class Settings>
    const Settings& settings(std::string_view platform) const {
        return std::any_cast<const Settings&>(platform_settings.at(std::string(platform)));
    }
    template <class Settings>
    Settings& settings(std::string_view platform) {
        return std::any_cast<Settings&>(platform_settings.at(std::string(platform)));
    }
};

// What the environment says over the file, the way Scalingo's CLI reads it: SCALINGO_REGION,
// SCALINGO_API_URL, SCALINGO_AUTH_URL; each platform's own (platforms.hpp); COLLAB_STORE_URL (a
// PostgreSQL URL may hold a password, which belongs in the environment rather than in the file).
void apply_environment(Config& config, const Environment& environment);

// The regional API URL in force: api_url, or the region's.
std::string scalingo_api_url(const ScalingoConfig& scalingo);

// Parses every URL the configured provider and adapter will call, so that a bad one stops the start
// instead of failing each command later. Throws ConfigError naming the setting (never the URL, which
// may hold a secret).
void check_urls(const Config& config);

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
