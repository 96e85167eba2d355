#include "adapters/chat/slack/interactions.hpp"

#include "adapters/chat/slack/blocks.hpp"
#include "adapters/chat/slack/markup.hpp"
#include "adapters/json/append.hpp"

namespace collab::slack {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// `name`: the user name Slack sends with a slash command (whoami shows it beside the mention).
Actor actor_of(std::string team, std::string user, std::string channel, std::string name = {}) {
    return Actor{"slack", std::move(team), std::move(user), std::move(channel), std::nullopt, std::move(name)};
}

// `text` without its leading mention of the bot (any mention when the bot's id is not known).
std::string_view without_bot_mention(std::string_view text, std::string_view bot_user_id) {
    const auto start = text.find_first_not_of(" \t\n");
    if (start == std::string_view::npos) return {};
    text.remove_prefix(start);
    if (!text.starts_with("<@")) return text;
    const auto end = text.find('>');
    if (end == std::string_view::npos) return text;
    const std::string_view mentioned = text.substr(2, std::min(text.find('|'), end) - 2);
    if (!bot_user_id.empty() && mentioned != bot_user_id) return text;
    return text.substr(end + 1);
}

}  // namespace

std::expected<chat::CommandRequest, std::string> message_request(const MessageEvent& event,
                                                                 std::string_view bot_user_id, std::string id) {
    if (!event.bot_id.empty() || (!bot_user_id.empty() && event.user_id == bot_user_id))
        return std::unexpected(std::string("written by a bot"));
    if (!event.subtype.empty()) return std::unexpected("a message of subtype " + event.subtype);
    if (event.user_id.empty() || event.channel_id.empty() || event.ts.empty())
        return std::unexpected(std::string("a message without its user, channel or ts"));
    const bool direct = event.channel_type == "im";
    // A mention in a direct message also comes as message.im: answered once, from there.
    if (event.type == "app_mention" && (direct || event.channel_id.starts_with('D')))
        return std::unexpected(std::string("a mention in a direct message"));
    if (event.type == "message" && !direct) return std::unexpected(std::string("a channel message"));
    // A mention is answered in its thread (one it starts, if need be); a direct message where it was
    // written, as a conversation goes on.
    std::string thread = event.thread_ts.empty() && !direct ? event.ts : event.thread_ts;
    chat::Origin origin{
        std::move(id), actor_of(event.team_id, event.user_id, event.channel_id), {}, std::move(thread), direct};
    return chat::CommandRequest{std::move(origin), unescape_command_text(without_bot_mention(event.text, bot_user_id))};
}

std::string event_claim_key(const MessageEvent& event, std::string fallback) {
    return event.event_id.empty() ? std::move(fallback) : "event-" + event.event_id;
}

chat::CommandRequest command_request(SlashCommand command, std::string id) {
    std::string text = unescape_command_text(command.text);
    Actor actor = actor_of(std::move(command.team_id), std::move(command.user_id), std::move(command.channel_id),
                           std::move(command.user_name));
    return chat::CommandRequest{chat::Origin{id.empty() ? std::move(command.trigger_id) : std::move(id),
                                             std::move(actor), std::move(command.response_url)},
                                std::move(text)};
}

std::optional<chat::ClickRequest> click_request(const BlockAction& action, std::string id) {
    if (action.action_id != confirm_action_id && action.action_id != cancel_action_id) return std::nullopt;
    return chat::ClickRequest{
        chat::Origin{std::move(id), actor_of(action.team_id, action.user_id, action.channel_id), action.response_url},
        action.value, action.action_id == cancel_action_id};
}

std::string work_of(const Envelope& envelope) {
    using json_out::append_member;
    std::string work;
    if (envelope.slash_command) {
        const SlashCommand& c = *envelope.slash_command;
        work.reserve(512 + c.text.size() + c.response_url.size());
        work += '{';
        append_member(work, "envelope_id", envelope.envelope_id);
        work += R"(,"type":"slash_commands","payload":{)";
        append_member(work, "team_id", c.team_id);
        for (auto [key, value] :
             {std::pair{"channel_id", &c.channel_id}, std::pair{"user_id", &c.user_id},
              std::pair{"user_name", &c.user_name}, std::pair{"command", &c.command}, std::pair{"text", &c.text},
              std::pair{"response_url", &c.response_url}, std::pair{"trigger_id", &c.trigger_id},
              std::pair{"enterprise_id", &c.enterprise_id}}) {
            work += ',';
            append_member(work, key, *value);
        }
        work += c.is_enterprise_install ? R"(,"is_enterprise_install":true}})" : R"(,"is_enterprise_install":false}})";
        return work;
    }
    if (envelope.message_event) {
        const MessageEvent& e = *envelope.message_event;
        work.reserve(512 + e.text.size());
        work += '{';
        append_member(work, "envelope_id", envelope.envelope_id);
        work += R"(,"type":"events_api","payload":{"type":"event_callback",)";
        append_member(work, "team_id", e.team_id);
        work += ',';
        append_member(work, "event_id", e.event_id);
        work += R"(,"event":{)";
        append_member(work, "type", e.type);
        for (auto [key, value] :
             {std::pair{"subtype", &e.subtype}, std::pair{"channel", &e.channel_id},
              std::pair{"channel_type", &e.channel_type}, std::pair{"user", &e.user_id}, std::pair{"bot_id", &e.bot_id},
              std::pair{"text", &e.text}, std::pair{"ts", &e.ts}, std::pair{"thread_ts", &e.thread_ts}}) {
            work += ',';
            append_member(work, key, *value);
        }
        work += "}}}";
        return work;
    }
    if (envelope.block_action) {
        const BlockAction& a = *envelope.block_action;
        work.reserve(512 + a.value.size() + a.response_url.size());
        work += '{';
        append_member(work, "envelope_id", envelope.envelope_id);
        work += R"(,"type":"interactive","payload":{"type":"block_actions","user":{)";
        append_member(work, "id", a.user_id);
        work += R"(},"team":{)";
        append_member(work, "id", a.team_id);
        work += R"(},"channel":{)";
        append_member(work, "id", a.channel_id);
        work += "},";
        append_member(work, "response_url", a.response_url);
        work += R"(,"container":{)";
        append_member(work, "message_ts", a.message_ts);
        work += R"(},"actions":[{)";
        append_member(work, "action_id", a.action_id);
        work += ',';
        append_member(work, "value", a.value);
        work += "}]}}";
    }
    return work;
}

