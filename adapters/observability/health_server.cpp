#include "adapters/observability/health_server.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

#include <algorithm>
#include <exception>
#include <utility>
#include <vector>

#include "core/format.hpp"

namespace collab::observability {
namespace asio = boost::asio;
namespace http = boost::beast::http;

// --- ComponentState --------------------------------------------------------------------------------

ComponentState::ComponentState(std::string detail, SystemClock::time_point since)
    : status_{false, std::move(detail), since} {}

void ComponentState::set_up() {
    std::lock_guard lock(mutex_);
    status_ = ComponentStatus{};
}

void ComponentState::set_down(std::string detail, SystemClock::time_point now) {
    std::lock_guard lock(mutex_);
    // The time it went down is what an operator needs; a later failure of the same outage keeps it.
    if (status_.up) status_.since = now;
    status_.up = false;
    status_.detail = std::move(detail);
}

ComponentStatus ComponentState::status() const {
    std::lock_guard lock(mutex_);
    return status_;
}

// --- The /healthz text -----------------------------------------------------------------------------

std::string describe_down(std::string_view name, const ComponentStatus& status) {
    std::string line = std::string(name) + ": down";
    if (status.since) line += " since " + format_utc(*status.since);
    if (!status.detail.empty()) line += " (" + status.detail + ")";
    // One line per component, whatever the detail holds.
    std::replace(line.begin(), line.end(), '\n', ' ');
    std::replace(line.begin(), line.end(), '\r', ' ');
    return line;
}

// --- The server --------------------------------------------------------------------------------------

namespace {

net::ServerResponse text_answer(http::status status, std::string body, std::string_view content_type) {
    net::ServerResponse response{status, 11};
    response.set(http::field::content_type, content_type);
    // An orchestrator or a scraper wants the state now, not a cached one.
    response.set(http::field::cache_control, "no-store");
    response.body() = std::move(body);
    return response;
}

constexpr std::string_view plain_text = "text/plain; charset=utf-8";
constexpr std::string_view prometheus_text = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace

// What the handler refers to: shared with it, so that it lasts while a connection still runs.
struct HealthServer::State {
    explicit State(const Registry& registry_) : registry(registry_) {}

    ComponentStatus check(const HealthCheck& health_check) const {
        try {
            return health_check();
        } catch (const std::exception& error) {
            return ComponentStatus{false, std::string("health check failed: ") + error.what(), std::nullopt};
        } catch (...) {
            return ComponentStatus{false, "health check failed", std::nullopt};
        }
    }

    net::ServerResponse healthz() const {
        std::string down;
        {
            // Held while the checks run, so that remove_component() waits for a running one.
            std::lock_guard lock(mutex);
            for (const auto& [name, health_check] : components) {
                const ComponentStatus status = check(health_check);
                if (!status.up) down += describe_down(name, status) + "\n";
            }
        }
        if (down.empty()) return text_answer(http::status::ok, "ok\n", plain_text);
        return text_answer(http::status::service_unavailable, std::move(down), plain_text);
    }

    net::ServerResponse answer(const net::ServerRequest& request) const {
        const std::string_view target = request.target();
        // A query string does not change what is asked for.
        const std::string_view path = target.substr(0, target.find('?'));
        if (path != "/healthz" && path != "/metrics")
            return text_answer(http::status::not_found, "not found: try /healthz or /metrics\n", plain_text);
        if (request.method() != http::verb::get) {
            net::ServerResponse refused =
                text_answer(http::status::method_not_allowed, "only GET is allowed here\n", plain_text);
            refused.set(http::field::allow, "GET");
            return refused;
        }
        if (path == "/healthz") return healthz();
        return text_answer(http::status::ok, registry.render(), prometheus_text);
    }

    // The listener's handler: the state is held by value, so that it lasts as long as the request.
    static asio::awaitable<net::ServerResponse> serve(std::shared_ptr<const State> state, net::ServerRequest request) {
        co_return state->answer(request);
    }

    const Registry& registry;
    mutable std::mutex mutex;  // guards components, and is held while their checks run
    std::vector<std::pair<std::string, HealthCheck>> components;
};

net::HttpServerOptions health_server_defaults() {
    net::HttpServerOptions server;
    server.read_timeout = std::chrono::seconds{10};
    server.write_timeout = std::chrono::seconds{10};
    server.max_body_bytes = 4 * 1024;
    return server;
}

HealthServer::HealthServer(asio::any_io_executor executor, const Registry& registry, HealthServerOptions options)
    : state_(std::make_shared<State>(registry)) {
    std::shared_ptr<const State> state = state_;
    net::HttpHandler handler = [state](net::ServerRequest request) { return State::serve(state, std::move(request)); };
    server_ = std::make_unique<net::HttpServer>(std::move(executor), std::move(options.server), std::move(handler));
}

// The listener's own destructor stops it.
HealthServer::~HealthServer() = default;

void HealthServer::add_component(std::string name, HealthCheck check) {
    std::lock_guard lock(state_->mutex);
    auto& components = state_->components;
    const auto it = std::find_if(components.begin(), components.end(), [&](const auto& c) { return c.first == name; });
    if (it != components.end())
        it->second = std::move(check);
    else
        components.emplace_back(std::move(name), std::move(check));
}

void HealthServer::remove_component(std::string_view name) {
    std::lock_guard lock(state_->mutex);
    std::erase_if(state_->components, [&](const auto& c) { return c.first == name; });
}

void HealthServer::start() {
    server_->start();
}

void HealthServer::stop() {
    server_->stop();
}

asio::ip::tcp::endpoint HealthServer::endpoint() const {
    return server_->endpoint();
}

std::string HealthServer::public_url() const {
    return server_->public_url();
}

net::ServerResponse HealthServer::answer(const net::ServerRequest& request) const {
    return state_->answer(request);
}

}  // namespace collab::observability
