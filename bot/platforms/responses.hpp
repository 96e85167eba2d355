#pragma once
// [<platform>.responses]: who sees each command's answer, the same table for every platform with
// channels (Slack, Discord, Mattermost).

#include <toml++/toml.h>

#include <string_view>

#include "adapters/chat/visibility.hpp"

namespace collab::bot {

// Reads the `responses` table of a platform's section, if it has one, over the defaults of
// `visibility`: each key a command's name ("list", "add", …), each value "ephemeral" or "in_channel".
// Throws ConfigError naming the key at fault: a command that does not exist, or another value.
void read_responses(const toml::table& section, std::string_view platform, std::string_view source,
                    chat::VisibilityPolicy& visibility);

}  // namespace collab::bot
