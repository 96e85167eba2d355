#pragma once
// An absolute http(s) URL split into what a connection needs (the origin) and what the request line
// needs (the target). Pure: no I/O, so it is tested on its own.

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "adapters/net/http_client.hpp"

namespace collab::net {

// Where a connection goes: connections are pooled per origin.
struct Origin {
    bool tls = false;
    std::string host;  // a lower-case name, or an IP literal without brackets
    std::uint16_t port = 0;

    bool operator==(const Origin&) const = default;
};

struct HttpUrl {
    Origin origin;
    std::string host_header;  // host[:port] as the Host header wants it: port only when not the default
    std::string target;       // path and query exactly as given ("/" when empty); the fragment dropped
};

std::expected<HttpUrl, NetError> parse_http_url(std::string_view url);

// "https://host:port": the pool key and the prefix of error messages (never the target, which may
// carry identifiers a log should not keep).
std::string to_string(const Origin& origin);

// True for "127.0.0.1" or "::1": such hosts get no SNI and are checked against IP subjectAltNames.
bool is_ip_literal(std::string_view host);

}  // namespace collab::net
