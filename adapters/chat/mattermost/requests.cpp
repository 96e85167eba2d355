#include "adapters/chat/mattermost/requests.hpp"

#include <openssl/crypto.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "adapters/chat/mattermost/socket_frames.hpp"
#include "adapters/net/form.hpp"

namespace collab::mattermost {
namespace json = boost::json;

namespace {

constexpr std::string_view token_scheme = "Token ";
constexpr std::size_t max_token = 256;

std::string string_member(const json::object& object, std::string_view name) {
    const json::value* value = object.if_contains(name);
    return value != nullptr && value->is_string() ? std::string(value->get_string()) : std::string();
}

std::optional<json::object> parse_object(std::string_view text) {
    boost::system::error_code error;
    json::value value = json::parse(text, error);
    if (error || !value.is_object()) return std::nullopt;
    return std::move(value.as_object());
}

Actor actor_of(const std::string& team, const std::string& user, const std::string& channel, const std::string& name) {
    return Actor{std::string(platform), team, user, channel, std::nullopt, name};
}

}  // namespace

std::expected<void, std::string> check_command_token(std::string_view authorization, std::string_view expected) {
    if (authorization.empty()) return std::unexpected("no Authorization header");
    if (!authorization.starts_with(token_scheme)) return std::unexpected("the Authorization header is not \"Token …\"");
    const std::string_view presented = authorization.substr(token_scheme.size());
    // Lengths are not secret (Mattermost's tokens all have 26 characters); the bytes are.
    if (expected.empty() || presented.size() != expected.size() || presented.size() > max_token)
        return std::unexpected("the command token does not match");
    if (CRYPTO_memcmp(presented.data(), expected.data(), expected.size()) != 0)
        return std::unexpected("the command token does not match");
    return {};
}

std::expected<SlashCommand, std::string> decode_slash_command(std::string_view form_body) {
    auto fields = net::form_fields(form_body);
    if (!fields) return std::unexpected("not a form-encoded body");
    auto field = [&](std::string_view name) {
        auto it = fields->find(name);
        return it == fields->end() ? std::string{} : it->second;
    };
    SlashCommand command{field("team_id"), field("channel_id"), field("user_id"),      field("user_name"),
                         field("command"), field("text"),       field("response_url"), field("trigger_id")};
    for (std::string_view name : {"team_id", "channel_id", "user_id", "command", "text"}) {
        // `text` may be empty, but it is always sent.
        if (name == "text" ? !fields->contains(name) : field(name).empty())
            return std::unexpected("slash command without " + std::string(name));
    }
    return command;
}

std::expected<ActionClick, std::string> decode_action(std::string_view json_body) {
    auto object = parse_object(json_body);
    if (!object) return std::unexpected("not a JSON object");
    ActionClick click{string_member(*object, "user_id"),
                      string_member(*object, "channel_id"),
                      string_member(*object, "team_id"),
                      string_member(*object, "post_id"),
                      {},
                      false,
                      string_member(*object, "user_name")};
    if (click.user_id.empty()) return std::unexpected("action without user_id");
    if (click.channel_id.empty()) return std::unexpected("action without channel_id");
    if (click.post_id.empty()) return std::unexpected("action without post_id");
    const json::value* context = object->if_contains("context");
    if (context == nullptr || !context->is_object()) return std::unexpected("action without a context");
    const json::object& fields = context->get_object();
    const std::string action = string_member(fields, "action");
    if (action != "confirm" && action != "cancel") return std::unexpected("action context names no button of ours");
    click.token = string_member(fields, "token");
    if (click.token.empty()) return std::unexpected("action context without a token");
    click.cancel = action == "cancel";
    // The proposal's team when the context names it (a direct channel's click carries none).
    if (std::string team = string_member(fields, "team_id"); !team.empty()) click.team_id = std::move(team);
    return click;
}

chat::CommandRequest command_request(const SlashCommand& command, std::string id) {
    return chat::CommandRequest{
        chat::Origin{std::move(id), actor_of(command.team_id, command.user_id, command.channel_id, command.user_name),
                     command.response_url},
        command.text};
}

chat::ClickRequest click_request(const ActionClick& click, std::string id) {
    return chat::ClickRequest{
        chat::Origin{std::move(id), actor_of(click.team_id, click.user_id, click.channel_id, click.user_name), {}},
        click.token, click.cancel};
}

std::string work_of(const SlashCommand& command) {
    return json::serialize(json::object{{"kind", "command"},
                                        {"team_id", command.team_id},
                                        {"channel_id", command.channel_id},
                                        {"user_id", command.user_id},
                                        {"user_name", command.user_name},
                                        {"command", command.command},
                                        {"text", command.text},
                                        {"response_url", command.response_url},
                                        {"trigger_id", command.trigger_id}});
}

std::string work_of(const ActionClick& click) {
    return json::serialize(json::object{{"kind", "click"},
                                        {"team_id", click.team_id},
                                        {"channel_id", click.channel_id},
                                        {"user_id", click.user_id},
                                        {"post_id", click.post_id},
                                        {"token", click.token},
                                        {"cancel", click.cancel}});
}

std::optional<chat::Request> request_of_work(const store::Orphan& orphan) {
    auto work = parse_object(orphan.work);
    if (!work) return std::nullopt;
    auto member = [&](std::string_view name) { return string_member(*work, name); };
    const std::string kind = member("kind");
    if (kind == "command") {
        SlashCommand command{member("team_id"), member("channel_id"), member("user_id"),      member("user_name"),
                             member("command"), member("text"),       member("response_url"), member("trigger_id")};
        if (command.user_id.empty() || command.channel_id.empty()) return std::nullopt;
        return command_request(command, orphan.key);
    }
    if (kind == "click") {
        const json::value* cancel = work->if_contains("cancel");
        ActionClick click{member("user_id"), member("channel_id"),
                          member("team_id"), member("post_id"),
                          member("token"),   cancel != nullptr && cancel->is_bool() && cancel->get_bool()};
        if (click.user_id.empty() || click.token.empty()) return std::nullopt;
        return click_request(click, orphan.key);
    }
    if (kind == "mention") {
        if (auto mention = mention_of_work(*work, orphan.key)) return std::move(*mention);
    }
    return std::nullopt;
}

}  // namespace collab::mattermost
