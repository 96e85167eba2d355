#pragma once
// Runs a coroutine with an HTTP client of its own, on an io_context of its own: the set-up of the tests
// of what stands on net::HttpClient (a platform's REST or Web API client, an announcer).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/this_coro.hpp>

#include <functional>

#include "adapters/net/http_client.hpp"
#include "run_coroutine.hpp"

namespace collab::testing {

template <typename T>
T with_http_client(std::function<boost::asio::awaitable<T>(net::HttpClient&)> body) {
    return run([&]() -> boost::asio::awaitable<T> {
        // Named: g++ 12 destroys a temporary in a full expression with co_await twice.
        const auto executor = co_await boost::asio::this_coro::executor;
        const net::HttpClientOptions options;
        net::HttpClient http(executor, options);
        co_return co_await body(http);
    }());
}

}  // namespace collab::testing
