#include "adapters/chat/claims.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unistd.h>

#include <array>
#include <optional>
#include <random>

namespace collab::chat {
namespace asio = boost::asio;

namespace {

std::string default_instance_name() {
    std::array<char, 256> host{};
    if (::gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
    return std::string(host.data()) + "/" + std::to_string(::getpid()) + "/" +
           std::to_string(std::random_device{}() % 1'000'000);
}

}  // namespace

// A claim's lease, renewed until the work is done.
struct Claims::Lease {
    explicit Lease(asio::any_io_executor executor) : timer(std::move(executor)) {}
    asio::steady_timer timer;
    bool released = false;
    // Held from the claim until the work is marked done, so that a stop waits for that mark.
    std::optional<net::Gate::Holder> unfinished;
};

Claims::Claims(asio::any_io_executor executor, store::SharedState& shared, ClaimSettings settings,
               std::shared_ptr<spdlog::logger> logger)
    : executor_(executor),
      shared_(shared),
      settings_(std::move(settings)),
      logger_(std::move(logger)),
      sweep_timer_(executor),
      unfinished_(executor) {
    if (settings_.instance.empty()) settings_.instance = default_instance_name();
}

asio::awaitable<Delivery> Claims::take(std::string key, std::string work, int attempt) {
    if (running_.contains(key)) {
        // This instance works on it; its answer will also go through the follow-up route.
        delivered_again_.insert(key);
        ++counters_.redeliveries;
        logger_->info("[{}] delivered again (attempt {}) while this instance works on it; acknowledged, not run twice",
                      key, attempt);
        co_return Delivery::repeat;
    }
    running_.insert(key);
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
        running_.erase(key);
        ++counters_.redeliveries;
        logger_->info("[{}] delivered again (attempt {}); {}; acknowledged, not run twice", key, attempt,
                      state == store::ClaimState::answered
                          ? "already answered"
                          : "another instance is working on it (if it dies, its lease lapses and the work is "
                            "taken over)");
        co_return Delivery::repeat;
    }
    leases_[key] = hold_lease(key);
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

std::shared_ptr<Claims::Lease> Claims::hold_lease(const std::string& key) {
    auto lease = std::make_shared<Lease>(executor_);
    lease->unfinished = unfinished_.try_enter();
    std::string renewed = key;
    asio::co_spawn(executor_, renew_lease(std::move(renewed), lease), asio::detached);
    return lease;
}

asio::awaitable<void> Claims::renew_lease(std::string key, std::shared_ptr<Lease> lease) {
    for (;;) {
        lease->timer.expires_after(settings_.lease / 3);
        co_await lease->timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (lease->released) co_return;
        std::string owner = settings_.instance;
        std::string same_key = key;
        auto renewed = co_await shared_.renew(same_key, owner, settings_.lease);
        if (lease->released) co_return;
        if (!renewed) {
            logger_->warn("[{}] could not renew the claim ({})", key, renewed.error().message);
        } else if (!*renewed) {
            logger_->warn("[{}] the claim was taken over by another instance while this one worked on it", key);
            co_return;
        }
    }
}

asio::awaitable<void> Claims::finish(std::string key) {
    std::shared_ptr<Lease> ending;
    if (auto lease = leases_.find(key); lease != leases_.end()) {
        ending = std::move(lease->second);
        ending->released = true;
        ending->timer.cancel();
        leases_.erase(lease);
    }
    running_.erase(key);
    delivered_again_.erase(key);
    std::string completed_key = key;
    auto completed = co_await shared_.complete(std::move(completed_key));
    if (!completed) logger_->warn("[{}] could not mark the request done ({})", key, completed.error().message);
    if (ending) ending->unfinished.reset();
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
}

asio::awaitable<void> Claims::take_over(store::Orphan orphan, Resume resume) {
    const std::string key = orphan.key;
    if (running_.contains(key)) co_return;
    running_.insert(key);
    ++counters_.takeovers;
    logger_->warn(
        "[{}] taking over work the instance that took it left unfinished (its claim lapsed); answering through the "
        "follow-up route",
        key);
    leases_[key] = hold_lease(key);
    co_await resume(std::move(orphan));
    co_await finish(key);
}

}  // namespace collab::chat
