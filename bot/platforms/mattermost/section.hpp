#pragma once
// [mattermost]: read into the settings of each part of the Mattermost adapter. The tokens and the
// identities are added at start.

#include <toml++/toml.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/chat/desk.hpp"
#include "adapters/chat/mattermost/command_server.hpp"
#include "adapters/chat/mattermost/event_socket.hpp"
#include "adapters/chat/mattermost/rest_client.hpp"
#include "adapters/net/http_client.hpp"
#include "bot/config_sources.hpp"

namespace collab::bot {

struct MattermostConfig {
    std::filesystem::path command_token_file;   // read when MATTERMOST_COMMAND_TOKEN is not set
    std::filesystem::path bot_token_file;       // read when MATTERMOST_BOT_TOKEN is not set
    net::HttpClientOptions http;                // REST calls: request timeout, ca_file
    mattermost::RestSettings rest;              // server_url
    mattermost::CommandServerOptions commands;  // listen, public_url, read and write timeouts
    chat::DeskSettings desk;                    // answer_budget
    mattermost::EventSocketSettings socket;     // websocket (on unless false)
};

// The credentials the Mattermost adapter needs, from the environment or the files named in [mattermost].
struct MattermostSecrets {
    // The slash command's token: what proves a command comes from the server. Empty when the websocket is
    // on and none is set: every slash command is refused then, and mentions work.
    std::string command_token;
    std::string bot_token;  // the bot account's access token, for the REST API
};

// Throws ConfigError naming the key at fault. Relative paths are resolved against `base_dir`.
MattermostConfig read_mattermost_section(const toml::table& section, std::string_view source,
                                         const std::filesystem::path& base_dir);

// MATTERMOST_URL over url, COLLAB_MATTERMOST_LISTEN over listen.
void apply_mattermost_environment(MattermostConfig& mattermost, const Environment& environment);

// The URLs the adapter calls, each with the setting that gives it; none while the server's is unset
// (mattermost_secrets names it).
std::vector<UrlSetting> mattermost_urls(const MattermostConfig& mattermost);

// MATTERMOST_COMMAND_TOKEN and MATTERMOST_BOT_TOKEN, else the files. Throws ConfigError naming what is
// missing, the server's URL included; the command token is optional while the websocket is on.
MattermostSecrets mattermost_secrets(const MattermostConfig& mattermost, const Environment& environment);

}  // namespace collab::bot
