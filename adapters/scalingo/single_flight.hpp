#pragma once
// Request coalescing and short-lived caching, so that concurrent and repeated reads of the same
// resource cost one upstream request.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace collab::scalingo {

// Runs one fetch per key at a time; callers arriving while it runs wait for it and share its result,
// but for no longer than the wait limit: a fetch that hangs holds up only its own caller, and the
// others get `timed_out`. Used from one io_context thread. Callers pass named values: g++ 12 destroys a
// temporary std::function passed to a coroutine twice.
template <typename T>
class SingleFlight {
public:
    using Fetch = std::function<boost::asio::awaitable<T>()>;

    SingleFlight(std::chrono::milliseconds wait_limit, T timed_out)
        : wait_limit_(wait_limit), timed_out_(std::move(timed_out)) {}

    boost::asio::awaitable<T> run(std::string key, Fetch fetch) {
        namespace asio = boost::asio;
        if (auto running = flights_.find(key); running != flights_.end()) {
            auto flight = running->second;
            // Each waiter has a timer of its own; the leader cancels them all when the result is in.
            asio::steady_timer wake(co_await asio::this_coro::executor, wait_limit_);
            flight->waiters.push_back(&wake);
            co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
            std::erase(flight->waiters, &wake);
            if (flight->failure) std::rethrow_exception(flight->failure);
            if (!flight->result) co_return timed_out_;
            co_return *flight->result;
        }
        auto flight = std::make_shared<Flight>();
        flights_.emplace(key, flight);
        try {
            flight->result = co_await fetch();
        } catch (...) {
            flight->failure = std::current_exception();
        }
        flights_.erase(key);
        for (auto* waiter : flight->waiters) waiter->cancel();
        if (flight->failure) std::rethrow_exception(flight->failure);
        co_return *flight->result;
    }

    std::size_t in_flight() const { return flights_.size(); }

private:
    struct Flight {
        std::vector<boost::asio::steady_timer*> waiters;  // those still waiting; each removes itself
        std::optional<T> result;
        std::exception_ptr failure;
    };
    std::chrono::milliseconds wait_limit_;
    T timed_out_;
    std::map<std::string, std::shared_ptr<Flight>> flights_;
};

// Values that are good for a while after they were fetched.
template <typename T>
class TtlCache {
public:
    using Clock = std::chrono::steady_clock;

    explicit TtlCache(std::chrono::milliseconds ttl) : ttl_(ttl) {}

    std::optional<T> get(const std::string& key, Clock::time_point now = Clock::now()) {
        auto found = entries_.find(key);
        if (found == entries_.end()) return std::nullopt;
        if (now >= found->second.expires) {
            entries_.erase(found);
            return std::nullopt;
        }
        return found->second.value;
    }

    void put(const std::string& key, T value, Clock::time_point now = Clock::now()) {
        entries_.insert_or_assign(key, Entry{std::move(value), now + ttl_});
    }

    void erase(const std::string& key) { entries_.erase(key); }

private:
    struct Entry {
        T value;
        Clock::time_point expires;
    };
    std::chrono::milliseconds ttl_;
    std::map<std::string, Entry> entries_;
};

}  // namespace collab::scalingo
