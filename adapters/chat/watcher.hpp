#pragma once
// The invitation watch (core/watch.hpp) kept running beside a chat platform: a round at each interval,
// by one instance at a time. The instance that watches holds a lease in the shared state (a claim
// on "invitation-watch:<platform>") and renews it every round; when it dies, its lease lapses and the
// next instance to try takes the watch over. The interval stretches with the number of databases
// watched, so that the watch never takes more than a quarter of the upstream's request allowance.
// With the watch turned off, only the forgetting of settled invitations runs, by every instance.

#include <spdlog/logger.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "adapters/store/shared_state.hpp"
#include "core/watch.hpp"

namespace collab::chat {

struct WatcherSettings {
    // false ([watch] enabled = false): no rounds and no lease, nothing asked upstream; the invitations
    // settled before the watch was turned off are still forgotten in time, hourly, without the lease
    // (forgetting twice is harmless).
    bool rounds = true;
    std::chrono::milliseconds interval{std::chrono::seconds{60}};
    // The upstream's allowance the watch takes a quarter of at most (Scalingo's requests_per_minute);
    // 0: none to share (the sandbox).
    int upstream_per_minute = 0;
    std::string instance;  // names this instance in the lease
    // Settled invitations (accepted, revoked or expired, withdrawn) are forgotten this long after, by
    // the instance that watches (every instance when there are no rounds), at most once an hour.
    std::chrono::hours keep_settled{24 * 30};
};

class Watcher {
public:
    Watcher(boost::asio::any_io_executor executor, InvitationWatch& watch, store::SharedState& shared,
            std::string platform, WatcherSettings settings, std::shared_ptr<spdlog::logger> logger);

    // Rounds until stop(); the first at once (without rounds: the forgetting, at once and hourly).
    boost::asio::awaitable<void> run();
    // Ends run() once the round under way, if any, is over; the lease is let go so that another
    // instance takes over at its next try.
    void stop();
    // Waits, at most `limit`, for run() to end after stop().
    boost::asio::awaitable<void> stopped(std::chrono::milliseconds limit);

    // Whether this instance holds the watch now (for tests and the log).
    bool watching() const { return holder_; }
    std::size_t rounds() const { return rounds_; }

private:
    // Takes or keeps the lease for the next `interval`: whether this instance watches.
    boost::asio::awaitable<bool> hold(std::chrono::milliseconds interval);
    // Forgets the invitations settled longer ago than the settings keep them, when an hour has passed
    // since it last did.
    boost::asio::awaitable<void> forget_settled();

    InvitationWatch& watch_;
    store::SharedState& shared_;
    std::string key_;
    WatcherSettings settings_;
    std::shared_ptr<spdlog::logger> logger_;
    boost::asio::steady_timer wait_;
    boost::asio::steady_timer done_;
    bool stopping_ = false;
    bool running_ = false;
    bool holder_ = false;
    std::size_t rounds_ = 0;
    std::chrono::steady_clock::time_point next_forgetting_{};
};

}  // namespace collab::chat
