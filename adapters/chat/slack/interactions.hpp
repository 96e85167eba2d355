#pragma once
// Slack's side of the chat contract (adapters/chat/desk.hpp), whichever way Slack delivered a request
// (Socket Mode or HTTP): slash commands, messages that address the bot and button clicks decoded into
// the Desk's requests, and the Desk's answers encoded as Block Kit messages and sent through the
// request's response_url. A message has none: its answer is posted in its thread with the Web API
// (chat.postMessage, or chat.postEphemeral for a reply meant for the asker alone, except in a direct
// message, where the asker is the only reader).
//
// A reply that follows a placeholder takes its place through the response_url (or, for a reply meant
// for the channel, is posted beside it and the placeholder deleted). When Slack refuses a
// response_url (used up, expired), the reply goes through chat.postMessage / chat.postEphemeral.

#include <spdlog/logger.h>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/chat/desk.hpp"
#include "adapters/chat/slack/envelope.hpp"
#include "adapters/chat/slack/web_api.hpp"
#include "adapters/store/shared_state.hpp"

namespace collab::slack {

// Decoding: Slack's requests as the Desk's. `id` names the request in the log (empty: the trigger id).
chat::CommandRequest command_request(SlashCommand command, std::string id = {});
// A message that addresses the bot (a mention in a channel or thread, a direct message) as the
// command it carries, its leading mention of the bot and Slack's markup undone, answered in its
// thread. Otherwise why the bot leaves it alone: its own messages and other bots', edits, joins and
// other subtypes, channel messages that are no mention (so that the bot never answers itself).
// `bot_user_id` (auth.test's) may be empty while unknown: any leading mention is then taken for it.
std::expected<chat::CommandRequest, std::string> message_request(const MessageEvent& event,
                                                                 std::string_view bot_user_id, std::string id);
// Nothing for a click on anything but a proposal's Confirm or Cancel button.
std::optional<chat::ClickRequest> click_request(const BlockAction& action, std::string id);

// What another instance needs to finish a request if this one dies: the envelope itself, reduced to
// the fields the bot reads, in Slack's own shape (decode_frame reads it back). Empty for an envelope
// the bot does not act on.
std::string work_of(const Envelope& envelope);
// What names an event in the claims: its event id, the same on every delivery (Slack delivers an
// event again in a new envelope, or with a new signature in HTTP mode); `fallback` when it has none.
std::string event_claim_key(const MessageEvent& event, std::string fallback);
// The request a claim's work describes; nothing when it cannot be read.
std::optional<chat::Request> request_of_work(const store::Orphan& orphan);

struct OutboxCounters {
    long delivery_failures = 0;  // a reply that neither response_url nor chat.post* could deliver
};

// Encoding: the Desk's answers as Slack messages, through the response_url.
class SlackOutbox : public chat::Outbox {
public:
    SlackOutbox(WebApi& web, std::shared_ptr<spdlog::logger> logger);

    boost::asio::awaitable<void> complete(const chat::Origin& origin, chat::Answer answer) override;
    boost::asio::awaitable<void> deliver(const chat::Origin& origin, chat::Answer answer) override;
    boost::asio::awaitable<void> replace_proposal(const chat::Origin& origin, Reply reply) override;
    boost::asio::awaitable<void> post_beside(const chat::Origin& origin, chat::Answer answer) override;

    const OutboxCounters& counters() const { return counters_; }

private:
    // Posts to the response_url; if Slack refuses (used up, expired), through chat.post* instead.
    boost::asio::awaitable<void> respond(const chat::Origin& origin, boost::json::object body);

    WebApi& web_;
    std::shared_ptr<spdlog::logger> logger_;
    OutboxCounters counters_;
};

}  // namespace collab::slack
