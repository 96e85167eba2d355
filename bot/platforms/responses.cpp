#include "bot/platforms/responses.hpp"

#include <string>

#include "adapters/config/toml_checks.hpp"
#include "core/command.hpp"

namespace collab::bot {

using config::ConfigError;

void read_responses(const toml::table& section, std::string_view platform, std::string_view source,
                    chat::VisibilityPolicy& visibility) {
    const toml::table* responses = config::subtable(section, "responses", platform, source);
    if (responses == nullptr) return;
    for (const auto& [command, value] : *responses) {
        const std::string key = std::string(platform) + ".responses." + std::string(command.str());
        // An alias would be a second name for the same setting: only the command's own name is taken.
        const CommandSpec* spec = find_spec(command.str());
        if (spec == nullptr || spec->name != command.str())
            throw ConfigError(std::string(source) + ": " + key + ": no such command");
        auto seen_by = value.value_exact<std::string>();
        if (!seen_by || (*seen_by != "ephemeral" && *seen_by != "in_channel"))
            throw ConfigError(std::string(source) + ": " + key + " is \"ephemeral\" or \"in_channel\"");
        visibility.by_command[std::string(command.str())] =
            *seen_by == "in_channel" ? chat::Visibility::in_channel : chat::Visibility::ephemeral;
    }
}

}  // namespace collab::bot
