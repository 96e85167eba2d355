#include "bot/platforms.hpp"

#include <algorithm>
#include <array>

namespace collab::bot {

// The registrations, each defined beside its platform's run. A new platform is one line here.
extern const Platform shell_platform;  // run_shell.cpp
extern const Platform slack_platform;  // run_slack.cpp

namespace {

const std::array<const Platform*, 2> registered{&shell_platform, &slack_platform};

}  // namespace

std::span<const Platform* const> platforms() {
    return registered;
}

const Platform* default_platform() {
    return registered.front();
}

const Platform* platform_named(std::string_view name) {
    auto found = std::ranges::find(registered, name, &Platform::name);
    return found == registered.end() ? nullptr : *found;
}

std::string platform_names(std::string_view last_separator) {
    std::string names;
    for (std::size_t i = 0; i < registered.size(); ++i) {
        if (i > 0) names += i + 1 == registered.size() ? last_separator : ", ";
        names += registered[i]->name;
    }
    return names;
}

}  // namespace collab::bot
