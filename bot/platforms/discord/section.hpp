#pragma once
// [discord]: read into the settings of each part of the Discord adapter. The token and the identities
// are added at start.

#include <toml++/toml.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/chat/desk.hpp"
#include "adapters/chat/discord/gateway_client.hpp"
#include "adapters/chat/discord/interaction_server.hpp"
#include "adapters/chat/discord/rest_client.hpp"
#include "adapters/net/http_client.hpp"
#include "bot/config_sources.hpp"

namespace collab::bot {

enum class DiscordMode {
    gateway,  // the bot connects out to Discord's gateway
    http,     // Discord POSTs interactions to [discord] listen
};

struct DiscordConfig {
    DiscordMode mode = DiscordMode::gateway;
    std::filesystem::path bot_token_file;        // read when DISCORD_BOT_TOKEN is not set
    std::string public_key;                      // HTTP mode: the application's, in hex; DISCORD_PUBLIC_KEY over it
    net::HttpClientOptions http;                 // REST calls: request timeout, ca_file
    discord::RestSettings rest;                  // api_url
    discord::GatewaySettings gateway;            // guild_id; the websocket's ca_file
    discord::InteractionServerOptions endpoint;  // HTTP mode: listen
    chat::DeskSettings desk;                     // answer_budget
};

// Throws ConfigError naming the key at fault. Relative paths are resolved against `base_dir`.
DiscordConfig read_discord_section(const toml::table& section, std::string_view source,
                                   const std::filesystem::path& base_dir);

// DISCORD_API_URL over api_url, DISCORD_GUILD_ID over guild_id, DISCORD_PUBLIC_KEY over public_key,
// COLLAB_DISCORD_LISTEN over listen.
void apply_discord_environment(DiscordConfig& discord, const Environment& environment);

// The URLs the adapter calls, each with the setting that gives it.
std::vector<UrlSetting> discord_urls(const DiscordConfig& discord);

// DISCORD_BOT_TOKEN, else the file. Throws ConfigError when there is neither.
std::string discord_bot_token(const DiscordConfig& discord, const Environment& environment);
// HTTP mode's public key (DISCORD_PUBLIC_KEY having been applied). Throws ConfigError naming
// DISCORD_PUBLIC_KEY when there is none.
std::string discord_public_key(const DiscordConfig& discord);

}  // namespace collab::bot
