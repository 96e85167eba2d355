#include "adapters/chat/watcher.hpp"

#include "adapters/chat/claims.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace collab::chat {
namespace asio = boost::asio;

namespace {

// A lease outlives the wait before its renewal by this much, so that a slow round does not lose it.
constexpr std::chrono::milliseconds lease_margin{std::chrono::seconds{30}};
// Settled invitations are a matter of days: looking for old ones every round would be wasted work.
constexpr std::chrono::hours forgetting_period{1};

}  // namespace

Watcher::Watcher(asio::any_io_executor executor, InvitationWatch& watch, store::SharedState& shared,
                 std::string platform, WatcherSettings settings, std::shared_ptr<spdlog::logger> logger)
    : watch_(watch),
      shared_(shared),
      key_("invitation-watch:" + platform),
      settings_(std::move(settings)),
      logger_(std::move(logger)),
      wait_(executor),
      done_(executor, asio::steady_timer::time_point::max()) {
    if (settings_.instance.empty()) settings_.instance = default_instance_name();
}

asio::awaitable<bool> Watcher::hold(std::chrono::milliseconds interval) {
    const std::chrono::milliseconds lease = interval * 2 + lease_margin;
    if (holder_) {
        auto renewed = co_await shared_.renew(key_, settings_.instance, lease);
        if (renewed && *renewed) co_return true;
        holder_ = false;
        if (!renewed) {
            logger_->warn("invitation watch: the lease cannot be renewed ({}); another instance may take over",
                          renewed.error().message);
            co_return false;
        }
    }
    const std::string no_work;  // nothing to finish: a watch that dies is simply taken over
    auto claimed = co_await shared_.claim(key_, settings_.instance, no_work, lease);
    if (!claimed) {
        logger_->warn("invitation watch: the lease cannot be taken ({})", claimed.error().message);
        co_return false;
    }
    holder_ = *claimed == store::ClaimState::won || *claimed == store::ClaimState::taken_over;
    if (holder_) logger_->info("invitation watch: this instance watches now ({})", settings_.instance);
    co_return holder_;
}

asio::awaitable<void> Watcher::forget_settled() {
    const auto now = std::chrono::steady_clock::now();
    if (now < next_forgetting_) co_return;
    next_forgetting_ = now + forgetting_period;
    auto forgotten = co_await watch_.forget_settled(settings_.keep_settled);
    if (!forgotten)
        logger_->warn("invitation watch: settled invitations cannot be forgotten ({})", forgotten.error().message);
    else if (*forgotten > 0)
        logger_->info("invitation watch: {} invitation(s) settled over {} days ago forgotten", *forgotten,
                      settings_.keep_settled.count() / 24);
}

asio::awaitable<void> Watcher::run() {
    running_ = true;
    std::chrono::milliseconds interval =
        settings_.rounds ? settings_.interval : std::chrono::milliseconds{forgetting_period};
    while (!stopping_) {
        if (!settings_.rounds) {
            co_await forget_settled();
        } else if (co_await hold(interval) && !stopping_) {
            auto round = co_await watch_.round();
            ++rounds_;
            if (!round) {
                logger_->warn("invitation watch: the invitations sent cannot be read ({})", round.error().message);
            } else {
                if (round->accepted + round->vanished > 0)
                    logger_->info("invitation watch: {} accepted, {} revoked or expired, {} not delivered",
                                  round->accepted, round->vanished, round->undelivered);
                if (round->unreadable > 0 || round->undelivered > 0)
                    logger_->warn("invitation watch: {} database(s) unreadable, {} notice(s) undelivered: {}",
                                  round->unreadable, round->undelivered, round->trouble);
                interval = watch_interval(settings_.interval, round->databases, settings_.upstream_per_minute);
            }
            co_await forget_settled();
        }
        if (stopping_) break;
        wait_.expires_after(interval);
        co_await wait_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (holder_) {
        // A lease that ends now: the next instance to try takes over without waiting for it to lapse.
        const std::chrono::milliseconds ends_now{0};
        (void)co_await shared_.renew(key_, settings_.instance, ends_now);
        holder_ = false;
    }
    running_ = false;
    done_.cancel();
}

void Watcher::stop() {
    stopping_ = true;
    wait_.cancel();
}

asio::awaitable<void> Watcher::stopped(std::chrono::milliseconds limit) {
    if (!running_) co_return;
    done_.expires_after(limit);
    co_await done_.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace collab::chat
