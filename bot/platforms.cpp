#include "bot/platforms.hpp"

#include <algorithm>

namespace collab::bot {

const Platform* default_platform() {
    return &platforms().front();
}

const Platform* platform_named(std::string_view name) {
    const auto registered = platforms();
    auto found = std::ranges::find(registered, name, &Platform::name);
    return found == registered.end() ? nullptr : &*found;
}

std::string platform_names(std::string_view last_separator) {
    const auto registered = platforms();
    std::string names;
    for (std::size_t i = 0; i < registered.size(); ++i) {
        if (i > 0) names += i + 1 == registered.size() ? last_separator : ", ";
        names += registered[i].name;
    }
    return names;
}

}  // namespace collab::bot
