#pragma once
// Where settings come from besides the file's own values: the environment, files holding secrets,
// and paths written relative to the file. Shared by the readers of every section.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace collab::bot {

using Environment = std::function<std::optional<std::string>(std::string_view name)>;
Environment process_environment();

// A URL the bot will call, with the setting that gives it (for the error: never the URL itself).
using UrlSetting = std::pair<std::string_view, std::string>;

// `path` as written in the file, relative to the file's directory `base_dir`; empty stays empty.
std::filesystem::path resolve_path(const std::string& path, const std::filesystem::path& base_dir);

// The first line of a file holding a secret. Throws ConfigError when there is none.
std::string read_secret_file(const std::filesystem::path& file);

// The variable (blanks around it dropped), else the file, else nothing.
std::optional<std::string> secret(const Environment& environment, std::string_view variable,
                                  const std::filesystem::path& file);
// The same, required: throws ConfigError with `missing` (which says where to put it) when neither has it.
std::string required_secret(const Environment& environment, std::string_view variable,
                            const std::filesystem::path& file, std::string_view missing);

}  // namespace collab::bot
