#pragma once
// Wiring: builds the adapters a configuration asks for and runs them.

#include <optional>
#include <string>
#include <vector>

#include "adapters/sandbox/http_server.hpp"
#include "bot/config.hpp"

namespace collab::bot {

struct RunOptions {
    Config config;
    std::optional<std::string> act_as;  // --as EMAIL
};

int run_bot(const RunOptions& options);
int run_sandbox_command(const Config& config, const std::vector<std::string>& arguments,
                        const sandbox::ServeOptions& serve);

}  // namespace collab::bot
