#pragma once
// A count of work in progress and a wake-up when it reaches zero, in the manner of Seastar's gate.
// Each piece of work holds the gate while it runs; close() refuses new work and waits for the work
// already in to leave, so that a stop waits exactly as long as it must instead of polling.
//
// try_enter() and a Holder's release may happen on any thread; close() must run on the gate's
// executor (a strand when its io_context has several threads), which is where the wake-up goes.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

namespace collab::net {

class Gate {
    // Shared with the holders and with a wake-up on its way, so that neither outlives it.
    struct State {
        explicit State(boost::asio::any_io_executor executor) : emptied(std::move(executor)) {}
        std::mutex mutex;  // guards count and closed
        std::size_t count = 0;
        bool closed = false;
        boost::asio::steady_timer emptied;
    };

public:
    // One piece of work inside the gate, from try_enter() to its destruction.
    class Holder {
    public:
        Holder(Holder&& other) noexcept = default;
        Holder& operator=(Holder&& other) noexcept {
            std::swap(state_, other.state_);
            return *this;
        }
        Holder(const Holder&) = delete;
        Holder& operator=(const Holder&) = delete;
        ~Holder() { leave(); }

    private:
        friend class Gate;
        explicit Holder(std::shared_ptr<State> state) : state_(std::move(state)) {}

        void leave();

        std::shared_ptr<State> state_;
    };

    explicit Gate(boost::asio::any_io_executor executor) : state_(std::make_shared<State>(std::move(executor))) {}
    Gate(const Gate&) = delete;
    Gate& operator=(const Gate&) = delete;

    // A hold on the gate for one piece of work; nothing once the gate is closed.
    std::optional<Holder> try_enter();

    // The pieces of work inside.
    std::size_t count() const;
    bool closed() const;

    // Closes the gate and waits until the work inside has left, at most `limit`: true when it has. The
    // work still inside at the limit goes on; the gate stays closed. A later call joins the first
    // one's wait (and its limit).
    boost::asio::awaitable<bool> close(std::chrono::steady_clock::duration limit);

private:
    std::shared_ptr<State> state_;
};

}  // namespace collab::net
