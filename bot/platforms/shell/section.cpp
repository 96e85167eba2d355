#include "bot/platforms/shell/section.hpp"

#include "adapters/config/toml_checks.hpp"
#include "bot/platforms.hpp"
#include "core/command.hpp"

namespace collab::bot {

ShellConfig read_shell_section(const toml::table& section, std::string_view source, const std::filesystem::path&) {
    config::reject_unknown_keys(section, {"user_id", "email"}, "shell", source);
    ShellConfig shell;
    shell.user_id = config::value_or<std::string>(section, "user_id", shell.user_id, "shell", source);
    shell.email = config::value_or<std::string>(section, "email", shell.email, "shell", source);
    if (!shell.email.empty()) {
        if (auto problem = email_problem(shell.email))
            throw config::ConfigError(std::string(source) + ": shell.email: " + *problem);
    }
    return shell;
}

// Its registration, in the table bot/platforms.cmake generates.
extern const PlatformSection shell_section = section_of<ShellConfig, read_shell_section>();

}  // namespace collab::bot