std::optional<chat::Request> request_of_work(const store::Orphan& orphan) {
    auto frame = decode_frame(orphan.work);
    auto* envelope = frame ? std::get_if<Envelope>(&*frame) : nullptr;
    if (envelope == nullptr) return std::nullopt;
    if (envelope->slash_command) return command_request(std::move(*envelope->slash_command), orphan.key);
    if (envelope->message_event) {
        // Only what was acted on is left as work, so the bot's own id is not needed to read it back.
        auto command = message_request(*envelope->message_event, {}, orphan.key);
        if (command) return std::move(*command);
    }
    if (envelope->block_action) {
        if (auto click = click_request(*envelope->block_action, orphan.key)) return std::move(*click);
    }
    return std::nullopt;
}

SlackOutbox::SlackOutbox(WebApi& web, std::shared_ptr<spdlog::logger> logger) : web_(web), logger_(std::move(logger)) {}

asio::awaitable<void> SlackOutbox::complete(const chat::Origin& origin, chat::Answer answer) {
    json::object message = to_message(answer.reply, answer.visibility);
    // A message's answer has no placeholder to take the place of: it goes to the thread.
    if (origin.reply_url.empty()) {
        co_await respond(origin, std::move(message));
        co_return;
    }
    if (answer.visibility == chat::Visibility::ephemeral) {
        // The placeholder is ephemeral too: the reply takes its place.
        message["replace_original"] = true;
        co_await respond(origin, std::move(message));
        co_return;
    }
    // An ephemeral message cannot become a channel message: post beside it, then remove it.
    co_await respond(origin, std::move(message));
    json::object removal{{"delete_original", true}};
    auto removed = co_await web_.respond(origin.reply_url, std::move(removal));
    if (!removed) logger_->debug("slack: could not delete a placeholder ({})", removed.error().error);
}

asio::awaitable<void> SlackOutbox::deliver(const chat::Origin& origin, chat::Answer answer) {
    // Named: g++ 12 destroys a temporary passed to a coroutine twice.
    json::object message = to_message(answer.reply, answer.visibility);
    co_await respond(origin, std::move(message));
}

asio::awaitable<void> SlackOutbox::replace_proposal(const chat::Origin& origin, Reply reply) {
    json::object replacement = to_replacement(reply);
    co_await respond(origin, std::move(replacement));
}

asio::awaitable<void> SlackOutbox::post_beside(const chat::Origin& origin, chat::Answer answer) {
    json::object message = to_message(answer.reply, answer.visibility);
    message["replace_original"] = false;
    co_await respond(origin, std::move(message));
}

asio::awaitable<void> SlackOutbox::respond(const chat::Origin& origin, json::object body) {
    const std::string& channel = origin.actor.channel;
    const std::string& user = origin.actor.user_id;
    if (!origin.reply_url.empty()) {
        json::object copy = body;
        auto sent = co_await web_.respond(origin.reply_url, std::move(copy));
        if (sent) co_return;
        logger_->warn("slack: response_url refused the reply ({}); posting it with the Web API", sent.error().error);
    }
    if (body.contains("delete_original") || channel.empty()) {
        ++counters_.delivery_failures;
        co_return;
    }
    // A replacement cannot be done without the response_url: the reply comes as a new message.
    // In a direct message the person is the only reader: an ephemeral reply would only vanish.
    const bool in_channel =
        origin.direct || (body.contains("response_type") && body.at("response_type") == "in_channel");
    body.erase("replace_original");
    if (!origin.thread.empty()) body["thread_ts"] = origin.thread;
    SlackResult<void> posted;
    if (in_channel)
        posted = co_await web_.post_message(channel, std::move(body));
    else
        posted = co_await web_.post_ephemeral(channel, user, std::move(body));
    if (!posted) {
        ++counters_.delivery_failures;
        logger_->error("slack: could not deliver a reply to {} in {}: {}", user, channel, posted.error().error);
    }
}

}  // namespace collab::slack
