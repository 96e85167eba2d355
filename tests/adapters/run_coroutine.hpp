#pragma once
// Runs one coroutine of a port to completion on its own io_context, the way the bot's thread would.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <utility>

namespace collab::testing {

template <typename T>
T run(boost::asio::awaitable<T> task) {
    boost::asio::io_context io;
    auto result = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
    io.run();
    return result.get();
}

}  // namespace collab::testing
