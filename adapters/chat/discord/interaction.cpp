#include "adapters/chat/discord/interaction.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace collab::discord {
namespace json = boost::json;

namespace {

constexpr std::size_t max_interaction_bytes = 64 * 1024;  // Discord's interactions take a few kilobytes
constexpr int sub_command_option = 1;
constexpr int sub_command_group_option = 2;

const json::value* at(const json::object& object, std::initializer_list<std::string_view> path) {
    const json::object* current = &object;
    const json::value* value = nullptr;
    for (auto key : path) {
        if (current == nullptr) return nullptr;
        value = current->if_contains(key);
        if (value == nullptr) return nullptr;
        current = value->if_object();
    }
    return value;
}

std::string string_at(const json::object& object, std::initializer_list<std::string_view> path) {
    const json::value* value = at(object, path);
    const json::string* text = value ? value->if_string() : nullptr;
    return text ? std::string(*text) : std::string();
}

// An option's value as the command text carries it: strings as they are, numbers and booleans written out.
std::string value_text(const json::value& value) {
    if (const auto* text = value.if_string()) return std::string(*text);
    if (value.is_int64() || value.is_uint64() || value.is_double() || value.is_bool()) return json::serialize(value);
    return {};
}

// The sub-command (inside a group, if any) and its options.
CommandCall call_of(const json::object& data) {
    CommandCall call;
    const json::value* options = data.if_contains("options");
    while (options != nullptr && options->is_array()) {
        const json::value* next = nullptr;
        for (const auto& item : options->get_array()) {
            const json::object* option = item.if_object();
            if (option == nullptr) continue;
            const json::value* type = option->if_contains("type");
            const std::string name = string_at(*option, {"name"});
            if (type && type->is_int64() &&
                (type->get_int64() == sub_command_option || type->get_int64() == sub_command_group_option)) {
                call.sub_command = name;
                next = option->if_contains("options");
                break;
            }
            if (const json::value* value = option->if_contains("value"))
                call.options.emplace_back(name, value_text(*value));
            if (const json::value* focused = option->if_contains("focused");
                focused && focused->is_bool() && focused->get_bool())
                call.focused = name;
        }
        options = next;
    }
    return call;
}

}  // namespace

std::expected<Interaction, std::string> decode_interaction(const json::object& data) {
    Interaction interaction;
    const json::value* type = data.if_contains("type");
    if (type == nullptr || !type->is_int64()) return std::unexpected("an interaction without a numeric type");
    interaction.type_number = static_cast<int>(type->get_int64());
    switch (interaction.type_number) {
        case 1: interaction.type = InteractionType::ping; break;
        case 2: interaction.type = InteractionType::command; break;
        case 3: interaction.type = InteractionType::component; break;
        case 4: interaction.type = InteractionType::autocomplete; break;
        default: interaction.type = InteractionType::other; break;
    }
    interaction.id = string_at(data, {"id"});
    interaction.token = string_at(data, {"token"});
    if (interaction.id.empty() || interaction.token.empty())
        return std::unexpected("an interaction without id or token");
    interaction.application_id = string_at(data, {"application_id"});
    interaction.guild_id = string_at(data, {"guild_id"});
    interaction.channel_id = string_at(data, {"channel_id"});
    if (interaction.channel_id.empty()) interaction.channel_id = string_at(data, {"channel", "id"});
    // In a guild the user is the member's; in a direct message, `user`.
    const bool member = !string_at(data, {"member", "user", "id"}).empty();
    interaction.user_id = member ? string_at(data, {"member", "user", "id"}) : string_at(data, {"user", "id"});
    interaction.user_name =
        member ? string_at(data, {"member", "user", "username"}) : string_at(data, {"user", "username"});
    if (interaction.type == InteractionType::ping) return interaction;
    if (interaction.user_id.empty()) return std::unexpected("an interaction without member.user.id or user.id");
    if (const json::value* payload = data.if_contains("data"); payload && payload->is_object()) {
        interaction.command = string_at(payload->get_object(), {"name"});
        interaction.call = call_of(payload->get_object());
        interaction.custom_id = string_at(payload->get_object(), {"custom_id"});
    }
    if (interaction.type == InteractionType::component && interaction.custom_id.empty())
        return std::unexpected("a component interaction without data.custom_id");
    return interaction;
}

std::expected<json::object, std::string> parse_interaction(std::string_view text) {
    if (text.size() > max_interaction_bytes)
        return std::unexpected("an interaction of " + std::to_string(text.size()) + " bytes");
    boost::system::error_code error;
    json::parse_options limits;
    limits.max_depth = 32;
    json::value value = json::parse(text, error, {}, limits);
    if (error) return std::unexpected("malformed JSON: " + error.message());
    if (!value.is_object()) return std::unexpected("not a JSON object");
    return std::move(value.get_object());
}

std::expected<Interaction, std::string> decode_interaction(std::string_view text) {
    auto parsed = parse_interaction(text);
    if (!parsed) return std::unexpected(std::move(parsed.error()));
    return decode_interaction(*parsed);
}

std::string webhook_path(const Interaction& interaction) {
    return "webhooks/" + interaction.application_id + "/" + interaction.token;
}

chat::Origin origin_of(const Interaction& interaction) {
    return chat::Origin{
        interaction.id,
        Actor{"discord", interaction.guild_id, interaction.user_id, interaction.channel_id, std::nullopt,
              interaction.user_name},
        webhook_path(interaction)};
}

chat::CommandRequest command_request(const Interaction& interaction) {
    return chat::CommandRequest{origin_of(interaction), command_text(interaction.call)};
}

chat::ClickRequest click_request(const Interaction& interaction, std::string token, bool cancel) {
    return chat::ClickRequest{origin_of(interaction), std::move(token), cancel};
}

}  // namespace collab::discord
