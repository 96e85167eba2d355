#include "adapters/chat/desk.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <optional>
#include <vector>

#include "adapters/chat/decision_line.hpp"
#include "core/command.hpp"
#include "core/replies.hpp"

namespace collab::chat {
namespace asio = boost::asio;

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

// A command between its arrival and its acknowledgement. The command's coroutine cancels the timer
// when the answer is in; the acknowledging side stops waiting at that moment or at the budget.
struct Desk::Pending {
    Pending(asio::any_io_executor executor, CommandRequest request)
        : request(std::move(request)), ready(std::move(executor), asio::steady_timer::time_point::max()) {}
    CommandRequest request;
    std::chrono::steady_clock::time_point received = std::chrono::steady_clock::now();
    asio::steady_timer ready;
    std::optional<Answer> answer;
    bool acknowledged = false;  // with the placeholder: the answer must follow through the Outbox
    bool resumed = false;
    std::shared_ptr<Answered> answered;
    // Taken when the command arrives, not when its coroutine first runs: a drain in between must
    // still wait for it.
    std::optional<net::Gate::Holder> held;
};

void Answered::set() {
    set_ = true;
    timer_.cancel();
}

asio::awaitable<void> Answered::wait() {
    if (!set_) co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
}

Desk::Desk(asio::any_io_executor executor, CommandService& service, Outbox& outbox, DeskSettings settings,
           std::shared_ptr<spdlog::logger> logger)
    : executor_(std::move(executor)),
      service_(service),
      outbox_(outbox),
      settings_(std::move(settings)),
      logger_(std::move(logger)),
      in_progress_(executor_) {}

void Desk::count_into(observability::Registry& metrics, std::string_view platform) {
    const std::string platform_label(platform);
    constexpr std::array kinds{ReplyKind::result, ReplyKind::change,      ReplyKind::proposal,
                               ReplyKind::denied, ReplyKind::usage_error, ReplyKind::failure};
    std::vector<std::string> names;
    for (const auto& spec : command_specs()) names.emplace_back(spec.name);
    names.emplace_back("?");
    for (const auto& name : names) {
        auto& row = commands_metric_[name];
        for (auto kind : kinds)
            row[static_cast<std::size_t>(kind)] = &metrics.counter(
                "collab_commands_total", "Slash commands handled, by command, outcome and platform.",
                {{"kind", name}, {"outcome", std::string(to_string(kind))}, {"platform", platform_label}});
    }
    denied_metric_ = &metrics.counter("collab_decisions_denied_total", "Commands the policy refused, by platform.",
                                      {{"platform", platform_label}});
}

template <typename CoreRequest>
asio::awaitable<Outcome> Desk::ask(const Origin& origin, CoreRequest request) {
    try {
        co_return co_await service_.handle(std::move(request));
    } catch (const std::exception& error) {
        logger_->error("[{}] {}: a request from {} failed: {}", origin.id, origin.actor.platform, origin.actor.user_id,
                       error.what());
    }
    Outcome failed;
    failed.reply = replies::internal_error();
    co_return failed;
}

std::shared_ptr<Desk::Pending> Desk::take(CommandRequest request, bool resumed) {
    ++counters_.commands;
    auto pending = std::make_shared<Pending>(executor_, std::move(request));
    pending->resumed = resumed;
    pending->held = in_progress_.try_enter();
    return pending;
}

asio::awaitable<Answer> Desk::command(CommandRequest request, bool resumed, std::shared_ptr<Answered> answered) {
    auto pending = take(std::move(request), resumed);
    pending->answered = std::move(answered);
    asio::co_spawn(executor_, run_command(pending), asio::detached);
    if (!pending->answer) {
        pending->ready.expires_after(settings_.answer_budget);
        co_await pending->ready.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (pending->answer) {
        ++counters_.answered_in_ack;
        // Moved out: run_command is done with it once it is set.
        co_return std::move(*pending->answer);
    }
    pending->acknowledged = true;
    ++counters_.answered_later;
    co_return Answer{replies::one_line(ReplyKind::result, LineStyle::plain, settings_.placeholder),
                     Visibility::ephemeral, true};
}

asio::awaitable<void> Desk::resume(Request request) {
    if (auto* click_request = std::get_if<ClickRequest>(&request)) {
        co_await click(std::move(*click_request), true);
        co_return;
    }
    // Its acknowledgement, if any, was sent by the instance that died: the answer follows it.
    co_await answer_later(std::get<CommandRequest>(std::move(request)), true);
}

asio::awaitable<void> Desk::answer_later(CommandRequest request, bool resumed) {
    auto pending = take(std::move(request), resumed);
    pending->acknowledged = true;
    ++counters_.answered_later;
    co_await run_command(pending);
}

asio::awaitable<void> Desk::run_command(std::shared_ptr<Pending> pending) {
    const Origin& origin = pending->request.origin;
    ChatRequest request{origin.actor, pending->request.text, pending->resumed};
    Outcome outcome = co_await ask(origin, std::move(request));
    // One line per command: who, where, what kind of command and how it ended; never its arguments
    // (a confirmation token is a credential).
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - pending->received);
    if (auto counters = commands_metric_.find(outcome.command); counters != commands_metric_.end())
        counters->second[static_cast<std::size_t>(outcome.reply->kind)]->inc();
    if (denied_metric_ && outcome.reply->kind == ReplyKind::denied) denied_metric_->inc();
    if (logger_->should_log(settings_.decision_level)) {
        std::string line = decision_line(origin.id, outcome.decision);
        append_elapsed(line, elapsed);
        line += " via=";
        line += pending->acknowledged ? std::string_view(settings_.follow_up_route) : "ack";
        if (pending->resumed) line += " resumed=true";
        logger_->log(settings_.decision_level, std::string_view(line));
    }
    Answer answer{outcome.reply, settings_.visibility.of(outcome)};
    if (!pending->acknowledged) {
        pending->answer = std::move(answer);
        pending->ready.cancel();
    } else {
        co_await outbox_.complete(origin, std::move(answer));
    }
    if (pending->answered) pending->answered->set();
    pending->held.reset();
}

asio::awaitable<void> Desk::deliver_later(Origin origin, Answer answer) {
    const auto held = in_progress_.try_enter();
    co_await outbox_.deliver(origin, std::move(answer));
}

asio::awaitable<bool> Desk::drain(std::chrono::milliseconds limit) {
    co_return co_await in_progress_.close(limit);
}

asio::awaitable<void> Desk::click(ClickRequest request, bool resumed) {
    const auto held = in_progress_.try_enter();
    ++counters_.clicks;
    const Origin& origin = request.origin;
    ConfirmationRequest confirmation{origin.actor, request.token, request.cancel, resumed};
    Outcome told = co_await ask(origin, std::move(confirmation));
    if (logger_->should_log(settings_.decision_level))
        logger_->log(settings_.decision_level, std::string_view(decision_line(origin.id, told.decision)));
    if (!told.by_proposer) {
        // The proposal stays for the person it belongs to; the refusal goes to the clicker alone.
        Answer refusal{told.reply, Visibility::ephemeral};
        co_await outbox_.post_beside(origin, std::move(refusal));
        co_return;
    }
    const Visibility visibility = settings_.visibility.of(told);
    Reply replacement = *told.reply;
    co_await outbox_.replace_proposal(origin, std::move(replacement));
    // An access request's card is in the channel already: its replacement is the announcement.
    if (visibility == Visibility::in_channel && !told.settles_card) {
        Answer announcement{told.reply, visibility};
        co_await outbox_.post_beside(origin, std::move(announcement));
    }
}

asio::awaitable<std::vector<std::string>> Desk::suggest_databases(Actor actor) {
    co_return co_await service_.manageable_databases(std::move(actor));
}

}  // namespace collab::chat
