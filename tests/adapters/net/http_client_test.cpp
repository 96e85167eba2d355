// The shared HTTP client against real servers on loopback: what a caller sees for each way a request
// can go, over plain HTTP and over TLS with a throw-away CA.

#include "adapters/net/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <future>
#include <thread>

#include "loopback_server.hpp"
#include "test_certificates.hpp"

namespace collab::net {
namespace {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using Result = std::expected<HttpResponse, NetError>;
using test::LoopbackServer;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// Sent with every request: no error message may ever contain it.
const std::string secret = "secret-token-7f3a9c";

// --- Servers that misbehave on purpose ------------------------------------------------------------

asio::awaitable<void> read_request_head(tcp::socket& socket) {
    std::string head;
    co_await asio::async_read_until(socket, asio::dynamic_buffer(head), "\r\n\r\n", use_tuple);
}

// Reads whatever comes and never answers, until the client gives up: a stalled upstream.
asio::awaitable<void> never_answer(tcp::socket socket) {
    std::array<char, 4096> data{};
    for (;;) {
        auto [error, read] = co_await socket.async_read_some(asio::buffer(data), use_tuple);
        if (error) co_return;
    }
}

// Starts a response, then resets the connection: a crashed upstream or a middlebox cutting in.
asio::awaitable<void> reset_mid_response(tcp::socket socket) {
    co_await read_request_head(socket);
    const std::string partial = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly the first bytes";
    co_await asio::async_write(socket, asio::buffer(partial), use_tuple);
    // A zero linger time turns close() into a reset.
    boost::system::error_code ignored;
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
}

// Something that is not HTTP listening where an HTTP server was expected.
asio::awaitable<void> answer_garbage(tcp::socket socket) {
    co_await read_request_head(socket);
    const std::string garbage = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(garbage), use_tuple);
    co_await never_answer(std::move(socket));
}

test::HttpServerOptions serving(test::HttpHandler handler) {
    test::HttpServerOptions options;
    options.handler = std::move(handler);
    return options;
}

unsigned short closed_port() {
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return acceptor.local_endpoint().port();  // closed again on return
}

// --- Fixture --------------------------------------------------------------------------------------

class HttpClientTest : public ::testing::Test {
protected:
    static HttpClientOptions short_timeouts() {
        HttpClientOptions options;
        options.timeouts = HttpTimeouts{2s, 2s, 2s, 2s};
        options.user_agent = "collab-bot-test/1";
        return options;
    }

    static HttpRequest get(std::string url) {
        HttpRequest request;
        request.url = std::move(url);
        request.headers = {{"Authorization", "Bearer " + secret}, {"Accept", "application/json"}};
        return request;
    }

    // Runs one request on the test's io_context until it completes.
    Result send(HttpClient& client, HttpRequest request) {
        auto result = asio::co_spawn(io_, client.send(std::move(request)), asio::use_future);
        io_.restart();
        io_.run();
        return result.get();
    }

    static void expect_failure(const Result& result, NetErrorKind kind) {
        ASSERT_FALSE(result.has_value()) << "unexpected HTTP " << result->status;
        EXPECT_EQ(to_string(result.error().kind), to_string(kind)) << result.error().message;
        EXPECT_FALSE(result.error().message.empty());
        EXPECT_EQ(result.error().message.find(secret), std::string::npos) << result.error().message;
    }

    asio::io_context io_;
};

// --- Plain HTTP -----------------------------------------------------------------------------------

TEST_F(HttpClientTest, GetSendsTargetHostUserAgentAndCallerHeaders) {
    LoopbackServer server(serving(test::echo));
    HttpClient client(io_.get_executor(), short_timeouts());

    auto response = send(client, get(server.url("/v1/apps/my-db/collaborators?")));

    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 200u);
    // The bare trailing "?" is kept: the target goes out exactly as given.
    EXPECT_EQ(response->body, "GET /v1/apps/my-db/collaborators?\n");
    EXPECT_EQ(response->header("x-echo-host"), "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(response->header("X-ECHO-USER-AGENT"), "collab-bot-test/1");
    EXPECT_EQ(response->header("x-echo-authorization"), "Bearer " + secret);
    EXPECT_EQ(response->header("x-echo-accept"), "application/json");
    EXPECT_EQ(response->header("x-echo-content-length"), std::nullopt);
}

TEST_F(HttpClientTest, PostSendsBodyWithContentLengthAndReadsTheAnswer) {
    LoopbackServer server(serving(test::echo));
    HttpClient client(io_.get_executor(), short_timeouts());
    HttpRequest request = get(server.url("/v1/apps/my-db/collaborators"));
    request.method = http::verb::post;
    request.body = R"({"collaborator":{"email":"ada@example.com"}})";
    request.headers.emplace_back("Content-Type", "application/json");

    auto response = send(client, std::move(request));

    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->body, "POST /v1/apps/my-db/collaborators\n{\"collaborator\":{\"email\":\"ada@example.com\"}}");
    EXPECT_EQ(response->header("x-echo-content-length"), "44");
    EXPECT_EQ(response->header("x-echo-content-type"), "application/json");
    EXPECT_EQ(response->header("content-type"), "text/plain");
}

