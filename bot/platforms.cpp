#include "bot/platforms.hpp"

#include <algorithm>
#include <array>

namespace collab::bot {

namespace {

const std::array registered{&shell_platform, &slack_platform, &discord_platform};

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
