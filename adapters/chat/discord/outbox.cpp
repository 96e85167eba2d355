#include "adapters/chat/discord/outbox.hpp"

#include <boost/json/serialize.hpp>

#include "adapters/chat/discord/messages.hpp"

namespace collab::discord {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// origin.reply_url is webhook_path(): "webhooks/{application_id}/{token}".
std::pair<std::string, std::string> webhook_of(const chat::Origin& origin) {
    const std::string_view path = origin.reply_url;
    constexpr std::string_view prefix = "webhooks/";
    if (!path.starts_with(prefix)) return {};
    const std::string_view rest = path.substr(prefix.size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) return {};
    return {std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1))};
}

// What the asker sees in place of the placeholder when Discord did not take the answer meant for the
// channel: the change itself was made (or not) by then, the audit trail says which.
Reply undelivered_notice() {
    Reply notice;
    notice.kind = ReplyKind::failure;
    notice.lines.push_back(Line{LineStyle::error,
                                "The answer could not be posted in the channel: Discord refused it. /collab list "
                                "shows the database as it is now."});
    return notice;
}

}  // namespace

DiscordOutbox::DiscordOutbox(RestClient& rest, ProposalShelf& shelf, std::shared_ptr<spdlog::logger> logger)
    : rest_(rest), shelf_(shelf), logger_(std::move(logger)) {}

void DiscordOutbox::failed(const chat::Origin& origin, std::string_view what, const DiscordError& error) {
    ++counters_.delivery_failures;
    logger_->error("[{}] discord: could not {} for {}: {}", origin.id, what, origin.actor.user_id, error.message);
}

asio::awaitable<std::string> DiscordOutbox::message(const chat::Origin& origin, const Reply& reply,
                                                    chat::Visibility visibility) {
    if (!reply.proposal) {
        // A reply without a key is rendered each time: kept, it would only cost a copy more.
        if (!reply.key) co_return json::serialize(message_of(reply, visibility));
        auto render = [visibility](const Reply& keyed) { return json::serialize(message_of(keyed, visibility)); };
        co_return *forms_.render(reply, chat::to_string(visibility), render);
    }
    std::string token = reply.proposal->token;
    auto kept = co_await shelf_.put_away(std::move(token), reply.proposal->expires_at);
    std::string proposal_id;
    if (kept)
        proposal_id = std::move(*kept);
    else  // shown without buttons: nothing to click that could not be found again
        logger_->error("[{}] discord: could not keep a proposal for its buttons: {}", origin.id, kept.error().message);
    co_return json::serialize(message_of(reply, visibility, proposal_id));
}

asio::awaitable<bool> DiscordOutbox::send_callback(const chat::Origin& origin, const Owed& owed, std::string body) {
    if (owed.route) co_return co_await owed.route(std::move(body));
    auto sent = co_await rest_.callback(origin.id, owed.token, std::move(body), owed.received);
    if (sent) {
        // The one callback an interaction gets: what stops Discord's 3 s clock.
        ack_latency_.acknowledged(owed.received);
        co_return true;
    }
    failed(origin, "answer an interaction", sent.error());
    co_return false;
}

asio::awaitable<bool> DiscordOutbox::acknowledge(const Interaction& interaction, chat::Answer answer,
                                                 std::chrono::steady_clock::time_point received, CallbackRoute route) {
    const chat::Origin origin = origin_of(interaction);
    const Owed owed{interaction.token, received, std::move(route)};
    std::string body;
    if (answer.placeholder) {
        ++counters_.deferred;
        body = json::serialize(deferral(answer.visibility));
    } else {
        const std::string data = co_await message(origin, answer.reply, answer.visibility);
        body = callback_text(CallbackType::message, data);
    }
    co_return co_await send_callback(origin, owed, std::move(body));
}

void DiscordOutbox::owe_callback(const Interaction& interaction, std::chrono::steady_clock::time_point received,
                                 CallbackRoute route) {
    owed_.insert_or_assign(interaction.id, Owed{interaction.token, received, std::move(route)});
}

