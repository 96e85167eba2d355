#pragma once
// `collab-bot sandbox …`: the sandbox's invitations, accepting one, and serving it over HTTP.

#include <string>
#include <vector>

#include "adapters/sandbox/http_server.hpp"
#include "bot/config.hpp"

namespace collab::bot {

// `arguments`: what follows "sandbox" on the command line. Returns the process exit code.
int run_sandbox_command(const Config& config, const std::vector<std::string>& arguments,
                        const sandbox::ServeOptions& serve);

}  // namespace collab::bot
