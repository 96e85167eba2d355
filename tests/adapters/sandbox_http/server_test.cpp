// The sandbox over a real loopback socket: a minimal blocking Beast client in the test against
// SandboxServer running on its own thread. Keep-alive, counters, timeouts, caps, faults, HTTPS, stop.

#include "adapters/sandbox/http_server.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "../temp_dir.hpp"
#include "adapters/sandbox/seed.hpp"
#include "adapters/security/hmac_signer.hpp"

namespace collab::sandbox {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Response = http::response<http::string_body>;

constexpr std::string_view user1_token = "tk-us-sandbox-user1-0000000000000000000000000000";

// A blocking client is enough here; the receive timeout turns a server that never answers into a
// failed read instead of a hung test.
void limit_waits(tcp::socket& socket) {
    timeval five_seconds{5, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &five_seconds, sizeof five_seconds);
}

struct Call {
    http::verb method = http::verb::get;
    std::string target;
    std::string authorization;
    std::string body;
    bool keep_alive = true;
};

template <typename Stream>
Response exchange(Stream& stream, beast::flat_buffer& buffer, const Call& call) {
    http::request<http::string_body> request{call.method, call.target, 11};
    request.set(http::field::host, "127.0.0.1");
    // As go-scalingo does, even on requests without a body.
    request.set(http::field::content_type, "application/json");
    request.set(http::field::accept, "application/json");
    if (!call.authorization.empty()) request.set(http::field::authorization, call.authorization);
    request.body() = call.body;
    request.keep_alive(call.keep_alive);
    request.prepare_payload();
    http::write(stream, request);
    Response response;
    http::read(stream, buffer, response);
    return response;
}

// The connection's next read: true when the server closed it.
template <typename Stream>
bool closed_by_server(Stream& stream, beast::flat_buffer& buffer) {
    Response response;
    beast::error_code error;
    http::read(stream, buffer, response, error);
    return error == http::error::end_of_stream || error == asio::error::eof || error == asio::error::connection_reset ||
           error == ssl::error::stream_truncated;
}

std::string basic(std::string_view api_token) {
    return "Basic " + security::base64_encode(":" + std::string(api_token));
}

class Client {
public:
    explicit Client(const tcp::endpoint& server) : socket_(io_) {
        socket_.connect(server);
        limit_waits(socket_);
    }
    Response send(Call call) { return exchange(socket_, buffer_, call); }
    bool closed_by_server() { return sandbox::closed_by_server(socket_, buffer_); }

    std::string bearer(std::string_view api_token) {
        const Response response = send({http::verb::post, "/v1/tokens/exchange", basic(api_token), "{}"});
        EXPECT_EQ(response.result_int(), 200u) << response.body();
        return "Bearer " + std::string(json::parse(response.body()).at("token").as_string());
    }

private:
    asio::io_context io_;
    tcp::socket socket_;
    beast::flat_buffer buffer_;
};

class ServerTest : public ::testing::Test {
protected:
    ~ServerTest() override { stop(); }

    void start(ServeOptions options = {}, int threads = 1) {
        server_.emplace(io_.get_executor(), store_, std::move(options));
        server_->start();
        for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { io_.run(); });
    }

    // The server's coroutines end on their own once stopped: joining proves nothing was left hanging.
    void stop() {
        if (server_) server_->stop();
        for (auto& thread : threads_) {
            if (thread.joinable()) thread.join();
        }
    }

    collab::testing::TempDir dir_;
    SandboxStore store_{dir_ / "sandbox.sqlite",
                        parse_seed(collab::testing::read_file(collab::testing::source_file("config/sandbox.toml")),
                                   "config/sandbox.toml")};
    asio::io_context io_;
    std::optional<SandboxServer> server_;
    std::vector<std::thread> threads_;
};

