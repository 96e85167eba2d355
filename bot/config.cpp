#include "bot/config.hpp"

#include <cctype>
#include <cstdlib>
#include <fstream>
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

std::filesystem::path resolve(const std::string& path, const std::filesystem::path& base_dir) {
    if (path.empty()) return {};
    std::filesystem::path p(path);
    return p.is_absolute() || base_dir.empty() ? p : base_dir / p;
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
    service.rules.admins = string_set(policy.get("admins"), "policy.admins", source);
    if (const toml::table* channels = config::subtable(policy, "channels", "policy", source)) {
        for (const auto& [channel, databases] : *channels) {
            const std::string key = "policy.channels." + std::string(channel.str());
            auto names = string_set(&databases, key, source);
            for (const auto& name : names) {
                if (auto problem = database_name_problem(name))
                    throw ConfigError(std::string(source) + ": " + key + ": " + *problem);
            }
            service.rules.channel_databases[std::string(channel.str())] = std::move(names);
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
    scalingo.token_file = resolve(value_or<std::string>(table, "token_file", "", "scalingo", source), base_dir);
    auto seconds = [&](std::string_view key, int64_t fallback, int64_t min, int64_t max) {
        return std::chrono::seconds{config::integer_in_range(table, key, fallback, min, max, "scalingo", source)};
    };
    net::HttpClientOptions& http = scalingo.http;
    http.ca_file = resolve(value_or<std::string>(table, "ca_file", "", "scalingo", source), base_dir).string();
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

void read_slack(const toml::table& table, std::string_view source, const std::filesystem::path& base_dir,
                SlackConfig& slack) {
    config::reject_unknown_keys(
        table,
        {"mode", "api_url", "connections", "app_token_file", "bot_token_file", "signing_secret_file", "ca_file",
         "http_listen", "http_read_timeout_seconds", "http_write_timeout_seconds", "answer_budget_ms",
         "idle_timeout_seconds", "request_timeout_seconds", "user_cache_seconds", "responses"},
        "slack", source);
    const std::string mode = value_or<std::string>(table, "mode", "socket", "slack", source);
    if (mode != "socket" && mode != "http")
        throw ConfigError(std::string(source) + ": slack.mode is \"socket\" or \"http\", not \"" + mode + "\"");
    slack.mode = mode == "socket" ? SlackMode::socket : SlackMode::http;
    for (auto [key, path] :
         {std::pair{"app_token_file", &slack.app_token_file}, std::pair{"bot_token_file", &slack.bot_token_file},
          std::pair{"signing_secret_file", &slack.signing_secret_file}})
        *path = resolve(value_or<std::string>(table, key, "", "slack", source), base_dir);
    auto seconds = [&](std::string_view key, int64_t fallback, int64_t min, int64_t max) {
        return std::chrono::seconds{config::integer_in_range(table, key, fallback, min, max, "slack", source)};
    };
    const std::string ca_file =
        resolve(value_or<std::string>(table, "ca_file", "", "slack", source), base_dir).string();
    slack.http.ca_file = ca_file;
    slack.http.timeouts.request = seconds("request_timeout_seconds", 10, 1, 60);
    slack.web.api_url = value_or<std::string>(table, "api_url", "https://slack.com/api/", "slack", source);
    slack.socket.connections =
        static_cast<int>(config::integer_in_range(table, "connections", 1, 1, 10, "slack", source));
    slack.socket.websocket.ca_file = ca_file;
    slack.socket.websocket.timeouts.idle = seconds("idle_timeout_seconds", 30, 5, 300);
    slack.http_mode.server.listen = value_or<std::string>(table, "http_listen", "127.0.0.1:3000", "slack", source);
    slack.http_mode.server.read_timeout = seconds("http_read_timeout_seconds", 10, 1, 300);
    slack.http_mode.server.write_timeout = seconds("http_write_timeout_seconds", 10, 1, 300);
    slack.desk.answer_budget = std::chrono::milliseconds{
        config::integer_in_range(table, "answer_budget_ms", 2000, 100, 2500, "slack", source)};
    slack.directory.ttl = seconds("user_cache_seconds", 600, 0, 86400);
    if (const toml::table* responses = config::subtable(table, "responses", "slack", source)) {
        for (const auto& [command, visibility] : *responses) {
            const std::string key = "slack.responses." + std::string(command.str());
            const CommandSpec* spec = find_spec(command.str());
            if (spec == nullptr || spec->name != command.str())
                throw ConfigError(std::string(source) + ": " + key + ": no such command");
            auto value = visibility.value_exact<std::string>();
            if (!value || (*value != "ephemeral" && *value != "in_channel"))
                throw ConfigError(std::string(source) + ": " + key + " is \"ephemeral\" or \"in_channel\"");
            slack.desk.visibility.by_command[std::string(command.str())] =
                *value == "in_channel" ? chat::Visibility::in_channel : chat::Visibility::ephemeral;
        }
    }
}

// The store a URL names; `setting` names where it was given, for the error.
std::variant<SqliteFile, PostgresUrl> store_at(const std::string& url, std::string_view setting) {
    if (url.empty()) return SqliteFile{};
    if (url.starts_with("sqlite:///")) return SqliteFile{url.substr(std::string_view("sqlite://").size())};
    if (url.starts_with("postgresql://") || url.starts_with("postgres://")) return PostgresUrl{url};
    throw ConfigError(std::string(setting) +
                      ": store.url is \"sqlite:///path/to/file\" or \"postgresql://user@host:port/database\"");
}

// The first line of a file holding a secret.
std::string read_secret_file(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string secret;
    if (!in || !std::getline(in, secret) || secret.empty())
        throw ConfigError("cannot read a secret from " + file.string());
    while (!secret.empty() && (secret.back() == '\r' || secret.back() == ' ')) secret.pop_back();
    return secret;
}

// The variable, else the file, else nothing.
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

// Slack's tokens say what they are by their prefix: a token in the wrong place is named at start-up.
void check_token_kind(const std::string& token, std::string_view prefix, std::string_view variable,
                      std::string_view what) {
    if (!token.starts_with(prefix))
        throw ConfigError(std::string(variable) + " must be " + std::string(what) + ", which starts with " +
                          std::string(prefix) + "; the value given does not");
}

}  // namespace

std::optional<AdapterKind> adapter_named(std::string_view name) {
    if (name == "shell") return AdapterKind::shell;
    if (name == "slack") return AdapterKind::slack;
    return std::nullopt;
}

std::optional<ProviderKind> provider_named(std::string_view name) {
    if (name == "sandbox") return ProviderKind::sandbox;
    if (name == "scalingo") return ProviderKind::scalingo;
    return std::nullopt;
}

Config parse_config(std::string_view text, std::string_view source, const std::filesystem::path& base_dir) {
    const toml::table root = config::parse_toml(text, source);
    config::reject_unknown_keys(root,
                                {"adapter", "provider", "state_dir", "log_level", "confirmation", "policy", "scalingo",
                                 "identities", "shell", "sandbox", "audit", "slack", "log_format", "store",
                                 "health"},
                                "", source);
    Config config;
    config.source = std::string(source);
    const std::string adapter = value_or<std::string>(root, "adapter", "shell", "", source);
    const auto adapter_kind = adapter_named(adapter);
    if (!adapter_kind)
        throw ConfigError(std::string(source) + ": adapter \"" + adapter + "\" is not available (known: shell, slack)");
    config.adapter = *adapter_kind;
    const std::string provider = value_or<std::string>(root, "provider", "sandbox", "", source);
    const auto provider_kind = provider_named(provider);
    if (!provider_kind)
        throw ConfigError(std::string(source) + ": provider \"" + provider +
                          "\" is not available (known: sandbox, scalingo)");
    config.provider = *provider_kind;
    config.state_dir = resolve(value_or<std::string>(root, "state_dir", "", "", source), base_dir);
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
            resolve(value_or<std::string>(*confirmation, "key_file", "", "confirmation", source), base_dir);
    }
    if (const toml::table* policy = config::subtable(root, "policy", "", source))
        read_policy(*policy, source, config.service);
    if (const toml::table* identities = config::subtable(root, "identities", "", source)) {
        for (const auto& [user_id, email] : *identities) {
            auto value = email.value_exact<std::string>();
            if (!value || email_problem(*value))
                throw ConfigError(std::string(source) + ": identities." + std::string(user_id.str()) +
                                  " must be an e-mail address");
            config.identities[std::string(user_id.str())] = *value;
        }
    }
    if (const toml::table* shell = config::subtable(root, "shell", "", source)) {
        config::reject_unknown_keys(*shell, {"user_id", "email"}, "shell", source);
        config.shell_user_id = value_or<std::string>(*shell, "user_id", config.shell_user_id, "shell", source);
        config.shell_email = value_or<std::string>(*shell, "email", "", "shell", source);
        if (!config.shell_email.empty()) {
            if (auto problem = email_problem(config.shell_email))
                throw ConfigError(std::string(source) + ": shell.email: " + *problem);
        }
    }
    if (const toml::table* sandbox = config::subtable(root, "sandbox", "", source)) {
        config::reject_unknown_keys(*sandbox, {"seed"}, "sandbox", source);
        config.sandbox_seed = resolve(value_or<std::string>(*sandbox, "seed", "", "sandbox", source), base_dir);
    }
    if (const toml::table* audit = config::subtable(root, "audit", "", source)) {
        config::reject_unknown_keys(*audit, {"rows"}, "audit", source);
        const int64_t rows = config::integer_in_range(*audit, "rows", 20, 1, 200, "audit", source);
        config.service.audit_rows = static_cast<int>(rows);
    }
    // Read even when absent: their readers hold the defaults of the settings they fill.
    static const toml::table absent;
    const toml::table* scalingo = config::subtable(root, "scalingo", "", source);
    read_scalingo(scalingo ? *scalingo : absent, source, base_dir, config.scalingo);
    const toml::table* slack = config::subtable(root, "slack", "", source);
    read_slack(slack ? *slack : absent, source, base_dir, config.slack);
    return config;
}

Environment process_environment() {
    return [](std::string_view name) -> std::optional<std::string> {
        const char* value = std::getenv(std::string(name).c_str());
        if (value == nullptr || *value == '\0') return std::nullopt;
        return std::string(value);
    };
}

void apply_environment(Config& config, const Environment& environment) {
    if (auto region = environment("SCALINGO_REGION")) config.scalingo.region = *region;
    if (auto api = environment("SCALINGO_API_URL")) config.scalingo.api_url = *api;
    if (auto auth = environment("SCALINGO_AUTH_URL")) config.scalingo.api.auth_url = *auth;
    if (auto slack = environment("SLACK_API_URL")) config.slack.web.api_url = *slack;
    if (auto store = environment("COLLAB_STORE_URL")) config.store.location = store_at(*store, "COLLAB_STORE_URL");
}

SlackSecrets slack_secrets(const SlackConfig& slack, const Environment& environment) {
    SlackSecrets secrets;
    auto bot = secret(environment, "SLACK_BOT_TOKEN", slack.bot_token_file);
    if (!bot)
        throw ConfigError("the Slack adapter needs the bot token (xoxb-…): set SLACK_BOT_TOKEN, or name a file "
                          "holding it in slack.bot_token_file");
    secrets.bot_token = *bot;
    check_token_kind(secrets.bot_token, "xoxb-", "SLACK_BOT_TOKEN", "the app's Bot User OAuth Token");
    if (slack.mode == SlackMode::socket) {
        auto app = secret(environment, "SLACK_APP_TOKEN", slack.app_token_file);
        if (!app)
            throw ConfigError("Slack's Socket Mode needs the app-level token (xapp-…, scope connections:write): set "
                              "SLACK_APP_TOKEN, or name a file holding it in slack.app_token_file");
        secrets.app_token = *app;
        check_token_kind(secrets.app_token, "xapp-", "SLACK_APP_TOKEN", "an app-level token");
    } else {
        auto signing = secret(environment, "SLACK_SIGNING_SECRET", slack.signing_secret_file);
        if (!signing)
            throw ConfigError("Slack's HTTP mode needs the app's signing secret: set SLACK_SIGNING_SECRET, or name a "
                              "file holding it in slack.signing_secret_file");
        secrets.signing_secret = *signing;
    }
    return secrets;
}

std::string scalingo_api_url(const ScalingoConfig& scalingo) {
    return scalingo.api_url.empty() ? "https://api." + scalingo.region + ".scalingo.com" : scalingo.api_url;
}

void check_urls(const Config& config) {
    std::vector<std::pair<std::string_view, std::string>> in_force;
    if (config.provider == ProviderKind::scalingo) {
        in_force.emplace_back("SCALINGO_API_URL ([scalingo] api_url, or region)", scalingo_api_url(config.scalingo));
        in_force.emplace_back("SCALINGO_AUTH_URL ([scalingo] auth_url)", config.scalingo.api.auth_url);
    }
    if (config.adapter == AdapterKind::slack)
        in_force.emplace_back("SLACK_API_URL ([slack] api_url)", config.slack.web.api_url);
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
