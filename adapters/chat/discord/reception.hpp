#pragma once
// What becomes of an interaction, whichever way it reached the bot (the gateway's INTERACTION_CREATE,
// or a request to the interactions endpoint): one path, so that the two modes answer alike.
//
// - A /collab command and a click on a proposal's button are handed to the Intake
//   (adapters/chat/intake.hpp) under the interaction's id: several instances that all receive it
//   (each gateway session gets every interaction) carry it out once, and the work of an instance that
//   died is taken over. The callback is the answer (type 4) or a deferral (type 5) for a command; the
//   update of the message (type 7), the clicker's refusal (type 4) or, when the outcome is slower than
//   the click budget, a deferred update (type 6) for a click (outbox.hpp).
// - An autocomplete interaction (type 4) is answered with the databases the person may act on that
//   begin with what they typed (callback type 8), or with no choice at all when the lookup is slower
//   than its budget, the option is not a database, or the person is not linked to an account. It is
//   no command: not audited, not counted, and answered by one instance only (the shared store says
//   which).
// - Anything else is left alone.
//
// Runs on the Desk's executor.

#include <spdlog/logger.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "adapters/chat/desk.hpp"
#include "adapters/chat/discord/interaction.hpp"
#include "adapters/chat/discord/outbox.hpp"
#include "adapters/chat/discord/proposal_shelf.hpp"
#include "adapters/chat/discord/rest_client.hpp"
#include "adapters/chat/intake.hpp"
#include "adapters/store/shared_state.hpp"

namespace collab::discord {

struct ReceptionSettings {
    chat::ClaimSettings claims;  // of the interactions taken in
    // A command's callback sent this long after its interaction arrived may reach Discord after its
    // 3 s: its answer also goes as a follow-up.
    std::chrono::milliseconds late_after{2'500};
    // A click whose outcome is not ready this long after it arrived is deferred (type 6).
    std::chrono::milliseconds click_budget{2'000};
    // Suggestions not found this long after their interaction arrived are answered with none.
    std::chrono::milliseconds suggestion_budget{2'000};
    std::string transport = "discord";  // names the way in, in the log
};

struct ReceptionCounters {
    long interactions = 0;  // commands and clicks carried out
    long suggestions = 0;   // autocomplete interactions answered
    long skipped = 0;       // malformed
};

class Reception {
public:
    Reception(boost::asio::any_io_executor executor, DiscordOutbox& outbox, chat::Desk& desk,
              store::SharedState& shared, ProposalShelf& shelf, ReceptionSettings settings,
              std::shared_ptr<spdlog::logger> logger);

    // An interaction as Discord sent it, `received` at that moment; its callback takes `route` (empty:
    // REST). Ends once the interaction was answered (a click: once its outcome was delivered).
    boost::asio::awaitable<void> take_in(boost::json::object data, std::chrono::steady_clock::time_point received,
                                         CallbackRoute route);

    // Where the interactions are claimed: its sweep takes over the work of instances that died, its
    // settle waits on stop until those taken in here are marked done.
    chat::Intake& intake() { return intake_; }

    ReceptionCounters counters() const { return counters_; }
    const chat::ClaimCounters& claim_counters() const { return intake_.claim_counters(); }

private:
    boost::asio::awaitable<void> take_in_command(Interaction interaction, boost::json::object data,
                                                 std::chrono::steady_clock::time_point received, CallbackRoute route);
    boost::asio::awaitable<void> take_in_click(Interaction interaction, boost::json::object data,
                                               std::chrono::steady_clock::time_point received, CallbackRoute route);
    boost::asio::awaitable<void> suggest(Interaction interaction, std::chrono::steady_clock::time_point received,
                                         CallbackRoute route);
    // The person's databases, or nothing when the lookup is not done by `deadline` (it goes on, and is
    // dropped).
    boost::asio::awaitable<std::optional<std::vector<std::string>>> databases_of(
        Actor actor, std::chrono::steady_clock::time_point deadline);

    boost::asio::any_io_executor executor_;
    DiscordOutbox& outbox_;
    chat::Desk& desk_;
    store::SharedState& shared_;
    ProposalShelf& shelf_;
    chat::Intake intake_;
    ReceptionSettings settings_;
    std::shared_ptr<spdlog::logger> logger_;
    ReceptionCounters counters_;
};

// /collab's command set, registered by bulk overwrite for `application_id`, in `guild_id` (empty:
// globally); the outcome is logged.
boost::asio::awaitable<void> register_commands(RestClient& rest, std::string application_id, std::string guild_id,
                                               std::shared_ptr<spdlog::logger> logger);

// What another instance needs to finish an interaction if this one dies (the interaction itself, and
// a click's confirmation token), and the request it describes; nothing when it cannot be read.
std::string work_of(const boost::json::object& interaction, const chat::ClickRequest* click);
std::optional<chat::Request> request_of_work(const store::Orphan& orphan);

}  // namespace collab::discord
