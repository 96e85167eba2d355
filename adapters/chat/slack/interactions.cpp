#include "adapters/chat/slack/interactions.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "adapters/chat/decision_line.hpp"
#include "adapters/chat/slack/markup.hpp"
#include "core/command.hpp"
#include "core/confirmation.hpp"
#include "core/replies.hpp"

namespace collab::slack {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// Keeps the count of work in progress right on every way out of a coroutine.
class InFlight {
public:
    explicit InFlight(std::size_t& count) : count_(count) { ++count_; }
    ~InFlight() { --count_; }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

private:
    std::size_t& count_;
};

}  // namespace

// A slash command between its arrival and its acknowledgement. The command's coroutine cancels the
// timer when the reply is in; the acknowledging side stops waiting at that moment or at the budget.
struct Interactions::Pending {
    Pending(asio::any_io_executor executor, SlashCommand command)
        : command(std::move(command)), ready(std::move(executor), asio::steady_timer::time_point::max()) {}
    SlashCommand command;
    std::string request_id;
    std::string text;  // the command text with Slack's markup undone
    std::chrono::steady_clock::time_point received = std::chrono::steady_clock::now();
    ResponsePolicy policy;
    asio::steady_timer ready;
    std::optional<Reply> reply;
    bool acknowledged = false;  // with the placeholder: the reply must follow through response_url
    bool resumed = false;
    std::shared_ptr<Answered> answered;
};

void Answered::set() {
    set_ = true;
    timer_.cancel();
}

asio::awaitable<void> Answered::wait() {
    if (!set_) co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
}

Interactions::Interactions(asio::any_io_executor executor, CommandService& service, WebApi& web,
                           InteractionSettings settings, std::shared_ptr<spdlog::logger> logger)
    : executor_(std::move(executor)),
      service_(service),
      web_(web),
      settings_(std::move(settings)),
      logger_(std::move(logger)) {}

ResponsePolicy Interactions::policy_for(const Outcome& outcome) const {
    ResponsePolicy policy = settings_.responses;
    if (auto found = settings_.by_command.find(outcome.subject()); found != settings_.by_command.end()) {
        policy.set(ReplyKind::result, found->second);
        policy.set(ReplyKind::change, found->second);
    }
    return policy;
}

namespace {

std::string_view to_string(ReplyKind kind) {
    switch (kind) {
        case ReplyKind::result: return "answered";
        case ReplyKind::change: return "changed";
        case ReplyKind::proposal: return "proposed";
        case ReplyKind::denied: return "denied";
        case ReplyKind::usage_error: return "usage error";
        case ReplyKind::failure: return "failed";
    }
    return "answered";
}

}  // namespace

void Interactions::count_into(observability::Registry& metrics) {
    constexpr std::array kinds{ReplyKind::result, ReplyKind::change,      ReplyKind::proposal,
                               ReplyKind::denied, ReplyKind::usage_error, ReplyKind::failure};
    std::vector<std::string> names;
    for (const auto& spec : command_specs()) names.emplace_back(spec.name);
    names.emplace_back("?");
    for (const auto& name : names) {
        auto& row = commands_metric_[name];
        for (auto kind : kinds)
            row[static_cast<std::size_t>(kind)] =
                &metrics.counter("collab_commands_total", "Slash commands handled, by command and outcome.",
                                 {{"kind", name}, {"outcome", std::string(to_string(kind))}});
    }
    denied_metric_ = &metrics.counter("collab_decisions_denied_total", "Commands the policy refused.");
}

Actor Interactions::actor_of(const std::string& team, const std::string& user, const std::string& channel) const {
    return Actor{"slack", team, user, channel, std::nullopt};
}

std::shared_ptr<Interactions::Pending> Interactions::take(SlashCommand command, std::string request_id, bool resumed) {
    ++counters_.commands;
    auto pending = std::make_shared<Pending>(executor_, std::move(command));
    pending->request_id = request_id.empty() ? pending->command.trigger_id : std::move(request_id);
    pending->text = unescape_command_text(pending->command.text);
    pending->resumed = resumed;
    return pending;
}

asio::awaitable<void> Interactions::resume_command(SlashCommand command, std::string request_id) {
    auto pending = take(std::move(command), std::move(request_id), true);
    // Its acknowledgement, if any, was sent by the instance that died: the answer follows it.
    pending->acknowledged = true;
    ++counters_.answered_later;
    co_await run_command(pending);
}