TEST_F(HttpClientTest, SequentialRequestsShareOneKeptAliveConnection) {
    LoopbackServer server(serving(test::echo));
    HttpClient client(io_.get_executor(), short_timeouts());

    for (int i = 0; i < 3; ++i) {
        auto response = send(client, get(server.url("/n/" + std::to_string(i))));
        ASSERT_TRUE(response) << response.error().message;
        EXPECT_EQ(response->body, "GET /n/" + std::to_string(i) + "\n");
    }

    EXPECT_EQ(server.requests(), 3);
    EXPECT_EQ(server.connections(), 1);
    EXPECT_EQ(client.idle_connections(), 1u);
}

TEST_F(HttpClientTest, OverlappingRequestsUseTheirOwnConnectionsAndKeepAtMostTheCap) {
    LoopbackServer server(serving(test::echo));
    HttpClientOptions options = short_timeouts();
    options.max_idle_per_origin = 2;
    HttpClient client(io_.get_executor(), options);

    std::vector<std::future<Result>> results;
    for (int i = 0; i < 3; ++i) {
        HttpRequest request = get(server.url("/overlap"));
        results.push_back(asio::co_spawn(io_, client.send(std::move(request)), asio::use_future));
    }
    io_.run();

    for (auto& result : results) {
        auto response = result.get();
        ASSERT_TRUE(response) << response.error().message;
        EXPECT_EQ(response->status, 200u);
    }
    EXPECT_EQ(server.connections(), 3);
    EXPECT_EQ(client.idle_connections(), 2u);
}

TEST_F(HttpClientTest, ConnectionTheServerClosedWhileIdleIsReplaced) {
    test::HttpServerOptions server_options = serving(test::echo);
    server_options.idle_timeout = 50ms;
    LoopbackServer server(server_options);
    HttpClient client(io_.get_executor(), short_timeouts());

    ASSERT_TRUE(send(client, get(server.url("/first"))));
    // Past the server's keep-alive timeout: wait until it has closed the connection.
    for (auto deadline = std::chrono::steady_clock::now() + 2s;
         server.closed() == 0 && std::chrono::steady_clock::now() < deadline;)
        std::this_thread::sleep_for(10ms);
    ASSERT_EQ(server.closed(), 1);
    auto response = send(client, get(server.url("/second")));

    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->body, "GET /second\n");
    EXPECT_EQ(server.connections(), 2);
}

TEST_F(HttpClientTest, KeptAliveConnectionClosedAsTheRequestArrivesIsRetriedOnceOnANewOne) {
    // The race every keep-alive client meets: the server drops the connection just as it is reused.
    LoopbackServer server(serving([](const test::ServerRequest& request, int nth) {
        return nth == 1 ? test::echo(request, nth) : std::nullopt;
    }));
    HttpClient client(io_.get_executor(), short_timeouts());

    ASSERT_TRUE(send(client, get(server.url("/first"))));
    auto response = send(client, get(server.url("/second")));

    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->body, "GET /second\n");
    EXPECT_EQ(server.connections(), 2);
    EXPECT_EQ(server.requests(), 3);
}

TEST_F(HttpClientTest, APostOnAConnectionClosedAsItArrivesIsNotSentTwice) {
    // The server read the POST before closing: it may have applied it, so it must not be sent again.
    LoopbackServer server(serving([](const test::ServerRequest& request, int nth) {
        return nth == 1 ? test::echo(request, nth) : std::nullopt;
    }));
    HttpClient client(io_.get_executor(), short_timeouts());

    ASSERT_TRUE(send(client, get(server.url("/first"))));
    HttpRequest post = get(server.url("/second"));
    post.method = http::verb::post;
    post.body = "payload";
    auto response = send(client, std::move(post));

    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().kind, NetErrorKind::reset);
    EXPECT_EQ(server.requests(), 2);
}

TEST_F(HttpClientTest, NewConnectionClosedWithoutAnswerIsAResetNotARetry) {
    LoopbackServer server(
        serving([](const test::ServerRequest&, int) { return std::optional<test::ServerResponse>{}; }));
    HttpClient client(io_.get_executor(), short_timeouts());

    expect_failure(send(client, get(server.url("/"))), NetErrorKind::reset);
    EXPECT_EQ(server.connections(), 1);
}