TEST_F(ServerTest, ListInviteRemoveOnOneKeptAliveConnection) {
    start();
    Client client(server_->endpoint());
    const std::string bearer = client.bearer(user1_token);

    const Response list = client.send({http::verb::get, "/v1/apps/my-dedicated-db/collaborators?", bearer, ""});
    EXPECT_EQ(list.result_int(), 200u);
    EXPECT_EQ(list[http::field::content_type], "application/json");
    EXPECT_EQ(json::parse(list.body()).at("collaborators").as_array().size(), 2u);

    const Response invited = client.send({http::verb::post, "/v1/apps/my-dedicated-db/collaborators", bearer,
                                          R"({"collaborator":{"email":"new@example.com","is_limited":false}})"});
    ASSERT_EQ(invited.result_int(), 201u) << invited.body();
    EXPECT_EQ(invited[http::field::content_type], "application/json");
    const std::string id(json::parse(invited.body()).at("collaborator").at("id").as_string());

    const Response removed =
        client.send({http::verb::delete_, "/v1/apps/my-dedicated-db/collaborators/" + id + "?", bearer, ""});
    EXPECT_EQ(removed.result_int(), 204u);
    EXPECT_EQ(removed.body(), "");
    EXPECT_EQ(store_.collaborators("my-dedicated-db").size(), 2u);

    EXPECT_EQ(server_->requests("POST /v1/tokens/exchange"), 1u);
    EXPECT_EQ(server_->requests("GET /v1/apps/{app}/collaborators"), 1u);
    EXPECT_EQ(server_->requests("POST /v1/apps/{app}/collaborators"), 1u);
    EXPECT_EQ(server_->requests("DELETE /v1/apps/{app}/collaborators/{id}"), 1u);
    EXPECT_EQ(server_->requests("GET /v1/apps/{app}"), 0u);
    EXPECT_EQ(server_->total_requests(), 4u);
}

TEST_F(ServerTest, KeepAliveUntilTheClientAsksToClose) {
    start();
    Client client(server_->endpoint());
    const std::string bearer = client.bearer(user1_token);
    for (int i = 0; i < 5; ++i) {
        const Response self = client.send({http::verb::get, "//v1/users/self?", bearer, ""});
        EXPECT_EQ(self.result_int(), 200u);
        EXPECT_TRUE(self.keep_alive());
    }
    const Response last = client.send({http::verb::get, "/v1/users/self", bearer, "", false});
    EXPECT_EQ(last.result_int(), 200u);
    EXPECT_FALSE(last.keep_alive());
    EXPECT_TRUE(client.closed_by_server());
    EXPECT_EQ(server_->requests("GET /v1/users/self"), 6u);
}

TEST_F(ServerTest, ConcurrentClientsOnAMultiThreadedServer) {
    start({}, 2);
    std::vector<std::thread> clients;
    std::atomic<int> invited{0};
    for (int c = 0; c < 4; ++c) {
        clients.emplace_back([&, c] {
            Client client(server_->endpoint());
            const std::string bearer = client.bearer(user1_token);
            for (int i = 0; i < 10; ++i) {
                const std::string email = "c" + std::to_string(c) + "-" + std::to_string(i) + "@example.com";
                const Response response = client.send({http::verb::post, "/v1/apps/my-dedicated-db/collaborators",
                                                       bearer, R"({"collaborator":{"email":")" + email + R"("}})"});
                if (response.result_int() == 201) ++invited;
                client.send({http::verb::get, "/v1/apps/my-dedicated-db/collaborators?", bearer, ""});
            }
        });
    }
    for (auto& client : clients) client.join();
    EXPECT_EQ(invited, 40);
    EXPECT_EQ(store_.collaborators("my-dedicated-db").size(), 42u);
    EXPECT_EQ(server_->requests("POST /v1/apps/{app}/collaborators"), 40u);
    EXPECT_EQ(server_->requests("GET /v1/apps/{app}/collaborators"), 40u);
    EXPECT_EQ(server_->total_requests(), 84u);
}

