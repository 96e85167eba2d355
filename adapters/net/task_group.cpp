#include "adapters/net/task_group.hpp"

#include <boost/asio/co_spawn.hpp>

#include <chrono>
#include <exception>
#include <utility>

namespace collab::net {
namespace asio = boost::asio;

TaskGroup::TaskGroup(asio::any_io_executor executor) : executor_(executor), tasks_(std::move(executor)) {}

bool TaskGroup::spawn(asio::awaitable<void> task) {
    auto held = tasks_.try_enter();
    if (!held) return false;
    // The hold is released when the task ends, however it ends.
    asio::co_spawn(executor_, std::move(task), [held = std::move(*held)](const std::exception_ptr&) {});
    return true;
}

asio::awaitable<void> TaskGroup::wait() {
    // No limit: the tasks end when their client stops them.
    co_await tasks_.close(std::chrono::steady_clock::duration::max());
}

}  // namespace collab::net