TEST_F(HttpClientTest, ConnectionCloseResponsesAreNotReused) {
    LoopbackServer server(serving([](const test::ServerRequest& request, int nth) {
        auto response = test::echo(request, nth);
        response->keep_alive(false);
        return response;
    }));
    HttpClient client(io_.get_executor(), short_timeouts());

    ASSERT_TRUE(send(client, get(server.url("/a"))));
    EXPECT_EQ(client.idle_connections(), 0u);
    ASSERT_TRUE(send(client, get(server.url("/b"))));

    EXPECT_EQ(server.connections(), 2);
    EXPECT_EQ(client.idle_connections(), 0u);
}

// --- Failures -------------------------------------------------------------------------------------

TEST_F(HttpClientTest, StalledServerTimesOutWithinTheRequestTimeout) {
    LoopbackServer server(test::RawHandler{&never_answer});
    HttpClientOptions options = short_timeouts();
    options.timeouts.request = 200ms;
    HttpClient client(io_.get_executor(), options);

    const auto started = std::chrono::steady_clock::now();
    auto response = send(client, get(server.url("/stall")));
    const auto elapsed = std::chrono::steady_clock::now() - started;

    expect_failure(response, NetErrorKind::timeout);
    EXPECT_GE(elapsed, 190ms);
    EXPECT_LT(elapsed, 1s);
    EXPECT_EQ(client.idle_connections(), 0u);
}

TEST_F(HttpClientTest, ClosedPortIsRefused) {
    HttpClient client(io_.get_executor(), short_timeouts());
    auto response = send(client, get("http://127.0.0.1:" + std::to_string(closed_port()) + "/"));
    expect_failure(response, NetErrorKind::refused);
}

TEST_F(HttpClientTest, UnresolvableHostIsADnsError) {
    HttpClient client(io_.get_executor(), short_timeouts());
    auto response = send(client, get("https://no-such-host.invalid/v1/users/self"));
    expect_failure(response, NetErrorKind::dns);
    EXPECT_NE(response.error().message.find("no-such-host.invalid"), std::string::npos);
}

TEST_F(HttpClientTest, ResetMidResponseIsAReset) {
    LoopbackServer server(test::RawHandler{&reset_mid_response});
    HttpClient client(io_.get_executor(), short_timeouts());
    expect_failure(send(client, get(server.url("/"))), NetErrorKind::reset);
    EXPECT_EQ(client.idle_connections(), 0u);
}

TEST_F(HttpClientTest, GarbageInsteadOfHttpIsAProtocolError) {
    LoopbackServer server(test::RawHandler{&answer_garbage});
    HttpClient client(io_.get_executor(), short_timeouts());
    expect_failure(send(client, get(server.url("/"))), NetErrorKind::protocol);
}

TEST_F(HttpClientTest, ResponsesLargerThanTheCapAreRefused) {
    LoopbackServer server(serving([](const test::ServerRequest& request, int nth) {
        auto response = test::echo(request, nth);
        if (request.target() == "/big-body") response->body() = std::string(64 * 1024, 'x');
        if (request.target() == "/big-headers") response->set("X-Padding", std::string(20 * 1024, 'y'));
        return response;
    }));
    HttpClientOptions options = short_timeouts();
    options.max_response_bytes = 16 * 1024;
    HttpClient client(io_.get_executor(), options);

    expect_failure(send(client, get(server.url("/big-body"))), NetErrorKind::oversize);
    expect_failure(send(client, get(server.url("/big-headers"))), NetErrorKind::oversize);
    // Under the cap still works, on a new connection: a refused response leaves its connection unusable.
    auto small = send(client, get(server.url("/small")));
    ASSERT_TRUE(small) << small.error().message;
    EXPECT_EQ(server.connections(), 3);
}

TEST_F(HttpClientTest, UnusableUrlsAndHeadersAreRefusedBeforeAnyConnection) {
    HttpClient client(io_.get_executor(), short_timeouts());
    for (const std::string url : {"ftp://example.com/", "example.com/v1", "", "http://user:pw@example.com/"})
        expect_failure(send(client, get(url)), NetErrorKind::bad_url);

    // A line break in a value would let it smuggle in more headers.
    HttpRequest request = get("http://127.0.0.1:" + std::to_string(closed_port()) + "/");
    request.headers.emplace_back("X-Note", "a\r\nX-Injected: 1");
    expect_failure(send(client, std::move(request)), NetErrorKind::bad_url);
}

// --- TLS ------------------------------------------------------------------------------------------

class HttpsClientTest : public HttpClientTest {
protected:
    static void SetUpTestSuite() {
        ca_ = std::make_unique<test::TestCa>("collab-bot test CA");
        ca_file_ = std::make_unique<test::TempFile>(ca_->certificate_pem());
    }
    static void TearDownTestSuite() {
        ca_file_.reset();
        ca_.reset();
    }