std::optional<DiscordOutbox::Owed> DiscordOutbox::take_owed(const std::string& id) {
    const auto found = owed_.find(id);
    if (found == owed_.end()) return std::nullopt;
    Owed owed = std::move(found->second);
    owed_.erase(found);
    return owed;
}

asio::awaitable<void> DiscordOutbox::defer_click(std::string interaction_id) {
    const auto owed = take_owed(interaction_id);
    if (!owed) co_return;
    ++counters_.deferred;
    chat::Origin origin;
    origin.id = interaction_id;
    std::string body = json::serialize(callback(CallbackType::deferred_update));
    co_await send_callback(origin, *owed, std::move(body));
}

asio::awaitable<bool> DiscordOutbox::answer(const Interaction& interaction, json::object body,
                                            std::chrono::steady_clock::time_point received, CallbackRoute route) {
    const Owed owed{interaction.token, received, std::move(route)};
    std::string text = json::serialize(body);
    co_return co_await send_callback(origin_of(interaction), owed, std::move(text));
}

asio::awaitable<bool> DiscordOutbox::follow_up(const chat::Origin& origin, std::string message) {
    auto [application, token] = webhook_of(origin);
    auto sent = co_await rest_.follow_up(std::move(application), std::move(token), std::move(message));
    if (sent) co_return true;
    failed(origin, "post a follow-up", sent.error());
    co_return false;
}

asio::awaitable<void> DiscordOutbox::complete(const chat::Origin& origin, chat::Answer answer) {
    std::string data = co_await message(origin, answer.reply, answer.visibility);
    auto [application, token] = webhook_of(origin);
    if (answer.visibility == chat::Visibility::ephemeral) {
        // The deferral is ephemeral too: the answer takes its place.
        auto edited = co_await rest_.edit_original(std::move(application), std::move(token), std::move(data));
        if (!edited) failed(origin, "complete a deferred answer", edited.error());
        co_return;
    }
    // An ephemeral message cannot become a channel message: post beside it, then remove it. Should the
    // post fail, the placeholder says so instead of waiting forever.
    if (!co_await follow_up(origin, std::move(data))) {
        std::string notice = json::serialize(message_of(undelivered_notice(), chat::Visibility::ephemeral));
        auto edited = co_await rest_.edit_original(std::move(application), std::move(token), std::move(notice));
        if (!edited) failed(origin, "say that an answer could not be posted", edited.error());
        co_return;
    }
    auto removed = co_await rest_.delete_original(std::move(application), std::move(token));
    if (!removed)
        logger_->debug("[{}] discord: could not remove a placeholder ({})", origin.id, removed.error().message);
}

asio::awaitable<void> DiscordOutbox::deliver(const chat::Origin& origin, chat::Answer answer) {
    std::string data = co_await message(origin, answer.reply, answer.visibility);
    co_await follow_up(origin, std::move(data));
}

asio::awaitable<void> DiscordOutbox::replace_proposal(const chat::Origin& origin, Reply reply) {
    std::string replacement = json::serialize(replacement_of(reply));
    if (auto owed = take_owed(origin.id)) {
        std::string body = callback_text(CallbackType::update, replacement);
        co_await send_callback(origin, *owed, std::move(body));
        co_return;
    }
    // Deferred (or taken over from another instance): the message clicked is the original.
    auto [application, token] = webhook_of(origin);
    auto edited = co_await rest_.edit_original(std::move(application), std::move(token), std::move(replacement));
    if (!edited) failed(origin, "replace a proposal", edited.error());
}

asio::awaitable<void> DiscordOutbox::post_beside(const chat::Origin& origin, chat::Answer answer) {
    std::string data = co_await message(origin, answer.reply, answer.visibility);
    if (auto owed = take_owed(origin.id)) {
        std::string body = callback_text(CallbackType::message, data);
        co_await send_callback(origin, *owed, std::move(body));
        co_return;
    }
    co_await follow_up(origin, std::move(data));
}

}  // namespace collab::discord
