#pragma once
// The bot itself: the run of the chat adapter the configuration names.

#include <optional>
#include <string>

#include "bot/config.hpp"

namespace collab::bot {

// Exit codes (README, "Running it"): 0 stopped as asked; 1 stopped while running because Slack
// refused the bot (a token, Socket Mode) or something unforeseen; 2 did not start: the command line,
// the configuration, or what it names (a file, a listen address, the state, standard input for the
// shell) cannot be used.
inline constexpr int exit_failed = 1;
inline constexpr int exit_not_started = 2;

struct RunOptions {
    Config config;
    std::optional<std::string> act_as;  // --as EMAIL
};

// Runs the chat adapter the configuration names. Returns the process exit code.
int run_bot(const RunOptions& options);

}  // namespace collab::bot