TEST_F(ServerTest, RegionsAdvertiseTheBoundAddress) {
    start();
    const std::string expected = "http://127.0.0.1:" + std::to_string(server_->endpoint().port());
    EXPECT_NE(server_->endpoint().port(), 0);
    EXPECT_EQ(server_->public_url(), expected);
    Client client(server_->endpoint());
    const Response regions = client.send({http::verb::get, "/v1/regions?", "", ""});
    EXPECT_EQ(json::parse(regions.body()).at("regions").at(0).at("api").as_string(), expected);
}

TEST_F(ServerTest, ConfiguredPublicUrlLosesItsTrailingSlash) {
    ServeOptions options;
    options.server.public_url = "https://sandbox.example.org/";
    start(options);
    EXPECT_EQ(server_->public_url(), "https://sandbox.example.org");
}

TEST_F(ServerTest, InjectedFaultsAreOnly500And503And429WithRetryAfter) {
    ServeOptions options;
    options.faults.error_share = 1.0;
    start(options);
    Client client(server_->endpoint());
    std::set<unsigned> seen;
    for (int i = 0; i < 60; ++i) {
        const Response response = client.send({http::verb::post, "/v1/tokens/exchange", basic(user1_token), "{}"});
        const unsigned status = response.result_int();
        seen.insert(status);
        EXPECT_TRUE(status == 500 || status == 503 || status == 429) << status;
        EXPECT_EQ(response[http::field::content_type], "application/json");
        EXPECT_TRUE(json::parse(response.body()).at("error").is_string()) << response.body();
        if (status == 429) {
            EXPECT_EQ(response[http::field::retry_after], "1");
        }
    }
    // 60 draws out of three: missing one has a chance of about 1e-10.
    EXPECT_EQ(seen, (std::set<unsigned>{429, 500, 503}));
    EXPECT_EQ(server_->requests("POST /v1/tokens/exchange"), 60u) << "a client pays for faults too";
}

TEST_F(ServerTest, FaultsAreOffByDefault) {
    start();
    Client client(server_->endpoint());
    for (int i = 0; i < 20; ++i)
        EXPECT_EQ(client.send({http::verb::post, "/v1/tokens/exchange", basic(user1_token), "{}"}).result_int(), 200u);
}

TEST_F(ServerTest, InjectedLatencyDelaysEveryAnswer) {
    ServeOptions options;
    options.faults.latency = std::chrono::milliseconds(150);
    start(options);
    Client client(server_->endpoint());
    const auto began = std::chrono::steady_clock::now();
    EXPECT_EQ(client.send({http::verb::get, "/v1/regions", "", ""}).result_int(), 200u);
    EXPECT_GE(std::chrono::steady_clock::now() - began, std::chrono::milliseconds(150));
}

TEST_F(ServerTest, OversizedBodyIs413AndTheConnectionCloses) {
    ServeOptions options;
    options.server.max_body_bytes = 1024;
    start(options);
    Client client(server_->endpoint());
    const std::string big = R"({"collaborator":{"email":"a@b.co","pad":")" + std::string(4096, 'x') + R"("}})";
    const Response response =
        client.send({http::verb::post, "/v1/apps/my-dedicated-db/collaborators", "Bearer x", big});
    EXPECT_EQ(response.result_int(), 413u);
    EXPECT_FALSE(response.keep_alive());
    EXPECT_TRUE(client.closed_by_server());
}

TEST_F(ServerTest, SilentConnectionIsClosedAfterTheReadTimeout) {
    ServeOptions options;
    options.server.read_timeout = std::chrono::seconds(1);
    start(options);
    Client client(server_->endpoint());
    const auto began = std::chrono::steady_clock::now();
    EXPECT_TRUE(client.closed_by_server());
    EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(4));
}

