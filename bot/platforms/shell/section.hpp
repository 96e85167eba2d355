#pragma once
// [shell]: who the person at the terminal is.

#include <filesystem>
#include <string>
#include <string_view>

#include <toml++/toml.h>

namespace collab::bot {

struct ShellConfig {
    std::string user_id = "local";
    // The default file's: the sandbox's first account, so that a file without [shell] (or without this
    // key) still starts as someone. Empty: linked to no Scalingo account (unless [identities] says).
    std::string email = "user1@example.com";
};

// Throws ConfigError naming the key at fault.
ShellConfig read_shell_section(const toml::table& section, std::string_view source, const std::filesystem::path&);

}  // namespace collab::bot
