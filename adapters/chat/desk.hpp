#pragma once
// The chat-platform contract: what Slack, Discord, Mattermost and the shell share, written once.
//
// A platform adapter decodes what its platform delivers into a CommandRequest or a ClickRequest,
// hands it to the Desk, and encodes what comes back into its own messages (an Outbox). The Desk does
// the rest:
//
// - A command must be acknowledged within the platform's deadline (3 s). It runs at once; if its
//   reply is ready within the answer budget it is the acknowledgement's Answer, otherwise the Answer
//   is a placeholder and the reply follows through the Outbox (Slack's and Mattermost's response_url,
//   Discord's webhook edit), taking the placeholder's place. Whatever goes wrong, the person gets an
//   answer.
// - Who sees each reply follows the VisibilityPolicy, per command (visibility.hpp).
// - A click on a proposal's button is acknowledged at once by the platform; the Desk hands it to the
//   core as a confirmation, and the proposal is replaced by the outcome, so its buttons cannot be
//   clicked twice. Someone else's click gets its refusal on its own and leaves the proposal alone.
// - A request another instance took in and died on is resumed (see ChatRequest::resumed) and
//   answered through the Outbox; re-deliveries are told apart by the Claims (claims.hpp).
// - On stop, the platform drains the Desk: work in progress is answered first.
//
// One structured decision line is logged per request (decision_line.hpp).

#include <spdlog/logger.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "adapters/chat/visibility.hpp"
#include "adapters/net/gate.hpp"
#include "adapters/observability/metrics.hpp"
#include "core/service.hpp"

namespace collab::chat {

// Where a request came from, and how to reach its conversation after the acknowledgement.
struct Origin {
    std::string id;  // names the request in every log line (an envelope id, a trigger id)
    Actor actor;
    std::string reply_url;  // the follow-up route: Slack's response_url, Discord's webhook, …; may be empty
    // A command typed as a message (a mention of the bot, a direct message) rather than a slash
    // command: the thread its answer goes to, and whether the conversation is the person's own with
    // the bot (nothing there needs hiding from others). No reply_url then.
    std::string thread = {};
    bool direct = false;
};

// A command typed after /collab, its platform's markup undone.
struct CommandRequest {
    Origin origin;
    std::string text;
};

// A click on a proposal's Confirm or Cancel button.
struct ClickRequest {
    Origin origin;
    std::string token;
    bool cancel = false;
};

using Request = std::variant<CommandRequest, ClickRequest>;

// What an acknowledgement carries, or what travels later: a reply and who sees it.
struct Answer {
    SharedReply reply;
    Visibility visibility = Visibility::ephemeral;
    // The placeholder of a reply that follows through the Outbox: a platform that can defer (Discord)
    // acknowledges with its deferral instead.
    bool placeholder = false;
};

// A platform's way of reaching a conversation after the acknowledgement, each in its wire format.
class Outbox {
public:
    virtual ~Outbox() = default;
    // The reply of a command acknowledged with the placeholder, in the placeholder's place.
    virtual boost::asio::awaitable<void> complete(const Origin& origin, Answer answer) = 0;
    // An Answer the acknowledgement could not carry after all (the connection closed, or the platform
    // stopped waiting for it).
    virtual boost::asio::awaitable<void> deliver(const Origin& origin, Answer answer) = 0;
    // A click's outcome, in place of the proposal clicked.
    virtual boost::asio::awaitable<void> replace_proposal(const Origin& origin, Reply reply) = 0;
    // A message beside the proposal clicked: the refusal of someone else's click (for them alone), or
    // an outcome the channel sees.
    virtual boost::asio::awaitable<void> post_beside(const Origin& origin, Answer answer) = 0;
};

struct DeskSettings {
    // How long a command's reply may take to travel in the acknowledgement itself; the platforms'
    // deadline is 3 s, and the acknowledgement still has to reach them.
    std::chrono::milliseconds answer_budget{2'000};
    VisibilityPolicy visibility;
    std::string placeholder = "Working on it…";
    std::string follow_up_route = "response_url";  // how the log names the Outbox's route
    spdlog::level::level_enum decision_level = spdlog::level::info;
};

// Set once a command's answer is on its way, in its acknowledgement or through the Outbox: the work
// a platform claimed for it is done only then.
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

struct DeskCounters {
    long commands = 0;
    long answered_in_ack = 0;
    long answered_later = 0;  // placeholder, then the Outbox
    long clicks = 0;
};

class Desk {
public:
    Desk(boost::asio::any_io_executor executor, CommandService& service, Outbox& outbox, DeskSettings settings,
         std::shared_ptr<spdlog::logger> logger);

    // The acknowledgement's Answer for a command (see above). Never throws. `answered`, when not null,
    // is set once the answer is on its way (no default: g++ 12 destroys a default argument of a
    // coroutine twice).
    boost::asio::awaitable<Answer> command(CommandRequest request, bool resumed, std::shared_ptr<Answered> answered);
    // Handles a click until its outcome is delivered (`resumed`: one another instance died on).
    boost::asio::awaitable<void> click(ClickRequest request, bool resumed = false);
    // Carries out again a request another instance took in and died on; answers it through the Outbox.
    boost::asio::awaitable<void> resume(Request request);
    // Carries out a command whose delivery was acknowledged bare (a message that addressed the bot):
    // its answer goes through the Outbox (complete) once it is ready.
    boost::asio::awaitable<void> answer_later(CommandRequest request, bool resumed);
    // Delivers an Answer through the Outbox after all, for a platform that could not send the
    // acknowledgement that carried it.
    boost::asio::awaitable<void> deliver_later(Origin origin, Answer answer);
    // The databases the person may act on, for suggestions while they type a command (see
    // CommandService::manageable_databases): not a command, neither counted nor logged as one.
    boost::asio::awaitable<std::vector<std::string>> suggest_databases(Actor actor);

    // Counts commands by kind and outcome, and refusals, into the registry from now on, labelled with
    // the platform ("slack", "discord", "mattermost", "shell"). The counters are found once, here.
    void count_into(observability::Registry& metrics, std::string_view platform);

    // Commands and clicks still being worked on.
    std::size_t in_flight() const { return in_progress_.count(); }
    // Waits until the commands and clicks in progress are done, at most `limit` (false then). Work
    // that begins afterwards is done but no longer counted. Called once, on the executor.
    boost::asio::awaitable<bool> drain(std::chrono::milliseconds limit);
    const DeskCounters& counters() const { return counters_; }

private:
    struct Pending;
    std::shared_ptr<Pending> take(CommandRequest request, bool resumed);
    boost::asio::awaitable<void> run_command(std::shared_ptr<Pending> pending);
    // The service's outcome; an internal error's when the service threw.
    template <typename CoreRequest>
    boost::asio::awaitable<Outcome> ask(const Origin& origin, CoreRequest request);

    boost::asio::any_io_executor executor_;
    CommandService& service_;
    Outbox& outbox_;
    DeskSettings settings_;
    std::shared_ptr<spdlog::logger> logger_;
    net::Gate in_progress_;
    DeskCounters counters_;
    // Resolved once (a lookup allocates; an increment does not): [command kind][reply kind].
    std::map<std::string, std::array<observability::Counter*, 6>, std::less<>> commands_metric_;
    observability::Counter* denied_metric_ = nullptr;
};

}  // namespace collab::chat
