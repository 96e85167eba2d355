#include "adapters/chat/claims.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unistd.h>

#include <array>
#include <optional>
#include <random>
#include <vector>

namespace collab::chat {
namespace asio = boost::asio;

std::string default_instance_name() {
    std::array<char, 256> host{};
    if (::gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
    return std::string(host.data()) + "/" + std::to_string(::getpid()) + "/" +
           std::to_string(std::random_device{}() % 1'000'000);
}

Claims::Claims(asio::any_io_executor executor, store::SharedState& shared, ClaimSettings settings,
               std::shared_ptr<spdlog::logger> logger)
    : executor_(executor),
      shared_(shared),
      settings_(std::move(settings)),
      logger_(std::move(logger)),
      renew_timer_(executor),
      sweep_timer_(executor),
      unfinished_(executor) {
    if (settings_.instance.empty()) settings_.instance = default_instance_name();
}

bool Claims::delivered_again(const std::string& key) const {
    auto found = in_hand_.find(key);
    return found != in_hand_.end() && found->second.delivered_again;
}

asio::awaitable<Delivery> Claims::take(std::string key, std::string work, int attempt) {
    if (auto found = in_hand_.find(key); found != in_hand_.end()) {
        // This instance works on it; its answer will also go through the follow-up route.
        found->second.delivered_again = true;
        ++counters_.redeliveries;
        logger_->info("[{}] delivered again (attempt {}) while this instance works on it; acknowledged, not run twice",
                      key, attempt);
        co_return Delivery::repeat;
    }
    in_hand_.try_emplace(key);
    // Claimed before it is acknowledged: from then on, if this instance dies, another one finishes it.
    std::string owner = settings_.instance;
    std::string claimed_key = key;
    auto claimed = co_await shared_.claim(std::move(claimed_key), std::move(owner), std::move(work), settings_.lease);
    store::ClaimState state = store::ClaimState::won;
    if (claimed)
        state = *claimed;
    else
        logger_->warn("[{}] cannot tell whether another instance took this request ({}); running it", key,
                      claimed.error().message);
    if (state == store::ClaimState::running || state == store::ClaimState::answered) {
        in_hand_.erase(key);
        ++counters_.redeliveries;
        logger_->info("[{}] delivered again (attempt {}); {}; acknowledged, not run twice", key, attempt,
                      state == store::ClaimState::answered
                          ? "already answered"
                          : "another instance is working on it (if it dies, its lease lapses and the work is "
                            "taken over)");
        co_return Delivery::repeat;
    }
    hold_lease(in_hand_[key]);
    if (state == store::ClaimState::taken_over) {
        ++counters_.takeovers;
        logger_->warn(
            "[{}] delivered again (attempt {}) after the instance that took it stopped renewing its claim; running "
            "it again here",
            key, attempt);
        co_return Delivery::taken_over;
    }
    co_return Delivery::first;
}

void Claims::hold_lease(InHand& request) {
    request.held = true;
    ++leases_held_;
    request.renew_at = std::chrono::steady_clock::now() + settings_.lease / 3;
    request.unfinished = unfinished_.try_enter();
    if (renewing_) return;
    renewing_ = true;
    asio::co_spawn(executor_, renew_leases(), asio::detached);
}

asio::awaitable<void> Claims::renew_leases() {
    // Each lease is renewed a third of its length after its last renewal, give or take the tick: at
    // most half of it has gone by then.
    const auto tick = settings_.lease / 6;
    std::vector<std::string> due;
    while (leases_held_ > 0) {
        renew_timer_.expires_after(tick);
        co_await renew_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        const auto now = std::chrono::steady_clock::now();
        due.clear();
        for (auto& [key, request] : in_hand_) {
            if (!request.held || request.renew_at > now) continue;
            request.renew_at = now + settings_.lease / 3;
            due.push_back(key);
        }
        // The requests may finish while a renewal is awaited: each is looked up again after it.
        for (const std::string& key : due) {
            std::string owner = settings_.instance;
            std::string same_key = key;
            auto renewed = co_await shared_.renew(std::move(same_key), std::move(owner), settings_.lease);
            auto request = in_hand_.find(key);
            if (request == in_hand_.end() || !request->second.held) continue;
            if (!renewed) {
                logger_->warn("[{}] could not renew the claim ({})", key, renewed.error().message);
            } else if (!*renewed) {
                logger_->warn("[{}] the claim was taken over by another instance while this one worked on it", key);
                request->second.renew_at = std::chrono::steady_clock::time_point::max();
            }
        }
    }
    renewing_ = false;
}

asio::awaitable<void> Claims::finish(std::string key) {
    std::optional<net::Gate::Holder> unfinished;
    if (auto request = in_hand_.find(key); request != in_hand_.end()) {
        unfinished = std::move(request->second.unfinished);
        if (request->second.held) --leases_held_;
        in_hand_.erase(request);
    }
    // The renewal keeps ticking to the end of its period when the last lease is let go: requests that
    // come one at a time do not each start it, arm its timer and cancel it again. Stopping, it ends now.
    if (leases_held_ == 0 && stopped_) renew_timer_.cancel();
    std::string completed_key = key;
    auto completed = co_await shared_.complete(std::move(completed_key));
    if (!completed) logger_->warn("[{}] could not mark the request done ({})", key, completed.error().message);
}

asio::awaitable<bool> Claims::settle(std::chrono::milliseconds limit) {
    co_return co_await unfinished_.close(limit);
}

asio::awaitable<void> Claims::sweep(Resume resume) {
    while (!stopped_) {
        sweep_timer_.expires_after(settings_.sweep_every);
        co_await sweep_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        if (stopped_) break;
        std::string owner = settings_.instance;
        auto orphans = co_await shared_.take_over_lapsed(std::move(owner), settings_.lease, 10);
        if (!orphans) {
            logger_->debug("could not look for work left unfinished ({})", orphans.error().message);
            continue;
        }
        for (auto& orphan : *orphans) asio::co_spawn(executor_, take_over(std::move(orphan), resume), asio::detached);
    }
}

void Claims::stop() {
    stopped_ = true;
    sweep_timer_.cancel();
    if (leases_held_ == 0) renew_timer_.cancel();
}

asio::awaitable<void> Claims::take_over(store::Orphan orphan, Resume resume) {
    const std::string key = orphan.key;
    auto [request, inserted] = in_hand_.try_emplace(key);
    if (!inserted) co_return;
    ++counters_.takeovers;
    logger_->warn(
        "[{}] taking over work the instance that took it left unfinished (its claim lapsed); answering through the "
        "follow-up route",
        key);
    hold_lease(request->second);
    co_await resume(std::move(orphan));
    co_await finish(key);
}

}  // namespace collab::chat