asio::awaitable<json::object> Interactions::slash_command(SlashCommand command, std::string request_id, bool resumed,
                                                          std::shared_ptr<Answered> answered) {
    auto pending = take(std::move(command), std::move(request_id), resumed);
    pending->answered = std::move(answered);
    asio::co_spawn(executor_, run_command(pending), asio::detached);
    if (!pending->reply) {
        pending->ready.expires_after(settings_.answer_budget);
        co_await pending->ready.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (pending->reply) {
        ++counters_.answered_in_ack;
        co_return to_message(*pending->reply, pending->policy);
    }
    pending->acknowledged = true;
    ++counters_.answered_later;
    const Reply placeholder = replies::one_line(ReplyKind::result, LineStyle::plain, settings_.placeholder);
    co_return to_message(placeholder);
}

asio::awaitable<void> Interactions::run_command(std::shared_ptr<Pending> pending) {
    InFlight counted(in_flight_);
    ChatRequest request{actor_of(pending->command.team_id, pending->command.user_id, pending->command.channel_id),
                        pending->text, pending->resumed};
    Outcome outcome;
    try {
        outcome = co_await service_.handle(std::move(request));
    } catch (const std::exception& error) {
        logger_->error("[{}] slack: command from {} failed: {}", pending->request_id, pending->command.user_id,
                       error.what());
        outcome.reply = replies::internal_error();
    }
    Reply& reply = outcome.reply;
    pending->policy = policy_for(outcome);
    // One line per command: who, where, what kind of command and how it ended; never its arguments
    // (a confirmation token is a credential).
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - pending->received);
    if (auto counters = commands_metric_.find(outcome.command); counters != commands_metric_.end())
        counters->second[static_cast<std::size_t>(reply.kind)]->inc();
    if (denied_metric_ && reply.kind == ReplyKind::denied) denied_metric_->inc();
    logger_->info("[{}] {} elapsed_ms={:.1f} via={}{}", pending->request_id, chat::decision_line(outcome.decision),
                  static_cast<double>(elapsed.count()) / 1000.0, pending->acknowledged ? "response_url" : "ack",
                  pending->resumed ? " resumed=true" : "");
    if (!pending->acknowledged) {
        pending->reply = std::move(reply);
        pending->ready.cancel();
    } else {
        co_await follow_up(pending->command, std::move(reply), pending->policy);
    }
    if (pending->answered) pending->answered->set();
}

asio::awaitable<void> Interactions::follow_up(SlashCommand command, Reply reply, ResponsePolicy policy) {
    json::object message = to_message(reply, policy);
    if (policy.for_kind(reply.kind) == ResponseType::ephemeral) {
        // The placeholder is ephemeral too: the reply takes its place.
        message["replace_original"] = true;
        co_await respond(command.response_url, command.channel_id, command.user_id, std::move(message));
        co_return;
    }
    // An ephemeral message cannot become a channel message: post beside it, then remove it.
    co_await respond(command.response_url, command.channel_id, command.user_id, std::move(message));
    json::object removal{{"delete_original", true}};
    auto removed = co_await web_.respond(command.response_url, std::move(removal));
    if (!removed) logger_->debug("slack: could not delete a placeholder ({})", removed.error().error);
}

asio::awaitable<void> Interactions::deliver_later(SlashCommand command, json::object payload) {
    InFlight counted(in_flight_);
    co_await respond(command.response_url, command.channel_id, command.user_id, std::move(payload));
}

void Interactions::block_action(BlockAction action) {
    asio::co_spawn(executor_, click(std::move(action)), asio::detached);
}

asio::awaitable<void> Interactions::click(BlockAction action, bool resumed) {
    InFlight counted(in_flight_);
    ++counters_.clicks;
    if (action.action_id != confirm_action_id && action.action_id != cancel_action_id) {
        logger_->debug("slack: ignoring a click on {}", action.action_id);
        co_return;
    }
    ConfirmationRequest request{actor_of(action.team_id, action.user_id, action.channel_id), action.value,
                                action.action_id == cancel_action_id, resumed};
    Outcome told;
    try {
        told = co_await service_.handle(std::move(request));
    } catch (const std::exception& error) {
        logger_->error("slack: confirmation by {} failed: {}", action.user_id, error.what());
        told.reply = replies::internal_error();
    }
    logger_->info("{}", chat::decision_line(told.decision));
    const Reply& outcome = told.reply;
    const ResponsePolicy policy = policy_for(told);
    if (!told.by_proposer) {
        // The proposal stays for the person it belongs to; the refusal goes to the clicker alone.
        json::object refusal = to_message(outcome);
        refusal["response_type"] = "ephemeral";
        refusal["replace_original"] = false;
        co_await respond(action.response_url, action.channel_id, action.user_id, std::move(refusal));
        co_return;
    }
    json::object replacement = to_replacement(outcome);
    co_await respond(action.response_url, action.channel_id, action.user_id, std::move(replacement));
    if (policy.for_kind(outcome.kind) == ResponseType::in_channel) {
        json::object announcement = to_message(outcome, policy);
        announcement["replace_original"] = false;
        co_await respond(action.response_url, action.channel_id, action.user_id, std::move(announcement));
    }
}

asio::awaitable<void> Interactions::respond(std::string response_url, std::string channel, std::string user,
                                            json::object body) {
    if (!response_url.empty()) {
        json::object copy = body;
        auto sent = co_await web_.respond(response_url, std::move(copy));
        if (sent) co_return;
        logger_->warn("slack: response_url refused the reply ({}); posting it with the Web API", sent.error().error);
    }
    if (body.contains("delete_original") || channel.empty()) {
        ++counters_.delivery_failures;
        co_return;
    }
    // A replacement cannot be done without the response_url: the reply comes as a new message.
    const bool in_channel = body.contains("response_type") && body.at("response_type") == "in_channel";
    body.erase("replace_original");
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
