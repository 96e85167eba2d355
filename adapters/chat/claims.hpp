#pragma once
// Re-deliveries and instances that die, for every platform: a request is claimed in the shared state
// (in memory, or PostgreSQL for several instances) before it is acknowledged, so one the platform
// delivers again (its first acknowledgement came late or was lost) is acknowledged but not carried
// out twice, whichever connection or instance took it first.
//
// A claim holds a lease its instance renews while the work runs, and the work itself, in the
// platform's own words, so that anyone can finish it. An instance that dies stops renewing: a
// re-delivery of its request, or else the sweep every instance makes for lapsed leases, takes the
// work over and answers the person (through the follow-up route when the acknowledgement is gone).
// So every request acknowledged gets its answer, whichever instance dies when.

#include <spdlog/logger.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "adapters/net/gate.hpp"
#include "adapters/store/shared_state.hpp"

namespace collab::chat {

// An instance's name in what it claims: host name, process id and a random number.
std::string default_instance_name();

struct ClaimSettings {
    // This instance's name in its claims; empty: host name, process id and a random number.
    std::string instance;
    // How long a claim stays this instance's without renewal (renewed every third of it while the
    // work runs): a dead instance's work is taken over at most this long after its last renewal.
    std::chrono::milliseconds lease{2'000};
    // How often to look for claims whose lease lapsed.
    std::chrono::milliseconds sweep_every{1'000};
};

// What a delivery found.
enum class Delivery {
    first,       // this instance does the work
    taken_over,  // another instance took it in and died: this one does the work again (resumed)
    repeat,      // already being worked on (here or by a live instance), or answered: acknowledge only
};

struct ClaimCounters {
    long redeliveries = 0;  // deliveries seen again, acknowledged only
    long takeovers = 0;     // requests another instance took in and died on, finished here
};

class Claims {
public:
    // Carries out a request found in a lapsed claim, from the work its first owner left.
    using Resume = std::function<boost::asio::awaitable<void>(store::Orphan orphan)>;

    Claims(boost::asio::any_io_executor executor, store::SharedState& shared, ClaimSettings settings,
           std::shared_ptr<spdlog::logger> logger);

    // Claims `key` before it is acknowledged, leaving `work` for whoever must finish it if this
    // instance dies; for `first` and `taken_over` the lease is held until finish(key). `attempt`
    // is the platform's count of deliveries, for the log.
    boost::asio::awaitable<Delivery> take(std::string key, std::string work, int attempt = 0);
    // Whether `key` was delivered again while this instance worked on it: its acknowledgement may
    // come too late to count, so the answer should also travel through the follow-up route.
    bool delivered_again(const std::string& key) const;
    bool hands_over_work() const { return shared_.hands_over_work(); }
    // The work on `key` is done (answered): nobody may take it over any more.
    boost::asio::awaitable<void> finish(std::string key);

    // Every sweep_every until stop(): takes over the claims whose lease lapsed, each handed to `resume`
    // with its lease held until it ends.
    boost::asio::awaitable<void> sweep(Resume resume);
    void stop();
    // On stop, after stop(): waits until the work claimed here is marked done, at most `limit` (false
    // then), so that no other instance takes over and answers again what was answered here.
    boost::asio::awaitable<bool> settle(std::chrono::milliseconds limit);

    const ClaimCounters& counters() const { return counters_; }

private:
    // A request being worked on here.
    struct InHand {
        bool held = false;  // claimed: its lease is renewed until finish()
        bool delivered_again = false;
        std::chrono::steady_clock::time_point renew_at;
        // Held from the claim until the work is marked done, so that a stop waits for that mark.
        std::optional<net::Gate::Holder> unfinished;
    };
    void hold_lease(InHand& request);
    // One timer renews every lease held, rather than one timer for each request.
    boost::asio::awaitable<void> renew_leases();
    boost::asio::awaitable<void> take_over(store::Orphan orphan, Resume resume);

    boost::asio::any_io_executor executor_;
    store::SharedState& shared_;
    ClaimSettings settings_;
    std::shared_ptr<spdlog::logger> logger_;
    std::unordered_map<std::string, InHand> in_hand_;
    boost::asio::steady_timer renew_timer_;
    int leases_held_ = 0;
    bool renewing_ = false;
    boost::asio::steady_timer sweep_timer_;
    bool stopped_ = false;
    net::Gate unfinished_;
    ClaimCounters counters_;
};

}  // namespace collab::chat
