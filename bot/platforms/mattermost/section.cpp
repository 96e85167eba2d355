#include "bot/platforms/mattermost/section.hpp"

#include "adapters/config/toml_checks.hpp"
#include "bot/platforms.hpp"
#include "bot/platforms/responses.hpp"

namespace collab::bot {

using config::ConfigError;
using config::value_or;

MattermostConfig read_mattermost_section(const toml::table& table, std::string_view source,
                                         const std::filesystem::path& base_dir) {
    config::reject_unknown_keys(
        table,
        {"url", "listen", "public_url", "command_token_file", "bot_token_file", "ca_file", "http_read_timeout_seconds",
         "http_write_timeout_seconds", "answer_budget_ms", "request_timeout_seconds", "websocket", "responses"},
        "mattermost", source);
    MattermostConfig mattermost;
    mattermost.command_token_file =
        resolve_path(value_or<std::string>(table, "command_token_file", "", "mattermost", source), base_dir);
    mattermost.bot_token_file =
        resolve_path(value_or<std::string>(table, "bot_token_file", "", "mattermost", source), base_dir);
    auto seconds = [&](std::string_view key, int64_t fallback, int64_t min, int64_t max) {
        return std::chrono::seconds{config::integer_in_range(table, key, fallback, min, max, "mattermost", source)};
    };
    mattermost.http.ca_file =
        resolve_path(value_or<std::string>(table, "ca_file", "", "mattermost", source), base_dir).string();
    mattermost.http.timeouts.request = seconds("request_timeout_seconds", 10, 1, 60);
    mattermost.rest.server_url = value_or<std::string>(table, "url", "", "mattermost", source);
    net::HttpServerOptions& server = mattermost.commands.server;
    server.listen = value_or<std::string>(table, "listen", server.listen, "mattermost", source);
    server.public_url = value_or<std::string>(table, "public_url", "", "mattermost", source);
    server.read_timeout = seconds("http_read_timeout_seconds", 10, 1, 300);
    server.write_timeout = seconds("http_write_timeout_seconds", 10, 1, 300);
    mattermost.desk.answer_budget = std::chrono::milliseconds{
        config::integer_in_range(table, "answer_budget_ms", 2000, 100, 2500, "mattermost", source)};
    read_responses(table, "mattermost", source, mattermost.desk.visibility);
    mattermost.socket.enabled = value_or<bool>(table, "websocket", true, "mattermost", source);
    return mattermost;
}

void apply_mattermost_environment(MattermostConfig& mattermost, const Environment& environment) {
    if (auto url = environment("MATTERMOST_URL")) mattermost.rest.server_url = *url;
    if (auto listen = environment("COLLAB_MATTERMOST_LISTEN")) mattermost.commands.server.listen = *listen;
}

std::vector<UrlSetting> mattermost_urls(const MattermostConfig& mattermost) {
    std::vector<UrlSetting> urls;
    if (!mattermost.rest.server_url.empty())
        urls.emplace_back("MATTERMOST_URL ([mattermost] url)", mattermost.rest.server_url);
    if (!mattermost.commands.server.public_url.empty())
        urls.emplace_back("[mattermost] public_url", mattermost.commands.server.public_url);
    return urls;
}

MattermostSecrets mattermost_secrets(const MattermostConfig& mattermost, const Environment& environment) {
    if (mattermost.rest.server_url.empty())
        throw ConfigError(
            "the Mattermost adapter needs the server's address (its Site URL, https://chat.example.com): set "
            "MATTERMOST_URL, or url in [mattermost]");
    MattermostSecrets secrets;
    // With the websocket, mentions work where no slash command may be made: the token is optional then.
    if (mattermost.socket.enabled)
        secrets.command_token =
            secret(environment, "MATTERMOST_COMMAND_TOKEN", mattermost.command_token_file).value_or("");
    else
        secrets.command_token =
            required_secret(environment, "MATTERMOST_COMMAND_TOKEN", mattermost.command_token_file,
                            "the Mattermost adapter needs the slash command's token (Integrations, Slash Commands, "
                            "/collab): set MATTERMOST_COMMAND_TOKEN, or name a file holding it in "
                            "mattermost.command_token_file (or leave the websocket on for mentions alone)");
    secrets.bot_token = required_secret(environment, "MATTERMOST_BOT_TOKEN", mattermost.bot_token_file,
                                        "the Mattermost adapter needs the bot account's access token (Integrations, "
                                        "Bot Accounts): set MATTERMOST_BOT_TOKEN, or name a file holding it in "
                                        "mattermost.bot_token_file");
    return secrets;
}

// Its registration, in the table bot/platforms.cmake generates.
extern const PlatformSection mattermost_section =
    section_of<MattermostConfig, read_mattermost_section, apply_mattermost_environment, mattermost_urls>();

}  // namespace collab::bot