    static test::HttpServerOptions https_server(const std::string& subject_alt_names) {
        const test::IssuedCertificate issued = ca_->issue("test server", subject_alt_names);
        test::HttpServerOptions options = serving(test::echo);
        options.tls = test::TlsIdentity{issued.certificate_pem, issued.private_key_pem};
        return options;
    }

    static HttpClientOptions trusting_test_ca() {
        HttpClientOptions options = short_timeouts();
        options.ca_file = ca_file_->path().string();
        return options;
    }

    static inline std::unique_ptr<test::TestCa> ca_;
    static inline std::unique_ptr<test::TempFile> ca_file_;
};

TEST_F(HttpsClientTest, TrustedCertificateForTheHostSucceedsAndIsReused) {
    LoopbackServer server(https_server("DNS:localhost,IP:127.0.0.1"));
    HttpClient client(io_.get_executor(), trusting_test_ca());

    auto first = send(client, get(server.url("/v1/users/self", "https", "localhost")));
    auto second = send(client, get(server.url("/v1/apps", "https", "localhost")));

    ASSERT_TRUE(first) << first.error().message;
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_EQ(first->body, "GET /v1/users/self\n");
    EXPECT_EQ(second->header("x-echo-host"), "localhost:" + std::to_string(server.port()));
    EXPECT_EQ(server.connections(), 1);
}

TEST_F(HttpsClientTest, KeptAliveTlsConnectionClosedAsTheRequestArrivesIsRetriedOnceOnANewOne) {
    test::HttpServerOptions options = https_server("DNS:localhost");
    options.handler = [](const test::ServerRequest& request, int nth) {
        return nth == 1 ? test::echo(request, nth) : std::nullopt;
    };
    LoopbackServer server(options);
    HttpClient client(io_.get_executor(), trusting_test_ca());

    ASSERT_TRUE(send(client, get(server.url("/first", "https", "localhost"))));
    auto response = send(client, get(server.url("/second", "https", "localhost")));

    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->body, "GET /second\n");
    EXPECT_EQ(server.connections(), 2);
}

TEST_F(HttpsClientTest, IpAddressIsCheckedAgainstTheIpSubjectAltName) {
    LoopbackServer server(https_server("DNS:localhost,IP:127.0.0.1"));
    HttpClient client(io_.get_executor(), trusting_test_ca());

    auto response = send(client, get(server.url("/", "https", "127.0.0.1")));

    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 200u);
}

TEST_F(HttpsClientTest, CertificateForAnotherHostNameIsRefused) {
    LoopbackServer server(https_server("DNS:other.example"));
    HttpClient client(io_.get_executor(), trusting_test_ca());

    auto response = send(client, get(server.url("/", "https", "localhost")));

    expect_failure(response, NetErrorKind::tls);
    EXPECT_NE(response.error().message.find("not valid for the host name \"localhost\""), std::string::npos)
        << response.error().message;
    EXPECT_EQ(server.requests(), 0);
}

TEST_F(HttpsClientTest, CertificateFromAnUntrustedCaIsRefused) {
    LoopbackServer server(https_server("DNS:localhost,IP:127.0.0.1"));
    HttpClient client(io_.get_executor(), short_timeouts());  // the system store only

    auto response = send(client, get(server.url("/", "https", "localhost")));

    expect_failure(response, NetErrorKind::tls);
    EXPECT_NE(response.error().message.find("certificate verify failed"), std::string::npos)
        << response.error().message;
    EXPECT_EQ(server.requests(), 0);
}

TEST_F(HttpsClientTest, PlainHttpServerBehindAnHttpsUrlIsATlsError) {
    LoopbackServer server(serving(test::echo));
    HttpClient client(io_.get_executor(), trusting_test_ca());
    expect_failure(send(client, get(server.url("/", "https"))), NetErrorKind::tls);
}

TEST_F(HttpsClientTest, SilentServerTimesOutDuringTheHandshake) {
    LoopbackServer server(test::RawHandler{&never_answer});
    HttpClientOptions options = trusting_test_ca();
    options.timeouts.handshake = 200ms;
    HttpClient client(io_.get_executor(), options);

    const auto started = std::chrono::steady_clock::now();
    auto response = send(client, get(server.url("/", "https", "localhost")));

    expect_failure(response, NetErrorKind::timeout);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

TEST_F(HttpsClientTest, UnreadableCaFileIsAStartUpError) {
    HttpClientOptions options = short_timeouts();
    options.ca_file = "/nonexistent/collab-bot-ca.pem";
    EXPECT_THROW(HttpClient(io_.get_executor(), options), std::runtime_error);
}

}  // namespace
}  // namespace collab::net
