#pragma once
// One HTTP exchange with the project's client, for what the bot serves besides chat: /healthz, /metrics.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "adapters/net/http_client.hpp"

namespace collab::e2e {

inline net::HttpResponse http_get(const std::string& url) {
    net::HttpRequest request;
    request.url = url;
    boost::asio::io_context io;
    net::HttpClient client(io.get_executor(), {});
    auto sent = boost::asio::co_spawn(io, client.send(std::move(request)), boost::asio::use_future);
    io.run();
    auto response = sent.get();
    return response.value_or(net::HttpResponse{});
}

// The bot's /metrics once it holds `line` (what is counted once an answer has left may lag behind the
// answer's arrival a little), or as it is after a second.
inline std::string metrics_holding(const std::string& base_url, const std::string& line) {
    std::string body;
    for (int i = 0; i < 50; ++i) {
        body = http_get(base_url + "/metrics").body;
        if (body.find(line) != std::string::npos) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return body;
}

// Polls `url` until its status is `status` (for ten seconds at most): the last response.
inline net::HttpResponse wait_for_status(const std::string& url, unsigned status) {
    net::HttpResponse response;
    for (int i = 0; i < 100; ++i) {
        response = http_get(url);
        if (response.status == status) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return response;
}

}  // namespace collab::e2e
