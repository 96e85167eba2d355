#pragma once
// What every chat platform's run shares once its transport is up: the stop signals, and the health
// and metrics endpoint with the links it watches. A platform's run (bot/platforms/<name>/run.cpp)
// builds its transport and hands these what to stop and what to check.

#include <spdlog/logger.h>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "adapters/chat/watcher.hpp"
#include "adapters/observability/health_server.hpp"
#include "adapters/observability/metrics.hpp"
#include "bot/wiring.hpp"

namespace collab::bot {

// First SIGINT/SIGTERM: `stop` runs on `io` (stop taking commands, answer those in progress).
// Second: the process leaves at once. Signals are taken on a thread of their own, so that an event
// loop kept busy by one request cannot keep the bot from stopping: when `io` has not taken the first
// within 5 s, the process leaves (exit code 1).
class StopSignals {
public:
    StopSignals(boost::asio::io_context& io, std::shared_ptr<spdlog::logger> logger, std::function<void()> stop);
    ~StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

private:
    void on_signal(const boost::system::error_code& error, int number);

    boost::asio::io_context& io_;
    std::shared_ptr<spdlog::logger> logger_;
    std::function<void()> stop_;
    boost::asio::io_context signal_io_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer stop_limit_;
    int signals_seen_ = 0;
    std::thread thread_;
};

// The chat platform's link as health reports it: up, or down with a reason.
struct PlatformLink {
    std::string name;                                  // "slack", …: the component's name in /healthz
    std::function<std::optional<std::string>()> down;  // why the link is down; nothing when it is up
};

// [health] listen, when set: /healthz (the platform's link and the store) and /metrics. The links
// are checked every second (the store and the Scalingo allowance every 5 s); the log is flushed
// each time. Runs until stop().
class HealthWatch {
public:
    HealthWatch(boost::asio::io_context& io, const std::string& listen, observability::Registry& metrics,
                Foundation& base, PlatformLink platform, std::shared_ptr<spdlog::logger> logger);
    HealthWatch(const HealthWatch&) = delete;
    HealthWatch& operator=(const HealthWatch&) = delete;

    void stop();

private:
    boost::asio::awaitable<void> watch();

    Foundation& base_;
    PlatformLink platform_;
    std::shared_ptr<spdlog::logger> logger_;
    observability::ComponentState platform_state_{"starting up"};
    observability::ComponentState store_state_{"not checked yet"};
    observability::Gauge& budget_left_;
    std::optional<observability::HealthServer> server_;
    bool watching_ = true;
};

// [watch]: the invitation watch of this platform, running on `io` beside the transport (the sandbox's
// rounds are free; Scalingo's take at most a quarter of its allowance); when it is turned off, only the
// forgetting of the invitations settled before. Stopped with the transport: stop(), then stopped()
// once the commands in progress are answered.
class InvitationWatching {
public:
    InvitationWatching(boost::asio::io_context& io, const Config& config, Foundation& base, Announcer& announcer,
                       std::string platform, std::shared_ptr<spdlog::logger> logger);
    InvitationWatching(const InvitationWatching&) = delete;
    InvitationWatching& operator=(const InvitationWatching&) = delete;

    void stop();
    boost::asio::awaitable<void> stopped(std::chrono::milliseconds limit);

private:
    std::optional<InvitationWatch> watch_;
    std::optional<chat::Watcher> watcher_;
};

}  // namespace collab::bot
