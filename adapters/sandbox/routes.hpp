#pragma once
// The sandbox's Scalingo-compatible HTTP API as a pure function of (store, request): routing, auth,
// access and the bodies of the wire contract (../shared/reference/scalingo-api.md). SandboxServer
// wraps it in sockets, timeouts and fault injection; the tests call it directly.
//
// Access, as the reference reads: an unknown app is 404 {"resource":"app","error":"not found"}; an
// app the signed-in account neither owns nor collaborates on (accepted) is 401, Scalingo's answer for
// "not a collaborator with enough privileges". Limited collaborators read, and may remove themselves,
// but do not invite, change roles or remove others (401 as well).

#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/sandbox/sandbox_store.hpp"
#include "adapters/security/hmac_signer.hpp"

namespace collab::sandbox {

// The one region the sandbox serves, named as Scalingo's default so that clients configured for it work.
inline constexpr std::string_view region_name = "osc-fr1";

struct RouteRequest {
    boost::beast::http::verb method = boost::beast::http::verb::get;
    std::string target;         // as received: the path, then an optional "?query"
    std::string authorization;  // the Authorization header; empty when absent
    std::string body;
};

struct RouteResponse {
    unsigned status = 200;
    std::string body;                                          // JSON (Content-Type application/json); empty for 204
    std::vector<std::pair<std::string, std::string>> headers;  // others than Content-Type: Allow, …
};

struct RouteContext {
    TimePoint now;
    std::chrono::seconds jwt_lifetime{3600};
    std::string public_url;  // base URL of the regions' "api", without /v1: "http://127.0.0.1:PORT"
    // Seals the bearer tokens the exchange issues and checks the ones presented; without it no bearer
    // is issued or accepted.
    const security::HmacSigner* token_issuer = nullptr;
};

// The counter key of a request: its method and the path template it matched, e.g.
// "GET /v1/apps/{app}/collaborators", or "unmatched" for a path the API does not have.
std::string route_key(boost::beast::http::verb method, std::string_view target);

// Never throws: a store that cannot be used is a 503 {"error":"…"}.
RouteResponse handle_route(SandboxStore& store, const RouteRequest& request, const RouteContext& context);

}  // namespace collab::sandbox
