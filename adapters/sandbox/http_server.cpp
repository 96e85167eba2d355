#include "adapters/sandbox/http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <random>

#include "adapters/net/http_server.hpp"
#include "adapters/sandbox/routes.hpp"
#include "adapters/security/random.hpp"

namespace collab::sandbox {
namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

RouteResponse error_answer(unsigned status, std::string_view message) {
    return RouteResponse{status, json::serialize(json::object{{"error", message}}), {}};
}

net::ServerResponse to_http(RouteResponse routed) {
    net::ServerResponse response{static_cast<http::status>(routed.status), 11};
    if (!routed.body.empty()) response.set(http::field::content_type, "application/json");
    for (auto& [name, value] : routed.headers) response.set(name, value);
    response.body() = std::move(routed.body);
    return response;
}

// The server's own refusals (400, 413, 500) in the API's error shape.
net::ServerResponse json_error(http::status status, std::string_view message) {
    return to_http(error_answer(static_cast<unsigned>(status), message));
}

net::HttpServerOptions server_options(const ServeOptions& options) {
    net::HttpServerOptions server = options.server;
    server.server_name = "collab-bot-sandbox";
    server.error_answer = json_error;
    return server;
}

// What the requests share: the store, the counters and the fault dice. Held by the handler, so that
// it lasts as long as a connection still runs.
struct State {
    State(SandboxStore& store_, ServeOptions options_) : store(store_), options(std::move(options_)) {}

    // Counts the request, in flight until finished(); the public URL the answer advertises.
    std::string count(const std::string& key) {
        std::lock_guard lock(mutex);
        ++total;
        most_in_flight = std::max(most_in_flight, ++in_flight);
        auto it = counts.find(key);
        if (it == counts.end())
            counts.emplace(key, 1);
        else
            ++it->second;
        return public_url;
    }

    // A 500, 503 or 429 for the configured share of requests, drawn at random.
    std::optional<RouteResponse> draw_fault() {
        if (options.faults.error_share <= 0) return std::nullopt;
        std::lock_guard lock(mutex);
        if (std::uniform_real_distribution<double>(0, 1)(random) >= options.faults.error_share) return std::nullopt;
        switch (std::uniform_int_distribution<int>(0, 2)(random)) {
            case 0: return error_answer(500, "injected fault: internal server error");
            case 1: return error_answer(503, "injected fault: service unavailable");
            default: {
                RouteResponse limited = error_answer(429, "Retry later");
                limited.headers.emplace_back("Retry-After", "1");
                return limited;
            }
        }
    }

    RouteResponse answer(const net::ServerRequest& request, std::string public_url) {
        if (auto fault = draw_fault()) return std::move(*fault);
        RouteRequest routed;
        routed.method = request.method();
        routed.target = std::string(request.target());
        routed.authorization = std::string(request[http::field::authorization]);
        routed.body = request.body();
        RouteContext context{Clock::now(), options.jwt_lifetime, std::move(public_url), &token_issuer};
        // One SQLite connection: requests on other strands take turns (each is a few short statements).
        std::lock_guard lock(store_mutex);
        return handle_route(store, routed, context);
    }

    void finished() {
        std::lock_guard lock(mutex);
        --in_flight;
    }

    // Counted out however the answer ends, a thrown error (answered 500 by the server) included.
    struct InFlight {
        State& state;
        ~InFlight() { state.finished(); }
    };

    static asio::awaitable<net::ServerResponse> handle(std::shared_ptr<State> state, net::ServerRequest request) {
        std::string public_url = state->count(route_key(request.method(), request.target()));
        const InFlight in_flight{*state};
        if (state->options.faults.latency.count() > 0) {
            asio::steady_timer delay(co_await asio::this_coro::executor, state->options.faults.latency);
            co_await delay.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        co_return to_http(state->answer(request, std::move(public_url)));
    }

    SandboxStore& store;
    const ServeOptions options;
    // A key of this process's own: the tokens it issued are the only ones it accepts, and a restart
    // makes clients exchange again (they do on a 401).
    const security::HmacSigner token_issuer{security::random_hex(32)};

    mutable std::mutex mutex;  // guards what follows
    std::string public_url;    // the server's, once started
    std::map<std::string, std::size_t, std::less<>> counts;
    std::size_t total = 0;
    std::size_t in_flight = 0;
    std::size_t most_in_flight = 0;
    std::mt19937_64 random{std::random_device{}()};

    std::mutex store_mutex;
};

net::HttpHandler handler_of(std::shared_ptr<State> state) {
    return [state = std::move(state)](net::ServerRequest request) { return State::handle(state, std::move(request)); };
}

}  // namespace

struct SandboxServer::Impl {
    Impl(asio::any_io_executor executor, SandboxStore& store, const ServeOptions& options)
        : state(std::make_shared<State>(store, options)),
          server(std::move(executor), server_options(options), handler_of(state)) {}

    std::shared_ptr<State> state;
    net::HttpServer server;
};

SandboxServer::SandboxServer(asio::any_io_executor executor, SandboxStore& store, ServeOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), store, options)) {}

SandboxServer::~SandboxServer() {
    stop();
}

void SandboxServer::start() {
    // Held until the URL is known: a request that arrives meanwhile waits for it in count().
    std::lock_guard lock(impl_->state->mutex);
    impl_->server.start();
    impl_->state->public_url = impl_->server.public_url();
}

void SandboxServer::stop() {
    impl_->server.stop();
}

boost::asio::ip::tcp::endpoint SandboxServer::endpoint() const {
    return impl_->server.endpoint();
}

std::string SandboxServer::public_url() const {
    return impl_->server.public_url();
}

std::size_t SandboxServer::requests(std::string_view route_key) const {
    std::lock_guard lock(impl_->state->mutex);
    auto it = impl_->state->counts.find(route_key);
    return it == impl_->state->counts.end() ? 0 : it->second;
}

std::size_t SandboxServer::total_requests() const {
    std::lock_guard lock(impl_->state->mutex);
    return impl_->state->total;
}

std::size_t SandboxServer::most_in_flight() const {
    std::lock_guard lock(impl_->state->mutex);
    return impl_->state->most_in_flight;
}

}  // namespace collab::sandbox
