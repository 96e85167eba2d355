#include "bot/platforms/discord/section.hpp"

#include "adapters/config/toml_checks.hpp"
#include "bot/platforms.hpp"
#include "bot/platforms/responses.hpp"

namespace collab::bot {

using config::ConfigError;
using config::value_or;

DiscordConfig read_discord_section(const toml::table& table, std::string_view source,
                                   const std::filesystem::path& base_dir) {
    config::reject_unknown_keys(table,
                                {"mode", "api_url", "bot_token_file", "guild_id", "ca_file", "answer_budget_ms",
                                 "request_timeout_seconds", "listen", "public_key", "responses"},
                                "discord", source);
    const std::string mode = value_or<std::string>(table, "mode", "gateway", "discord", source);
    if (mode != "gateway" && mode != "http")
        throw ConfigError(std::string(source) + ": discord.mode is \"gateway\" or \"http\", not \"" + mode + "\"");
    DiscordConfig discord;
    discord.mode = mode == "gateway" ? DiscordMode::gateway : DiscordMode::http;
    discord.public_key = value_or<std::string>(table, "public_key", "", "discord", source);
    discord.endpoint.server.listen =
        value_or<std::string>(table, "listen", discord.endpoint.server.listen, "discord", source);
    discord.bot_token_file =
        resolve_path(value_or<std::string>(table, "bot_token_file", "", "discord", source), base_dir);
    const std::string ca_file =
        resolve_path(value_or<std::string>(table, "ca_file", "", "discord", source), base_dir).string();
    discord.http.ca_file = ca_file;
    discord.gateway.websocket.ca_file = ca_file;
    discord.http.timeouts.request =
        std::chrono::seconds{config::integer_in_range(table, "request_timeout_seconds", 10, 1, 60, "discord", source)};
    discord.rest.api_url = value_or<std::string>(table, "api_url", "https://discord.com/api", "discord", source);
    discord.gateway.guild_id = value_or<std::string>(table, "guild_id", "", "discord", source);
    if (discord.gateway.guild_id.find_first_not_of("0123456789") != std::string::npos)
        throw ConfigError(std::string(source) +
                          ": discord.guild_id is a guild's numeric id (Developer Mode, Copy "
                          "Server ID), not \"" +
                          discord.gateway.guild_id + "\"");
    discord.desk.answer_budget = std::chrono::milliseconds{
        config::integer_in_range(table, "answer_budget_ms", 2000, 100, 2500, "discord", source)};
    discord.desk.follow_up_route = "webhook";
    read_responses(table, "discord", source, discord.desk.visibility);
    return discord;
}

void apply_discord_environment(DiscordConfig& discord, const Environment& environment) {
    if (auto url = environment("DISCORD_API_URL")) discord.rest.api_url = *url;
    if (auto guild = environment("DISCORD_GUILD_ID")) discord.gateway.guild_id = *guild;
    if (auto key = environment("DISCORD_PUBLIC_KEY")) discord.public_key = *key;
    if (auto listen = environment("COLLAB_DISCORD_LISTEN")) discord.endpoint.server.listen = *listen;
}

std::vector<UrlSetting> discord_urls(const DiscordConfig& discord) {
    return {{"DISCORD_API_URL ([discord] api_url)", discord.rest.api_url}};
}

std::string discord_bot_token(const DiscordConfig& discord, const Environment& environment) {
    return required_secret(environment, "DISCORD_BOT_TOKEN", discord.bot_token_file,
                           "the Discord adapter needs the bot token (the Bot page of the application in the Developer "
                           "Portal): set DISCORD_BOT_TOKEN, or name a file holding it in discord.bot_token_file");
}

std::string discord_public_key(const DiscordConfig& discord) {
    if (discord.public_key.empty())
        throw ConfigError(
            "Discord's HTTP mode ([discord] mode = \"http\") needs the application's public key (PUBLIC KEY on its "
            "General Information page in the Developer Portal): set DISCORD_PUBLIC_KEY, or public_key in [discord]");
    return discord.public_key;
}

// Its registration, in the table bot/platforms.cmake generates.
extern const PlatformSection discord_section =
    section_of<DiscordConfig, read_discord_section, apply_discord_environment, discord_urls>();

}  // namespace collab::bot
