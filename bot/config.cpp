#include "bot/config.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <utility>
#include <vector>

#include "adapters/config/toml_checks.hpp"
#include "adapters/net/url.hpp"
#include "core/command.hpp"

namespace collab::bot {
namespace {

using config::ConfigError;
using config::value_or;

std::set<std::string> string_set(const toml::node* node, std::string_view key, std::string_view source) {
    std::set<std::string> values;
    if (node == nullptr) return values;
    const toml::array* array = node->as_array();
    if (array == nullptr)
        throw ConfigError(std::string(source) + ": " + std::string(key) + " must be an array of strings");
    for (const auto& item : *array) {
        auto value = item.value_exact<std::string>();
        if (!value) throw ConfigError(std::string(source) + ": " + std::string(key) + " must be an array of strings");
        values.insert(*value);
    }
    return values;
}

// A key of [identities], or an admin or a channel of [policy], in the qualified form the lookups use
// (qualified_id): "<platform>:<id>", or a bare id, which is Slack's as in the files written before
// the other platforms came. `setting` names it for the error.
std::string qualified_key(std::string_view key, std::string_view setting, std::string_view source) {
    constexpr std::string_view platform_of_bare_ids = "slack";
    const auto colon = key.find(':');
    if (colon == std::string_view::npos) return qualified_id(platform_of_bare_ids, key);
    const std::string_view platform = key.substr(0, colon);
    if (platform_named(platform) == nullptr)
        throw ConfigError(std::string(source) + ": " + std::string(setting) + ": \"" + std::string(platform) +
                          "\" is not a chat platform (known: " + platform_names(", ") + "; a bare id is a Slack id)");
    if (colon + 1 == key.size())
        throw ConfigError(std::string(source) + ": " + std::string(setting) + " names no id after \"" +
                          std::string(platform) + ":\"");
    return std::string(key);
}

void read_policy(const toml::table& policy, std::string_view source, ServiceSettings& service) {
    config::reject_unknown_keys(policy, {"default", "admins", "channels", "allow_apps", "max_addresses_per_add"},
                                "policy", source);
    service.rules.allow_apps = value_or<bool>(policy, "allow_apps", false, "policy", source);
    service.max_addresses_per_add = static_cast<std::size_t>(
        config::integer_in_range(policy, "max_addresses_per_add", 10, 1, 100, "policy", source));
    const std::string fallback = value_or<std::string>(policy, "default", "allow", "policy", source);
    if (fallback != "allow" && fallback != "deny")
        throw ConfigError(std::string(source) + ": policy.default is \"allow\" or \"deny\", not \"" + fallback + "\"");
    service.rules.default_policy =
        fallback == "allow" ? DefaultChannelPolicy::allow_all : DefaultChannelPolicy::deny_all;
    for (const auto& admin : string_set(policy.get("admins"), "policy.admins", source))
        service.rules.admins.insert(qualified_key(admin, "policy.admins \"" + admin + "\"", source));
    if (const toml::table* channels = config::subtable(policy, "channels", "policy", source)) {
        for (const auto& [channel, databases] : *channels) {
            const std::string key = "policy.channels." + std::string(channel.str());
            auto names = string_set(&databases, key, source);
            for (const auto& name : names) {
                if (auto problem = database_name_problem(name))
                    throw ConfigError(std::string(source) + ": " + key + ": " + *problem);
            }
            service.rules.channel_databases[qualified_key(channel.str(), key, source)] = std::move(names);
        }
    }
}

void read_scalingo(const toml::table& table, std::string_view source, const std::filesystem::path& base_dir,
                   ScalingoConfig& scalingo) {
    config::reject_unknown_keys(
        table,
        {"region", "api_url", "auth_url", "token_file", "ca_file", "requests_per_minute", "connect_timeout_seconds",
         "request_timeout_seconds", "database_cache_seconds", "collaborators_cache_seconds"},
        "scalingo", source);
    scalingo.region = value_or<std::string>(table, "region", "osc-fr1", "scalingo", source);
    scalingo.api_url = value_or<std::string>(table, "api_url", "", "scalingo", source);
    scalingo.token_file = resolve_path(value_or<std::string>(table, "token_file", "", "scalingo", source), base_dir);
    auto seconds = [&](std::string_view key, int64_t fallback, int64_t min, int64_t max) {
        return std::chrono::seconds{config::integer_in_range(table, key, fallback, min, max, "scalingo", source)};
    };
    net::HttpClientOptions& http = scalingo.http;
    http.ca_file = resolve_path(value_or<std::string>(table, "ca_file", "", "scalingo", source), base_dir).string();
    http.timeouts.connect = seconds("connect_timeout_seconds", 5, 1, 60);
    http.timeouts.handshake = http.timeouts.connect;
    http.timeouts.request = seconds("request_timeout_seconds", 15, 1, 120);
    scalingo::ScalingoSettings& api = scalingo.api;
    api.auth_url = value_or<std::string>(table, "auth_url", "https://auth.scalingo.com", "scalingo", source);
    api.requests_per_minute =
        static_cast<int>(config::integer_in_range(table, "requests_per_minute", 60, 1, 60, "scalingo", source));
    api.database_ttl = seconds("database_cache_seconds", 300, 0, 3600);
    api.collaborators_ttl = seconds("collaborators_cache_seconds", 10, 0, 300);
}

// The store a URL names; `setting` names where it was given, for the error.
std::variant<SqliteFile, PostgresUrl> store_at(const std::string& url, std::string_view setting) {
    if (url.empty()) return SqliteFile{};
    if (url.starts_with("sqlite:///")) return SqliteFile{url.substr(std::string_view("sqlite://").size())};
    if (url.starts_with("postgresql://") || url.starts_with("postgres://")) return PostgresUrl{url};
    throw ConfigError(std::string(setting) +
                      ": store.url is \"sqlite:///path/to/file\" or \"postgresql://user@host:port/database\"");
}

}  // namespace

std::optional<ProviderKind> provider_named(std::string_view name) {
    if (name == "sandbox") return ProviderKind::sandbox;
    if (name == "scalingo") return ProviderKind::scalingo;
    return std::nullopt;
}

Config parse_config(std::string_view text, std::string_view source, const std::filesystem::path& base_dir) {
    const toml::table root = config::parse_toml(text, source);
    std::vector<std::string_view> sections{"adapter",    "provider", "state_dir",  "log_level", "confirmation",
                                           "policy",     "scalingo", "identities", "sandbox",   "audit",
                                           "log_format", "store",    "health",     "requests",  "watch"};
    for (const Platform& platform : platforms()) sections.push_back(platform.name);
    config::reject_unknown_keys(root, sections, "", source);
    Config config;
    config.source = std::string(source);
    const std::string adapter =
        value_or<std::string>(root, "adapter", std::string(default_platform()->name), "", source);
    config.adapter = platform_named(adapter);
    if (config.adapter == nullptr)
        throw ConfigError(std::string(source) + ": adapter \"" + adapter +
                          "\" is not available (known: " + platform_names(", ") + ")");
    const std::string provider = value_or<std::string>(root, "provider", "sandbox", "", source);
    const auto provider_kind = provider_named(provider);
    if (!provider_kind)
        throw ConfigError(std::string(source) + ": provider \"" + provider +
                          "\" is not available (known: sandbox, scalingo)");
    config.provider = *provider_kind;
    config.state_dir = resolve_path(value_or<std::string>(root, "state_dir", "", "", source), base_dir);
    config.log_level = value_or<std::string>(root, "log_level", config.log_level, "", source);
    static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error", "off"};
    if (!levels.contains(config.log_level))
        throw ConfigError(std::string(source) + ": log_level \"" + config.log_level +
                          "\" is not one of trace, debug, info, warn, error, off");
    config.log_format = value_or<std::string>(root, "log_format", config.log_format, "", source);
    if (config.log_format != "text" && config.log_format != "json")
        throw ConfigError(std::string(source) + ": log_format is \"text\" or \"json\", not \"" + config.log_format +
                          "\"");
    if (const toml::table* store = config::subtable(root, "store", "", source)) {
        config::reject_unknown_keys(*store, {"url", "audit_retention_days"}, "store", source);
        const std::string url = value_or<std::string>(*store, "url", "", "store", source);
        config.store.audit_retention_days =
            static_cast<int>(config::integer_in_range(*store, "audit_retention_days", 365, 1, 36500, "store", source));
        config.store.location = store_at(url, source);
    }
    if (const toml::table* health = config::subtable(root, "health", "", source)) {
        config::reject_unknown_keys(*health, {"listen"}, "health", source);
        config.health_listen = value_or<std::string>(*health, "listen", "", "health", source);
    }

    if (const toml::table* confirmation = config::subtable(root, "confirmation", "", source)) {
        config::reject_unknown_keys(*confirmation, {"ttl_seconds", "key_file"}, "confirmation", source);
        const int64_t ttl =
            config::integer_in_range(*confirmation, "ttl_seconds", 300, 10, 86400, "confirmation", source);
        config.service.confirmation_ttl = std::chrono::seconds{ttl};
        config.confirmation_key_file =
            resolve_path(value_or<std::string>(*confirmation, "key_file", "", "confirmation", source), base_dir);
    }
    if (const toml::table* requests = config::subtable(root, "requests", "", source)) {
        config::reject_unknown_keys(*requests, {"ttl_seconds"}, "requests", source);
        const int64_t ttl = config::integer_in_range(*requests, "ttl_seconds", 900, 60, 86400, "requests", source);
        config.service.request_ttl = std::chrono::seconds{ttl};
    }
    if (const toml::table* policy = config::subtable(root, "policy", "", source))
        read_policy(*policy, source, config.service);
    if (const toml::table* identities = config::subtable(root, "identities", "", source)) {
        for (const auto& [user_id, email] : *identities) {
            const std::string key = "identities." + std::string(user_id.str());
            auto value = email.value_exact<std::string>();
            if (!value || email_problem(*value))
                throw ConfigError(std::string(source) + ": " + key + " must be an e-mail address");
            config.identities[qualified_key(user_id.str(), key, source)] = *value;
        }
    }
    if (const toml::table* sandbox = config::subtable(root, "sandbox", "", source)) {
        config::reject_unknown_keys(*sandbox, {"seed"}, "sandbox", source);
        config.sandbox_seed = resolve_path(value_or<std::string>(*sandbox, "seed", "", "sandbox", source), base_dir);
    }
    if (const toml::table* audit = config::subtable(root, "audit", "", source)) {
        config::reject_unknown_keys(*audit, {"rows", "record_reads"}, "audit", source);
        const int64_t rows = config::integer_in_range(*audit, "rows", 20, 1, 200, "audit", source);
        config.service.audit_rows = static_cast<int>(rows);
        config.service.record_reads = value_or<bool>(*audit, "record_reads", false, "audit", source);
    }
    if (const toml::table* watch = config::subtable(root, "watch", "", source)) {
        config::reject_unknown_keys(*watch, {"enabled", "interval_seconds", "keep_settled_days"}, "watch", source);
        config.watch.enabled = value_or<bool>(*watch, "enabled", true, "watch", source);
        config.watch.interval =
            std::chrono::seconds{config::integer_in_range(*watch, "interval_seconds", 60, 1, 86400, "watch", source)};
        config.watch.keep_settled_days =
            static_cast<int>(config::integer_in_range(*watch, "keep_settled_days", 30, 1, 36500, "watch", source));
    }
    // Read even when absent: their readers hold the defaults of the settings they fill.
    static const toml::table absent;
    const toml::table* scalingo = config::subtable(root, "scalingo", "", source);
    read_scalingo(scalingo ? *scalingo : absent, source, base_dir, config.scalingo);
    for (const Platform& platform : platforms()) {
        const toml::table* section = config::subtable(root, platform.name, "", source);
        config.platform_settings[std::string(platform.name)] =
            platform.section->read(section ? *section : absent, source, base_dir);
    }
    return config;
}

void apply_environment(Config& config, const Environment& environment) {
    if (auto region = environment("SCALINGO_REGION")) config.scalingo.region = *region;
    if (auto api = environment("SCALINGO_API_URL")) config.scalingo.api_url = *api;
    if (auto auth = environment("SCALINGO_AUTH_URL")) config.scalingo.api.auth_url = *auth;
    for (const Platform& platform : platforms()) {
        if (platform.section->apply_environment)
            platform.section->apply_environment(config.platform_settings.at(std::string(platform.name)), environment);
    }
    if (auto store = environment("COLLAB_STORE_URL")) config.store.location = store_at(*store, "COLLAB_STORE_URL");
}

std::string scalingo_api_url(const ScalingoConfig& scalingo) {
    return scalingo.api_url.empty() ? "https://api." + scalingo.region + ".scalingo.com" : scalingo.api_url;
}

void check_urls(const Config& config) {
    std::vector<UrlSetting> in_force;
    if (config.provider == ProviderKind::scalingo) {
        in_force.emplace_back("SCALINGO_API_URL ([scalingo] api_url, or region)", scalingo_api_url(config.scalingo));
        in_force.emplace_back("SCALINGO_AUTH_URL ([scalingo] auth_url)", config.scalingo.api.auth_url);
    }
    if (const PlatformSection& section = *config.adapter->section; section.urls)
        std::ranges::move(section.urls(config.platform_settings.at(std::string(config.adapter->name))),
                          std::back_inserter(in_force));
    for (const auto& [setting, url] : in_force) {
        if (auto parsed = net::parse_http_url(url); !parsed)
            throw ConfigError(std::string(setting) + " is " + parsed.error().message);
    }
}

std::string scalingo_api_token(const ScalingoConfig& scalingo, const Environment& environment) {
    if (auto token = environment("SCALINGO_API_TOKEN")) return *token;
    if (scalingo.token_file.empty())
        throw ConfigError(
            "the scalingo provider needs an API token: set SCALINGO_API_TOKEN, or name a file holding it "
            "in scalingo.token_file");
    return read_secret_file(scalingo.token_file);
}

Config load_config_file(const std::filesystem::path& file) {
    // A directory opens like an empty file, and would quietly run on the defaults.
    std::error_code error;
    if (std::filesystem::is_directory(file, error))
        throw ConfigError("the configuration file " + file.string() + " is a directory; give the file in it");
    std::ifstream in(file);
    if (!in) throw ConfigError("cannot read the configuration file " + file.string());
    std::stringstream text;
    text << in.rdbuf();
    if (in.bad()) throw ConfigError("cannot read the configuration file " + file.string());
    return parse_config(text.str(), file.string(), file.parent_path());
}

Config embedded_config() {
    return parse_config(embedded_config_text(), "embedded default configuration", {});
}

std::filesystem::path default_state_dir() {
    if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg != nullptr && *xdg == '/')
        return std::filesystem::path(xdg) / "collab-bot";
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
        return std::filesystem::path(home) / ".local" / "state" / "collab-bot";
    return std::filesystem::current_path() / ".collab-bot";
}

}  // namespace collab::bot