TEST_F(ServerTest, StopClosesOpenConnections) {
    start();
    Client client(server_->endpoint());
    EXPECT_EQ(client.send({http::verb::get, "/v1/regions", "", ""}).result_int(), 200u);
    stop();  // returns only once the io_context ran out of work: the idle connection was closed too
    EXPECT_TRUE(client.closed_by_server());
}

TEST_F(ServerTest, StartRefusesWhatCannotWork) {
    ServeOptions bad_listen;
    bad_listen.server.listen = "no-port-here";
    SandboxServer first(io_.get_executor(), store_, bad_listen);
    EXPECT_THROW(first.start(), std::runtime_error);

    ServeOptions half_tls;
    half_tls.server.cert_file = (dir_ / "cert.pem").string();
    SandboxServer second(io_.get_executor(), store_, half_tls);
    EXPECT_THROW(second.start(), std::runtime_error);

    start();
    ServeOptions same_port;
    same_port.server.listen = "127.0.0.1:" + std::to_string(server_->endpoint().port());
    SandboxServer third(io_.get_executor(), store_, same_port);
    EXPECT_THROW(third.start(), std::runtime_error);
}

// ---- HTTPS ----

struct Pem {
    std::string certificate;
    std::string key;
};

std::string pem_of(int (*write)(BIO*, void*), void* object) {
    BIO* bio = BIO_new(BIO_s_mem());
    write(bio, object);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    std::string text(data, static_cast<std::size_t>(size));
    BIO_free(bio);
    return text;
}

// A throw-away self-signed certificate for 127.0.0.1.
Pem self_signed_for_loopback() {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1,
                               0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &context, NID_subject_alt_name, "IP:127.0.0.1");
    X509_add_ext(cert, san, -1);
    X509_EXTENSION_free(san);
    X509_sign(cert, key, EVP_sha256());
    Pem pem{pem_of([](BIO* bio, void* x) { return PEM_write_bio_X509(bio, static_cast<X509*>(x)); }, cert),
            pem_of(
                [](BIO* bio, void* k) {
                    return PEM_write_bio_PrivateKey(bio, static_cast<EVP_PKEY*>(k), nullptr, nullptr, 0, nullptr,
                                                    nullptr);
                },
                key)};
    X509_free(cert);
    EVP_PKEY_free(key);
    return pem;
}

TEST_F(ServerTest, ServesHttpsWithTheConfiguredCertificate) {
    const Pem pem = self_signed_for_loopback();
    collab::testing::write_file(dir_ / "cert.pem", pem.certificate);
    collab::testing::write_file(dir_ / "key.pem", pem.key);
    ServeOptions options;
    options.server.cert_file = (dir_ / "cert.pem").string();
    options.server.key_file = (dir_ / "key.pem").string();
    start(options);
    EXPECT_EQ(server_->public_url(), "https://127.0.0.1:" + std::to_string(server_->endpoint().port()));

    asio::io_context io;
    ssl::context tls(ssl::context::tls_client);
    tls.add_certificate_authority(asio::buffer(pem.certificate));
    tls.set_verify_mode(ssl::verify_peer);
    beast::ssl_stream<tcp::socket> stream(io, tls);
    stream.next_layer().connect(server_->endpoint());
    limit_waits(stream.next_layer());
    stream.handshake(ssl::stream_base::client);
    beast::flat_buffer buffer;

    const Response exchanged =
        exchange(stream, buffer, Call{http::verb::post, "/v1/tokens/exchange", basic(user1_token), "{}"});
    ASSERT_EQ(exchanged.result_int(), 200u) << exchanged.body();
    const std::string bearer = "Bearer " + std::string(json::parse(exchanged.body()).at("token").as_string());
    const Response self = exchange(stream, buffer, Call{http::verb::get, "/v1/users/self?", bearer, ""});
    EXPECT_EQ(self.result_int(), 200u);
    EXPECT_EQ(json::parse(self.body()).at("user").at("username").as_string(), "user1");
}

}  // namespace
}  // namespace collab::sandbox
