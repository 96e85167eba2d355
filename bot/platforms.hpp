#pragma once
// The chat platforms the bot runs on, each registered once (platforms.cpp): the names `adapter` and
// --adapter accept, the errors that list them, the sections the file may hold and the choice of run
// all derive from that list.
//
// A platform's registration lives beside its run (bot/run_<name>.cpp); its settings are a member of
// Config (bot/<name>_config.hpp), which its section reader fills.

#include <toml++/toml.h>

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bot/app.hpp"
#include "bot/config.hpp"

namespace collab::bot {

struct Platform {
    // What `adapter = "…"` and --adapter call it; also the name of its section in the file.
    std::string_view name;
    // Reads its section into its settings in `config`; an empty table when the file has none, so that
    // the reader holds the defaults. Throws ConfigError naming the key at fault.
    void (*read_section)(const toml::table& section, std::string_view source, const std::filesystem::path& base_dir,
                         Config& config) = nullptr;
    // What the environment says over its section; null: nothing.
    void (*apply_environment)(Config& config, const Environment& environment) = nullptr;
    // The URLs it calls, parsed at start when it is the one that runs; null: none.
    std::vector<UrlSetting> (*urls)(const Config& config) = nullptr;
    // Runs the bot on it until it is told to stop. Returns the process exit code.
    int (*run)(const RunOptions& options) = nullptr;
};

// The registrations, each defined at the end of its platform's run (run_<name>.cpp).
extern const Platform shell_platform;
extern const Platform slack_platform;
extern const Platform discord_platform;

// Every platform, the default (the shell) first.
std::span<const Platform* const> platforms();
const Platform* platform_named(std::string_view name);
// Their names for a message: "shell, slack" with ", ", "shell or slack" with " or ".
std::string platform_names(std::string_view last_separator);

}  // namespace collab::bot
