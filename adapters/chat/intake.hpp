#pragma once
// What every transport does with a request it has decoded, written once: claim it (claims.hpp), hand
// it to the Desk (desk.hpp), and mark it done once its answer is on its way.
//
// A transport decodes its platform's delivery into an Arrival and a CommandRequest or ClickRequest,
// hands them here, and encodes and sends what comes back:
//
//   command:  command() -> nothing: a re-delivery, acknowledge it bare
//                       -> Taken: acknowledge with its Answer, then finish(taken, whether it was sent)
//   click:    click(), which calls `claimed` once the click is claimed: the moment to acknowledge it
//             (a repeat too)
//
// The work of an instance that died is taken over by sweep(), with the transport's reading of the work
// it left (ReadWork).

#include <spdlog/logger.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "adapters/chat/claims.hpp"
#include "adapters/chat/desk.hpp"
#include "adapters/store/shared_state.hpp"

namespace collab::chat {

struct IntakeSettings {
    ClaimSettings claims;
    // An acknowledgement sent this long after its request arrived may reach the platform after it stopped
    // waiting (3 s): its answer also travels through the Outbox. The maximum: never.
    std::chrono::milliseconds late_after = std::chrono::milliseconds::max();
    std::string transport;  // names the transport in the log ("slack", "slack http")
};

// A request as it arrived, before it is decoded further.
struct Arrival {
    std::string key;   // names it in the claims and the log: unique per request, the same for a re-delivery
    std::string work;  // what another instance needs to finish it, in the platform's words
    int attempt = 0;   // the platform's count of deliveries, for the log
    std::chrono::steady_clock::time_point at = std::chrono::steady_clock::now();
};

// A command taken in and answered (or given the placeholder): what its acknowledgement carries.
struct Taken {
    std::string key;
    Origin origin;
    Answer answer;
    // Delivered again while it ran, or slow enough that the platform may have stopped waiting: the
    // acknowledgement may not count, so finish() also sends the answer through the Outbox.
    bool late = false;
    std::shared_ptr<Answered> answered;
};

class Intake {
public:
    // The transport's reading of the work a lapsed claim's first owner left: the request it describes,
    // or nothing when it cannot be read.
    using ReadWork = std::function<std::optional<Request>(const store::Orphan& orphan)>;

    Intake(boost::asio::any_io_executor executor, Desk& desk, store::SharedState& shared, IntakeSettings settings,
           ReadWork read_work, std::shared_ptr<spdlog::logger> logger);

    // Claims a command, then runs it through the Desk: what its acknowledgement carries, or nothing for
    // a re-delivery (acknowledged bare, not run twice).
    boost::asio::awaitable<std::optional<Taken>> command(Arrival arrival, CommandRequest request);
    // After the acknowledgement that carries `taken` was sent (`acknowledged`), or could not be: the
    // answer goes through the Outbox too when it was not sent or may come too late; the claim is marked
    // done once the answer is on its way.
    boost::asio::awaitable<void> finish(Taken taken, bool acknowledged);
    // Claims a click, tells `claimed` (may be empty) what the claim found, then, unless it is a repeat,
    // has the Desk handle it until its outcome is delivered and marks it done. `click` empty: a delivery
    // the bot does not act on, claimed all the same so that its re-delivery is recognised.
    boost::asio::awaitable<Delivery> click(Arrival arrival, std::optional<ClickRequest> click,
                                           std::function<void(Delivery)> claimed);
    // The same for a command typed as a message (Slack's mentions and direct messages): acknowledged
    // bare once claimed, answered through the Outbox (Desk::answer_later). `command` empty: a message
    // the bot does not act on (its own, another bot's, an edit), claimed all the same.
    boost::asio::awaitable<Delivery> message(Arrival arrival, std::optional<CommandRequest> command,
                                             std::function<void(Delivery)> claimed);

    // Every sweep_every until stop(): takes over the work instances that died left unfinished.
    boost::asio::awaitable<void> sweep();
    void stop();
    // On stop, after stop() and the Desk's drain: waits until the requests taken in here are marked
    // done, at most `limit` (see Claims::settle).
    boost::asio::awaitable<bool> settle(std::chrono::milliseconds limit);

    const ClaimCounters& claim_counters() const { return claims_.counters(); }

    // The work an Arrival leaves with its claim, described by `describe` only when another instance
    // could take it over (a description costs a JSON document per request).
    template <typename Describe>
    std::string work(Describe&& describe) const {
        return claims_.hands_over_work() ? std::forward<Describe>(describe)() : std::string();
    }

private:
    // Claims a delivery acknowledged at once, then has the Desk carry out `request` (if any).
    boost::asio::awaitable<Delivery> at_once(Arrival arrival, std::optional<Request> request,
                                             std::function<void(Delivery)> claimed);
    boost::asio::awaitable<void> resume(store::Orphan orphan);

    boost::asio::any_io_executor executor_;
    Desk& desk_;
    Claims claims_;
    IntakeSettings settings_;
    ReadWork read_work_;
    std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace collab::chat
