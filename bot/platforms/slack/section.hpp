#pragma once
// [slack]: read into the settings of each part of the Slack adapter. The tokens and the identities
// are added at start.

#include <toml++/toml.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/chat/desk.hpp"
#include "adapters/chat/slack/http_mode.hpp"
#include "adapters/chat/slack/slack_directory.hpp"
#include "adapters/chat/slack/socket_mode.hpp"
#include "adapters/chat/slack/web_api.hpp"
#include "adapters/net/http_client.hpp"
#include "bot/config_sources.hpp"

namespace collab::bot {

enum class SlackMode {
    socket,  // Socket Mode: the bot connects out to Slack
    http,    // Slack POSTs commands and clicks to [slack] http_listen
};

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
    std::string app_token;  // Socket Mode only
    std::string bot_token;
    std::string signing_secret;  // HTTP mode only
};

// Throws ConfigError naming the key at fault. Relative paths are resolved against `base_dir`.
SlackConfig read_slack_section(const toml::table& section, std::string_view source,
                               const std::filesystem::path& base_dir);

// SLACK_API_URL over api_url.
void apply_slack_environment(SlackConfig& slack, const Environment& environment);

// The URLs the adapter calls, each with the setting that gives it.
std::vector<UrlSetting> slack_urls(const SlackConfig& slack);

// SLACK_APP_TOKEN, SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (the names of Slack's SDKs), else the
// files. Throws ConfigError naming what is missing for the configured mode.
SlackSecrets slack_secrets(const SlackConfig& slack, const Environment& environment);

}  // namespace collab::bot
