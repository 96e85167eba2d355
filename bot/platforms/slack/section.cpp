#include "bot/platforms/slack/section.hpp"

#include "adapters/config/toml_checks.hpp"
#include "bot/platforms.hpp"
#include "bot/platforms/responses.hpp"

namespace collab::bot {
namespace {

using config::ConfigError;
using config::value_or;

// Slack's tokens say what they are by their prefix: a token in the wrong place is named at start-up.
void check_token_kind(const std::string& token, std::string_view prefix, std::string_view variable,
                      std::string_view what) {
    if (!token.starts_with(prefix))
        throw ConfigError(std::string(variable) + " must be " + std::string(what) + ", which starts with " +
                          std::string(prefix) + "; the value given does not");
}

}  // namespace

SlackConfig read_slack_section(const toml::table& table, std::string_view source,
                               const std::filesystem::path& base_dir) {
    config::reject_unknown_keys(
        table,
        {"mode", "api_url", "connections", "app_token_file", "bot_token_file", "signing_secret_file", "ca_file",
         "http_listen", "http_read_timeout_seconds", "http_write_timeout_seconds", "answer_budget_ms",
         "idle_timeout_seconds", "request_timeout_seconds", "user_cache_seconds", "responses"},
        "slack", source);
    const std::string mode = value_or<std::string>(table, "mode", "socket", "slack", source);
    if (mode != "socket" && mode != "http")
        throw ConfigError(std::string(source) + ": slack.mode is \"socket\" or \"http\", not \"" + mode + "\"");
    SlackConfig slack;
    slack.mode = mode == "socket" ? SlackMode::socket : SlackMode::http;
    for (auto [key, path] :
         {std::pair{"app_token_file", &slack.app_token_file}, std::pair{"bot_token_file", &slack.bot_token_file},
          std::pair{"signing_secret_file", &slack.signing_secret_file}})
        *path = resolve_path(value_or<std::string>(table, key, "", "slack", source), base_dir);
    auto seconds = [&](std::string_view key, int64_t fallback, int64_t min, int64_t max) {
        return std::chrono::seconds{config::integer_in_range(table, key, fallback, min, max, "slack", source)};
    };
    const std::string ca_file =
        resolve_path(value_or<std::string>(table, "ca_file", "", "slack", source), base_dir).string();
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
    read_responses(table, "slack", source, slack.desk.visibility);
    return slack;
}

void apply_slack_environment(SlackConfig& slack, const Environment& environment) {
    if (auto url = environment("SLACK_API_URL")) slack.web.api_url = *url;
}

std::vector<UrlSetting> slack_urls(const SlackConfig& slack) {
    return {{"SLACK_API_URL ([slack] api_url)", slack.web.api_url}};
}

SlackSecrets slack_secrets(const SlackConfig& slack, const Environment& environment) {
    SlackSecrets secrets;
    secrets.bot_token = required_secret(environment, "SLACK_BOT_TOKEN", slack.bot_token_file,
                                        "the Slack adapter needs the bot token (xoxb-…): set SLACK_BOT_TOKEN, or "
                                        "name a file holding it in slack.bot_token_file");
    check_token_kind(secrets.bot_token, "xoxb-", "SLACK_BOT_TOKEN", "the app's Bot User OAuth Token");
    if (slack.mode == SlackMode::socket) {
        secrets.app_token = required_secret(environment, "SLACK_APP_TOKEN", slack.app_token_file,
                                            "Slack's Socket Mode needs the app-level token (xapp-…, scope "
                                            "connections:write): set SLACK_APP_TOKEN, or name a file holding it in "
                                            "slack.app_token_file");
        check_token_kind(secrets.app_token, "xapp-", "SLACK_APP_TOKEN", "an app-level token");
    } else {
        secrets.signing_secret = required_secret(environment, "SLACK_SIGNING_SECRET", slack.signing_secret_file,
                                                 "Slack's HTTP mode needs the app's signing secret: set "
                                                 "SLACK_SIGNING_SECRET, or name a file holding it in "
                                                 "slack.signing_secret_file");
    }
    return secrets;
}

// Its registration, in the table bot/platforms.cmake generates.
extern const PlatformSection slack_section =
    section_of<SlackConfig, read_slack_section, apply_slack_environment, slack_urls>();

}  // namespace collab::bot
