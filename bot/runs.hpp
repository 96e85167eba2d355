#pragma once
// One run per chat adapter: each builds its adapter on the foundation (bot/wiring.hpp) and serves
// until it is told to stop. Each returns the process exit code.

#include <optional>
#include <string>

#include "bot/config.hpp"

namespace collab::bot {

// The shell on standard input and output; `act_as`: --as EMAIL.
int run_shell(const Config& config, const std::optional<std::string>& act_as);
// Slack, in Socket Mode or HTTP mode, until SIGINT or SIGTERM.
int run_slack(const Config& config);

}  // namespace collab::bot
