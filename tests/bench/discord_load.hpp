#pragma once
// The load through Discord's gateway: the Discord emulator plays the gateway and the REST API on
// loopback, each command an INTERACTION_CREATE dispatch on the bot's gateway connection, its answer
// the interaction callback the bot POSTs back.

#include "bench_driver.hpp"
#include "discord_emulator.hpp"

namespace collab::bench {

class GatewayLoad : public PushLoad {
public:
    // A command's text is `/collab` typed in Discord: its first word the sub-command, the rest the
    // database option.
    GatewayLoad(discord::test::DiscordEmulator& discord, Workload workload, pid_t bot);
};

}  // namespace collab::bench
