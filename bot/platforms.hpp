#pragma once
// The chat platforms the bot runs on, each registered once: by its name in the list of
// bot/platforms.cmake, from which the table of registrations is generated (platform_table.cpp.in).
// The names `adapter` and --adapter accept, the errors that list them, the sections the file may hold
// and the choice of run all derive from that list.
//
// A platform named <name> is adapters/chat/<name>/ (its wire format and connection, the library
// collab_chat_<name>) and bot/platforms/<name>/: section.cpp reads its [<name>] section into its own
// settings and defines <name>_section; run.cpp defines run_<name>. Config holds each platform's
// settings type-erased, under its name; only the platform's own code knows their type.

#include <toml++/toml.h>

#include <any>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "bot/config_sources.hpp"

namespace collab::bot {

struct RunOptions;  // app.hpp

// A platform's section of the file, read into its settings (any type the platform chooses).
struct PlatformSection {
    // Its settings from its section; an empty table when the file has none, so that the reader holds
    // the defaults. Throws ConfigError naming the key at fault.
    std::any (*read)(const toml::table& section, std::string_view source,
                     const std::filesystem::path& base_dir) = nullptr;
    // What the environment says over its section; null: nothing.
    void (*apply_environment)(std::any& settings, const Environment& environment) = nullptr;
    // The URLs it calls, parsed at start when it is the one that runs; null: none.
    std::vector<UrlSetting> (*urls)(const std::any& settings) = nullptr;
};

// The section of a platform whose settings are a `Settings`, from its typed reader
// (Settings(const toml::table&, std::string_view source, const std::filesystem::path& base_dir)) and,
// when it has them, its environment (void(Settings&, const Environment&)) and its URLs
// (std::vector<UrlSetting>(const Settings&)).
template <class Settings, auto read, auto apply_environment = nullptr, auto urls = nullptr>
constexpr PlatformSection section_of() {
    PlatformSection section;
    section.read = [](const toml::table& table, std::string_view source, const std::filesystem::path& base_dir) {
        return std::make_any<Settings>(read(table, source, base_dir));
    };
    if constexpr (!std::is_null_pointer_v<decltype(apply_environment)>)
        section.apply_environment = [](std::any& settings, const Environment& environment) {
            apply_environment(std::any_cast<Settings&>(settings), environment);
        };
    if constexpr (!std::is_null_pointer_v<decltype(urls)>)
        section.urls = [](const std::any& settings) { return urls(std::any_cast<const Settings&>(settings)); };
    return section;
}

struct Platform {
    // What `adapter = "…"` and --adapter call it; also the name of its section in the file.
    std::string_view name;
    const PlatformSection* section = nullptr;  // <name>_section
    // Runs the bot on it until it is told to stop. Returns the process exit code. Null in the fuzzers'
    // build, which reads the configuration and runs nothing.
    int (*run)(const RunOptions& options) = nullptr;
};

// Every platform, the default (the shell) first.
std::span<const Platform> platforms();
// The platform run when the file names none: the shell.
const Platform* default_platform();
const Platform* platform_named(std::string_view name);
// Their names for a message: "shell, slack" with ", ", "shell or slack" with " or ".
std::string platform_names(std::string_view last_separator);

}  // namespace collab::bot
