#pragma once
// The load through Mattermost's slash commands: each command the form the Mattermost server POSTs to
// the bot's /mattermost/command with the command token, its answer the HTTP response. The Mattermost
// emulator makes the forms (as the server's DoCommandRequest does) and serves the REST API.

#include "http_load.hpp"
#include "mattermost_emulator.hpp"

namespace collab::bench {

class SlashCommandLoad : public HttpLoad {
public:
    SlashCommandLoad(mattermost::testing::MattermostEmulator& mattermost, const std::string& command_token,
                     unsigned short port, Workload workload, pid_t bot);
};

}  // namespace collab::bench
