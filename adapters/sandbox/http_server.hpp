#pragma once
// The sandbox store served as a Scalingo-compatible HTTP(S) API: the auth service and the regional API
// on one listener, so that collab-bot's Scalingo client and Scalingo's own CLI can run against it
// (SCALINGO_AUTH_URL = SCALINGO_API_URL = SCALINGO_DB_URL = the server's public_url()).
//
// Thread model: the acceptor and each connection run on strands of the given executor, so the
// io_context may have one thread or several; store calls are serialised by a mutex (they are short).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/net/http_server.hpp"
#include "adapters/sandbox/sandbox_store.hpp"

namespace collab::sandbox {

// For tests and demos of a client's error handling; off by default.
struct FaultOptions {
    std::chrono::milliseconds latency{0};  // added before every answer
    double error_share = 0;                // share of requests answered 500, 503 or 429 (with Retry-After) at random
};

struct ServeOptions {
    // The listener; its public_url is the base URL advertised in /v1/regions. The server name and the
    // error answers are the sandbox's own (Scalingo's error shape).
    net::HttpServerOptions server;
    std::chrono::seconds jwt_lifetime{3600};  // Scalingo's bearer tokens live an hour
    FaultOptions faults;
};

class SandboxServer {
public:
    // The store must outlive the server and the executor's io_context; the server must be destroyed
    // before that io_context (its destructor posts the closing of the listener to it).
    SandboxServer(boost::asio::any_io_executor executor, SandboxStore& store, ServeOptions options);
    ~SandboxServer();  // stop()
    SandboxServer(const SandboxServer&) = delete;
    SandboxServer& operator=(const SandboxServer&) = delete;

    // Binds, listens and starts accepting on the executor. Throws std::runtime_error naming what is wrong
    // (listen address, port in use, certificate or key that cannot be loaded).
    void start();
    // Closes the listener and every open connection; callable from any thread. The coroutines end on the
    // executor, so its io_context runs out of work once they have.
    void stop();

    boost::asio::ip::tcp::endpoint endpoint() const;  // the bound address and port (after start())
    std::string public_url() const;                   // "http://127.0.0.1:PORT" or the configured one

    // Requests received per route key, e.g. "POST /v1/tokens/exchange", "GET /v1/apps/{app}/collaborators"
    // (see route_key() in routes.hpp); injected faults count too, since a client paid for them.
    std::size_t requests(std::string_view route_key) const;
    std::size_t total_requests() const;
    // The most requests it was answering at once (received, not yet answered): how far a client
    // overlaps its requests, without timing them.
    std::size_t most_in_flight() const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace collab::sandbox
