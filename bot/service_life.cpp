#include "bot/service_life.hpp"

#include <unistd.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <string_view>

#include "adapters/net/backoff.hpp"

namespace collab::bot {
namespace asio = boost::asio;

namespace {

// For a bot that must stop now, from any thread: the log is not thread-safe, standard error is.
[[noreturn]] void leave_at_once(std::string_view why) {
    if (::write(STDERR_FILENO, why.data(), why.size()) < 0) {
        // Nothing more can be said.
    }
    std::_Exit(1);
}

}  // namespace

StopSignals::StopSignals(asio::io_context& io, std::shared_ptr<spdlog::logger> logger, std::function<void()> stop)
    : io_(io),
      logger_(std::move(logger)),
      stop_(std::move(stop)),
      signals_(signal_io_, SIGINT, SIGTERM),
      stop_limit_(signal_io_) {
    signals_.async_wait([this](const boost::system::error_code& error, int number) { on_signal(error, number); });
    thread_ = std::thread([this] { signal_io_.run(); });
}

StopSignals::~StopSignals() {
    signal_io_.stop();
    thread_.join();
}

void StopSignals::on_signal(const boost::system::error_code& error, int number) {
    if (error) return;
    if (signals_seen_++ > 0) leave_at_once("collab-bot: second signal: leaving at once\n");
    asio::post(io_, [this, number] {
        logger_->info("signal {}: no new commands; answering those in progress", number);
        stop_();
        // Taken: the stop goes on within its own bounds.
        asio::post(signal_io_, [this] { stop_limit_.cancel(); });
    });
    stop_limit_.expires_after(std::chrono::seconds{5});
    stop_limit_.async_wait([](const boost::system::error_code& cancelled) {
        if (!cancelled) leave_at_once("collab-bot: the signal was not taken within 5 s: leaving at once\n");
    });
    signals_.async_wait([this](const boost::system::error_code& next, int again) { on_signal(next, again); });
}

HealthWatch::HealthWatch(asio::io_context& io, const std::string& listen, observability::Registry& metrics,
                         Foundation& base, PlatformLink platform, std::shared_ptr<spdlog::logger> logger)
    : base_(base),
      platform_(std::move(platform)),
      logger_(std::move(logger)),
      budget_left_(metrics.gauge("collab_scalingo_budget_left",
                                 "Requests left in the Scalingo allowance of the current minute.")) {
    if (!listen.empty()) {
        observability::HealthServerOptions options;
        options.server.listen = listen;
        server_.emplace(io.get_executor(), metrics, std::move(options));
        server_->add_component(platform_.name, [this] { return platform_state_.status(); });
        server_->add_component("store", [this] { return store_state_.status(); });
        starting("health.listen", [&] { server_->start(); });
        logger_->info("health and metrics at {}/healthz and {}/metrics", server_->public_url(), server_->public_url());
    }
    asio::co_spawn(io, watch(), asio::detached);
}

void HealthWatch::stop() {
    watching_ = false;
    if (server_) server_->stop();
}

asio::awaitable<void> HealthWatch::watch() {
    for (int tick = 0; watching_; ++tick) {
        if (auto down = platform_.down())
            platform_state_.set_down(std::move(*down));
        else
            platform_state_.set_up();
        if (tick % 5 == 0) {
            auto answered = co_await base_.shared->ping();
            if (answered)
                store_state_.set_up();
            else
                store_state_.set_down(answered.error().message);
            if (base_.provider.scalingo) {
                auto left = co_await base_.provider.scalingo->requests_left();
                if (left) budget_left_.set(*left);
            }
        }
        logger_->flush();
        co_await net::sleep_for(std::chrono::seconds{1});
    }
}

InvitationWatching::InvitationWatching(asio::io_context& io, const Config& config, Foundation& base,
                                       Announcer& announcer, std::string platform,
                                       std::shared_ptr<spdlog::logger> logger) {
    if (base.invitations == nullptr) return;
    watch_.emplace(*base.provider.api, *base.invitations, announcer, base.clock, platform);
    chat::WatcherSettings settings;
    settings.rounds = config.watch.enabled;
    settings.interval = config.watch.interval;
    settings.keep_settled = std::chrono::days{config.watch.keep_settled_days};
    if (base.provider.scalingo != nullptr) settings.upstream_per_minute = config.scalingo.api.requests_per_minute;
    watcher_.emplace(io.get_executor(), *watch_, *base.shared, std::move(platform), settings, std::move(logger));
    asio::co_spawn(io, watcher_->run(), asio::detached);
}

void InvitationWatching::stop() {
    if (watcher_) watcher_->stop();
}

asio::awaitable<void> InvitationWatching::stopped(std::chrono::milliseconds limit) {
    if (watcher_) co_await watcher_->stopped(limit);
}

}  // namespace collab::bot
