#pragma once
// What the bot does with a slash command or a button click, whichever way Slack delivered it
// (Socket Mode or HTTP): the part both transports share.
//
// A slash command must be acknowledged within 3 seconds. The command runs at once; if its reply is
// ready within the answer budget it is the acknowledgement's payload, otherwise the acknowledgement
// is a "working on it" placeholder and the reply follows through the command's response_url,
// replacing the placeholder (or, for a reply meant for the channel, posted beside it and the
// placeholder deleted). Whatever goes wrong upstream, the person gets an answer.
//
// A click on a proposal's button is acknowledged at once; the confirmation runs as the person who
// clicked, and the proposal is replaced by the outcome, so its buttons cannot be clicked twice.
//
// A command or click another instance took in and died on is resumed here: it runs again, told that
// the first attempt may have done part of it (see ChatRequest::resumed), and is answered through its
// response_url.
// Someone else's click (possible when proposals are posted in the channel) gets its refusal on its
// own and leaves the proposal alone.

#include <spdlog/logger.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>

#include "adapters/chat/slack/blocks.hpp"
#include "adapters/chat/slack/envelope.hpp"
#include "adapters/chat/slack/web_api.hpp"
#include "adapters/observability/metrics.hpp"
#include "core/ports.hpp"
#include "core/service.hpp"

namespace collab::slack {

struct InteractionSettings {
    // How long a slash command's reply may take to travel in the acknowledgement itself; Slack's
    // deadline is 3 s, and the acknowledgement still has to reach it.
    std::chrono::milliseconds answer_budget{2'000};
    ResponsePolicy responses;
    // Who sees a successful answer, by command name ("list", "add", …): overrides `responses` for the
    // result and change kinds. A confirmation follows the entry of what it confirms (remove, leave).
    std::map<std::string, ResponseType, std::less<>> by_command;
    std::string placeholder = "Working on it…";
};

// Set once a command's answer is on its way, in its acknowledgement or through response_url: the work
// a transport claimed for it is done only then.
class Answered {
public:
    explicit Answered(boost::asio::any_io_executor executor)
        : timer_(std::move(executor), boost::asio::steady_timer::time_point::max()) {}
    void set();
    boost::asio::awaitable<void> wait();

private:
    boost::asio::steady_timer timer_;
    bool set_ = false;
};

struct InteractionCounters {
    long commands = 0;
    long answered_in_ack = 0;
    long answered_later = 0;  // placeholder, then response_url
    long clicks = 0;
    long delivery_failures = 0;  // a reply that neither response_url nor chat.post* could deliver
};

class Interactions {
public:
    Interactions(boost::asio::any_io_executor executor, CommandService& service, WebApi& web,
                 InteractionSettings settings, std::shared_ptr<spdlog::logger> logger);

    // The acknowledgement's payload for a slash command (see above). Never throws. `request_id` names
    // the command in every log line about it (the envelope id; empty: the command's trigger_id).
    // `answered`, when given, is set once the answer is on its way.
    boost::asio::awaitable<boost::json::object> slash_command(SlashCommand command, std::string request_id = {},
                                                              bool resumed = false,
                                                              std::shared_ptr<Answered> answered = nullptr);
    // Runs again a command another instance took in and died on, and answers it through response_url.
    boost::asio::awaitable<void> resume_command(SlashCommand command, std::string request_id);

    // Handles a click in the background; the caller acknowledges it at once, with no payload.
    void block_action(BlockAction action);
    // Handles a click (resumed: one another instance died on) until its outcome is delivered.
    boost::asio::awaitable<void> click(BlockAction action, bool resumed = false);

    // Delivers a payload through the command's response_url after all, for a transport that could not
    // send the acknowledgement that carried it in time (the socket closed, or Slack stopped waiting).
    boost::asio::awaitable<void> deliver_later(SlashCommand command, boost::json::object payload);

    // Counts commands by kind and outcome, and refusals, into the registry from now on.
    void count_into(observability::Registry& metrics);

    // Commands and clicks still being worked on: graceful shutdown waits for this to reach zero.
    std::size_t in_flight() const { return in_flight_; }
    const InteractionCounters& counters() const { return counters_; }

private:
    struct Pending;
    std::shared_ptr<Pending> take(SlashCommand command, std::string request_id, bool resumed);
    boost::asio::awaitable<void> run_command(std::shared_ptr<Pending> pending);
    boost::asio::awaitable<void> follow_up(SlashCommand command, Reply reply, ResponsePolicy policy);
    // Posts to a response_url; if Slack refuses (used up, expired), through chat.post* instead.
    boost::asio::awaitable<void> respond(std::string response_url, std::string channel, std::string user,
                                         boost::json::object body);
    // Who sees the reply: by its kind, and for the command it answers.
    ResponsePolicy policy_for(const Outcome& outcome) const;
    Actor actor_of(const std::string& team, const std::string& user, const std::string& channel) const;

    boost::asio::any_io_executor executor_;
    CommandService& service_;
    WebApi& web_;
    InteractionSettings settings_;
    std::shared_ptr<spdlog::logger> logger_;
    std::size_t in_flight_ = 0;
    InteractionCounters counters_;
    // Resolved once (a lookup allocates; an increment does not): [command kind][reply kind].
    std::map<std::string, std::array<observability::Counter*, 6>, std::less<>> commands_metric_;
    observability::Counter* denied_metric_ = nullptr;
};

}  // namespace collab::slack
