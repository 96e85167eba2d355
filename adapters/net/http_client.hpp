#pragma once
// The HTTP(S) client every adapter shares: Beast + OpenSSL, keep-alive connections reused across
// requests, a timeout on each step, a cap on what it reads, and one error per way things fail.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <cstddef>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace collab::net {

enum class NetErrorKind {
    bad_url,   // not an absolute http:// or https:// URL
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
    std::size_t max_response_bytes = 4 * 1024 * 1024;
    std::string ca_file;  // PEM bundle to trust instead of the system store; there is no "verify off"
    std::size_t max_idle_per_origin = 4;
    std::string user_agent;  // sent when the request sets none
};

struct HttpRequest {
    boost::beast::http::verb method = boost::beast::http::verb::get;
    std::string url;  // absolute: scheme, host, optional port, target
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

struct HttpResponse {
    unsigned status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    // Case-insensitive look-up of the first header with this name.
    std::optional<std::string> header(std::string_view name) const;
};

class HttpClient {
public:
    HttpClient(boost::asio::any_io_executor executor, HttpClientOptions options);
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
