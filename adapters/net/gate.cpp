#include "adapters/net/gate.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <utility>

namespace collab::net {
namespace asio = boost::asio;

void Gate::Holder::leave() {
    const std::shared_ptr<State> state = std::exchange(state_, nullptr);
    if (!state) return;
    {
        std::lock_guard lock(state->mutex);
        if (--state->count > 0 || !state->closed) return;
    }
    // The last one out of a closed gate wakes close() up, where it waits.
    asio::post(state->emptied.get_executor(), [state] { state->emptied.cancel(); });
}

std::optional<Gate::Holder> Gate::try_enter() {
    std::lock_guard lock(state_->mutex);
    if (state_->closed) return std::nullopt;
    ++state_->count;
    return Holder(state_);
}

std::size_t Gate::count() const {
    std::lock_guard lock(state_->mutex);
    return state_->count;
}

bool Gate::closed() const {
    std::lock_guard lock(state_->mutex);
    return state_->closed;
}

asio::awaitable<bool> Gate::close(std::chrono::steady_clock::duration limit) {
    bool closed_before = false;
    {
        std::lock_guard lock(state_->mutex);
        closed_before = std::exchange(state_->closed, true);
        if (state_->count == 0) co_return true;
    }
    // Cancelled by the last holder's wake-up, which runs on this executor, after this wait began. A
    // later close() joins the first one's wait: setting the timer again would cancel that wait.
    if (!closed_before) state_->emptied.expires_after(limit);
    co_await state_->emptied.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return count() == 0;
}

}  // namespace collab::net
