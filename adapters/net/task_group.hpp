#pragma once
// Coroutines a client starts together and waits for together: its connection loops and its claims'
// sweep, until a stop ends them. A task counts from spawn() until it ends, by returning or by an
// exception (which ends that task only), and wait() wakes when the last one has ended, even when they
// all ended before wait() began (a stop during start-up can end them inline). Built on net::Gate.
//
// Used on one executor (the client's).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstddef>

#include "adapters/net/gate.hpp"

namespace collab::net {

class TaskGroup {
public:
    explicit TaskGroup(boost::asio::any_io_executor executor);

    // Starts `task` on the group's executor; false (and the task never runs) once wait() has begun.
    bool spawn(boost::asio::awaitable<void> task);
    // Until every task spawned has ended; no task can join the group from then on.
    boost::asio::awaitable<void> wait();
    std::size_t running() const { return tasks_.count(); }

private:
    boost::asio::any_io_executor executor_;
    Gate tasks_;
};

}  // namespace collab::net
