#pragma once
// What the tests read in the bot's replies as the Discord emulator recorded them.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "adapters/chat/discord/messages.hpp"
#include "core/model.hpp"
#include "discord_emulator.hpp"

namespace collab::discord::test {

inline bool has_collaborator(const std::vector<Collaborator>& collaborators, std::string_view email) {
    return std::any_of(collaborators.begin(), collaborators.end(),
                       [&](const Collaborator& collaborator) { return collaborator.email == email; });
}

// The message's text as Discord shows it: markdown escapes undone.
inline std::string content_of(const boost::json::object& message) {
    const boost::json::value* content = message.if_contains("content");
    std::string shown;
    if (content == nullptr || !content->is_string()) return shown;
    for (std::size_t i = 0; i < content->get_string().size(); ++i) {
        const char c = content->get_string()[i];
        if (c == '\\' && i + 1 < content->get_string().size()) continue;
        shown += c;
    }
    return shown;
}

inline bool ephemeral(const boost::json::object& message) {
    const boost::json::value* flags = message.if_contains("flags");
    return flags && flags->is_int64() && (flags->get_int64() & ephemeral_flag) != 0;
}

inline std::int64_t type_of(const BotReply& reply) {
    return reply.body.at("type").as_int64();
}

inline const boost::json::object& data_of(const BotReply& reply) {
    return reply.body.at("data").as_object();
}

// The interaction's replies, once `count` of them arrived (or what came within 3 s).
inline std::vector<BotReply> replies_to(const DiscordEmulator& discord, const std::string& id, std::size_t count) {
    std::vector<BotReply> found;
    for (int i = 0; i < 300; ++i) {
        found.clear();
        for (auto& reply : discord.replies())
            if (reply.interaction_id == id) found.push_back(std::move(reply));
        if (found.size() >= count) break;
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    return found;
}

// The Confirm button's custom_id in a proposal's callback.
inline std::string confirm_button(const BotReply& proposal) {
    const boost::json::value* rows = data_of(proposal).if_contains("components");
    if (rows == nullptr) return {};
    return std::string(rows->at(0).at("components").at(0).at("custom_id").as_string());
}

}  // namespace collab::discord::test
