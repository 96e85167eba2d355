#pragma once
// The bot's health and metrics endpoints, for an orchestrator and a Prometheus scraper:
//   GET /healthz  200 "ok" when every registered component is up; otherwise 503 with one line per
//                 component that is down, e.g.
//                 "slack: down since 2026-12-01 12:00:03 UTC (no socket connected)"
//   GET /metrics  200, the registry in the Prometheus text format 0.0.4
// Other paths are answered 404, other methods on these paths 405. Nothing listens until start():
// the listener is off unless the configuration asks for it.
//
// Thread model: the server runs on strands of the given executor (one or several threads). Health
// checks and the registry's callback gauges are called there, on every request: they must be cheap,
// never block (a database is probed elsewhere, e.g. by a periodic ping that updates a ComponentState,
// not inside the check), and be safe to call from that thread while the rest of the bot runs.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/net/http_server.hpp"
#include "adapters/observability/metrics.hpp"

namespace collab::observability {

using SystemClock = std::chrono::system_clock;

// What a component says of itself when /healthz asks.
struct ComponentStatus {
    bool up = true;
    std::string detail;                            // why it is down, e.g. "no socket connected"; may be empty
    std::optional<SystemClock::time_point> since;  // when it went down, if known
};

// Must not throw (an exception counts as "down" with its message as the detail).
using HealthCheck = std::function<ComponentStatus()>;

// A component's state kept by the code that sees it change (a socket closing, a ping failing), read
// by the health check: thread-safe and cheap. It starts down, since its construction, until set_up().
class ComponentState {
public:
    explicit ComponentState(std::string detail = "starting up", SystemClock::time_point since = SystemClock::now());

    void set_up();
    // Down from `now` on; already down, it keeps the earlier time and takes the new detail.
    void set_down(std::string detail, SystemClock::time_point now = SystemClock::now());
    ComponentStatus status() const;

private:
    mutable std::mutex mutex_;
    ComponentStatus status_;
};

// The /healthz line for a component that is down: "NAME: down[ since TIME UTC][ (DETAIL)]".
std::string describe_down(std::string_view name, const ComponentStatus& status);

// The listener's defaults: a free port on 127.0.0.1, 10 s to read a request and 10 s to write an
// answer, and small request bodies (probes and scrapes have none worth the name).
net::HttpServerOptions health_server_defaults();

struct HealthServerOptions {
    net::HttpServerOptions server = health_server_defaults();
};

class HealthServer {
public:
    // The registry must outlive the server and the executor's io_context; the server must be destroyed
    // before that io_context (its destructor posts the closing of the listener to it).
    HealthServer(boost::asio::any_io_executor executor, const Registry& registry, HealthServerOptions options);
    ~HealthServer();  // stop()
    HealthServer(const HealthServer&) = delete;
    HealthServer& operator=(const HealthServer&) = delete;

    // Registers (or replaces) the check of a component, e.g. "slack", "store". Lines of /healthz follow
    // the order of first registration. Callable from any thread, before or after start(); a check must
    // not itself add or remove components.
    void add_component(std::string name, HealthCheck check);
    // After it returns the check is no longer called (a request running it is waited for). Unknown: no effect.
    void remove_component(std::string_view name);

    // Binds, listens and starts accepting on the executor. Throws std::runtime_error naming what is wrong
    // (listen address, port in use).
    void start();
    // Closes the listener and every open connection; callable from any thread.
    void stop();

    boost::asio::ip::tcp::endpoint endpoint() const;  // the bound address and port (after start())
    std::string public_url() const;                   // "http://127.0.0.1:PORT", without a trailing "/"

    // The answer to one request, as the listener gives it (without sockets: for tests). Calls the checks
    // or the registry's callbacks on the calling thread.
    net::ServerResponse answer(const net::ServerRequest& request) const;

private:
    struct State;
    std::shared_ptr<State> state_;
    std::unique_ptr<net::HttpServer> server_;
};

}  // namespace collab::observability
