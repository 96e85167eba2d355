#include "bot/shell_config.hpp"

#include "adapters/config/toml_checks.hpp"
#include "core/command.hpp"

namespace collab::bot {

void read_shell_section(const toml::table& section, std::string_view source, ShellConfig& shell) {
    config::reject_unknown_keys(section, {"user_id", "email"}, "shell", source);
    shell.user_id = config::value_or<std::string>(section, "user_id", shell.user_id, "shell", source);
    shell.email = config::value_or<std::string>(section, "email", "", "shell", source);
    if (!shell.email.empty()) {
        if (auto problem = email_problem(shell.email))
            throw config::ConfigError(std::string(source) + ": shell.email: " + *problem);
    }
}

}  // namespace collab::bot
