#pragma once
// Discord's side of the chat contract (adapters/chat/desk.hpp): the Desk's answers as interaction
// callbacks and webhook calls (docs: interactions/receiving-and-responding).
//
// Discord hears an interaction's answer over HTTP only, once, within 3 s of its arrival:
// - a command's callback is its answer (type 4), or a deferral (type 5) for the Desk's placeholder,
//   completed later by editing @original;
// - a click's callback replaces the message clicked with the outcome (type 7), or carries a refusal
//   for the clicker alone (type 4, ephemeral); an outcome slower than the answer budget is deferred
//   (type 6) and the message edited later.
// The Outbox remembers which clicks still owe their callback, so that whichever comes first (the
// outcome, or the deferral) sends it and the other goes through the webhook. A callback goes over
// REST, or, for an interaction that came to the interactions endpoint, as the response to its
// request (CallbackRoute): the later replies take the webhook either way.
//
// Who sees a message is fixed when it is created (flag 64): an answer meant for the channel after an
// ephemeral deferral is posted as a follow-up, and the placeholder removed once it was; when it was
// not, the placeholder is replaced by a notice saying so. A reply holding a proposal
// is put on the ProposalShelf first: its buttons carry the shelf's id.
//
// Runs on one thread (the bot's io_context): no lock.

#include <spdlog/logger.h>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "adapters/chat/ack_latency.hpp"
#include "adapters/chat/desk.hpp"
#include "adapters/chat/discord/interaction.hpp"
#include "adapters/chat/discord/proposal_shelf.hpp"
#include "adapters/chat/discord/rest_client.hpp"
#include "core/form_cache.hpp"

namespace collab::discord {

// How an interaction's callback reaches Discord: empty, over REST (an interaction from the gateway);
// otherwise as the response to the HTTP request the interaction came in (the interactions endpoint),
// which tells once it was written (true) or could not be (false).
using CallbackRoute = std::function<boost::asio::awaitable<bool>(std::string callback_json)>;

struct DiscordOutboxCounters {
    long deferred = 0;           // commands and clicks acknowledged with a deferral
    long delivery_failures = 0;  // a reply Discord did not take
};

class DiscordOutbox : public chat::Outbox {
public:
    DiscordOutbox(RestClient& rest, ProposalShelf& shelf, std::shared_ptr<spdlog::logger> logger);

    // A command's callback: its answer (type 4), or the deferral (type 5) of a placeholder. False when
    // Discord did not take it (the answer must then follow some other way).
    boost::asio::awaitable<bool> acknowledge(const Interaction& interaction, chat::Answer answer,
                                             std::chrono::steady_clock::time_point received, CallbackRoute route);
    // A click the Desk is about to work on: its callback is owed until its outcome or defer_click sends it.
    void owe_callback(const Interaction& interaction, std::chrono::steady_clock::time_point received,
                      CallbackRoute route);
    // A click still owing its callback is deferred (type 6): its outcome will edit the message.
    boost::asio::awaitable<void> defer_click(std::string interaction_id);
    // A callback made up already (a click the bot does not act on, suggestions): sent as it is.
    boost::asio::awaitable<bool> answer(const Interaction& interaction, boost::json::object body,
                                        std::chrono::steady_clock::time_point received, CallbackRoute route);

    boost::asio::awaitable<void> complete(const chat::Origin& origin, chat::Answer answer) override;
    boost::asio::awaitable<void> deliver(const chat::Origin& origin, chat::Answer answer) override;
    boost::asio::awaitable<void> replace_proposal(const chat::Origin& origin, Reply reply) override;
    boost::asio::awaitable<void> post_beside(const chat::Origin& origin, chat::Answer answer) override;

    // Records, from now on, how long after its interaction arrived each callback reached Discord.
    void measure_into(observability::Registry& metrics) { ack_latency_.measure_into(metrics, "discord"); }

    const DiscordOutboxCounters& counters() const { return counters_; }

private:
    struct Owed {
        std::string token;
        std::chrono::steady_clock::time_point received;
        CallbackRoute route;
    };
    struct Webhook {
        std::string application_id;
        std::string token;
    };

    // The callback `id` still owes, taken: whoever takes it sends it.
    std::optional<Owed> take_owed(const std::string& id);
    // A message for `reply`, as JSON text; a proposal's buttons carry the id it was put away under.
    // Any other message is kept per reply key and visibility: a `list` or `help` repeated while its
    // subject is unchanged is neither rendered nor serialised again.
    boost::asio::awaitable<std::string> message(const chat::Origin& origin, const Reply& reply,
                                                chat::Visibility visibility);
    boost::asio::awaitable<bool> send_callback(const chat::Origin& origin, const Owed& owed, std::string body);
    // False when Discord did not take it (logged).
    boost::asio::awaitable<bool> follow_up(const chat::Origin& origin, std::string message);
    void failed(const chat::Origin& origin, std::string_view what, const DiscordError& error);

    RestClient& rest_;
    ProposalShelf& shelf_;
    std::shared_ptr<spdlog::logger> logger_;
    std::map<std::string, Owed, std::less<>> owed_;
    FormCache<std::string> forms_;
    DiscordOutboxCounters counters_;
    chat::AckLatency ack_latency_;
};

}  // namespace collab::discord
