#pragma once
// What the chat platforms' harnesses put around the core: a wall clock moved forward on demand
// (confirmation expiry), and the upstream with a delay before every answer (a slow Scalingo).

#include <atomic>
#include <chrono>

#include "adapters/net/backoff.hpp"
#include "core/ports.hpp"

namespace collab::testing {

class SteppedClock final : public WallClock {
public:
    TimePoint now() const override { return Clock::now() + std::chrono::seconds{offset_.load()}; }
    void advance(std::chrono::seconds by) { offset_ += by.count(); }

private:
    std::atomic<long long> offset_{0};
};

class DelayedApi final : public CollaboratorsApi {
public:
    explicit DelayedApi(CollaboratorsApi& inner) : inner_(inner) {}
    void set_delay(std::chrono::milliseconds delay) { delay_ms_ = delay.count(); }

    boost::asio::awaitable<ApiResult<Database>> show_database(std::string name) override {
        co_await wait();
        co_return co_await inner_.show_database(std::move(name));
    }
    boost::asio::awaitable<ApiResult<std::vector<Collaborator>>> list_collaborators(std::string database) override {
        co_await wait();
        co_return co_await inner_.list_collaborators(std::move(database));
    }
    boost::asio::awaitable<ApiResult<Collaborator>> invite(std::string database, std::string email) override {
        co_await wait();
        co_return co_await inner_.invite(std::move(database), std::move(email));
    }
    boost::asio::awaitable<ApiResult<void>> remove(std::string database, std::string collaborator_id) override {
        co_await wait();
        co_return co_await inner_.remove(std::move(database), std::move(collaborator_id));
    }
    boost::asio::awaitable<ApiResult<Account>> self() override {
        co_await wait();
        co_return co_await inner_.self();
    }
    boost::asio::awaitable<ApiResult<std::vector<Database>>> databases() override {
        co_await wait();
        co_return co_await inner_.databases();
    }
    // The inner API's snapshots, with their generations: the replies built from them are keyed, and
    // the chat adapters keep their rendered forms, as with the real providers.
    boost::asio::awaitable<ApiResult<CachedSnapshot>> snapshot(std::string database) override {
        co_await wait();
        co_return co_await inner_.snapshot(std::move(database));
    }

private:
    boost::asio::awaitable<void> wait() {
        if (delay_ms_ > 0) co_await net::sleep_for(std::chrono::milliseconds{delay_ms_.load()});
    }
    CollaboratorsApi& inner_;
    std::atomic<long long> delay_ms_{0};
};

}  // namespace collab::testing
