#pragma once
// The HTTP(S) client every adapter shares: Beast + OpenSSL, keep-alive connections reused across
// requests, a timeout on each step, a cap on what it reads, and one error per way things fail.
//
// Thread model: a client and its requests live on one io_context thread (the executor given to the
// constructor); it has no strand of its own. Requests may overlap: each takes an idle connection of
// its origin or opens a new one, and gives it back when the exchange left it reusable.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <cstddef>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace collab::net {

enum class NetErrorKind {
    bad_url,   // not an absolute http:// or https:// URL, or a header that cannot be sent (line break, NUL)
    dns,       // the host name does not resolve
    refused,   // nobody listens there
    tls,       // handshake failed: certificate not trusted, wrong host name, protocol mismatch
    timeout,   // a step took longer than its timeout
    reset,     // the peer closed or reset the connection mid-exchange
    oversize,  // the response is larger than the cap
    protocol,  // the peer did not speak HTTP/1.1
};

struct NetError {
    NetErrorKind kind;
    std::string message;  // for logs and admins; never contains request headers or bodies
    // Retrying cannot help until a setting or the peer's set-up changes: a malformed URL, a host name
    // that does not exist, a certificate that fails verification. Callers fail fast on these.
    bool permanent = false;
};

std::string_view to_string(NetErrorKind kind);

struct HttpTimeouts {
    std::chrono::milliseconds resolve{5'000};
    std::chrono::milliseconds connect{5'000};
    std::chrono::milliseconds handshake{5'000};
    std::chrono::milliseconds request{15'000};  // writing the request and reading the whole response
};

struct HttpClientOptions {
    HttpTimeouts timeouts;
    std::size_t max_response_bytes = 4 * 1024 * 1024;  // body cap; headers are capped at min(64 KiB, this)
    std::string ca_file;                  // PEM bundle to trust instead of the system store; there is no "verify off"
    std::size_t max_idle_per_origin = 4;  // origin = scheme, host and port; 0 disables reuse
    std::string user_agent;               // sent when the request sets none; "collab-bot" when empty
};

struct HttpRequest {
    boost::beast::http::verb method = boost::beast::http::verb::get;
    std::string url;  // absolute: scheme, host, optional port, target
    // Host, Content-Length and Transfer-Encoding are set by the client; a caller's values are ignored.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;  // sent with a Content-Length
};

struct HttpResponse {
    unsigned status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    // Case-insensitive look-up of the first header with this name.
    std::optional<std::string> header(std::string_view name) const;
};

// Retry-After in seconds, at most an hour (the HTTP-date form is rare enough for callers to fall back to
// their own backoff).
std::optional<std::chrono::milliseconds> retry_after(const HttpResponse& response);

class HttpClient {
public:
    // Throws std::runtime_error when options.ca_file cannot be loaded (a start-up configuration error).
    HttpClient(boost::asio::any_io_executor executor, HttpClientOptions options);
    // Closes the idle connections. Requests still in flight keep what they use alive and finish normally.
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // One request, on an idle connection to the same origin when there is one. A reused connection
    // that turns out to be closed by the peer is replaced once, transparently.
    boost::asio::awaitable<std::expected<HttpResponse, NetError>> send(HttpRequest request);

    // Idle connections kept for reuse (for tests and metrics).
    std::size_t idle_connections() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace collab::net
