// The Scalingo client against the sandbox served over HTTP and HTTPS on loopback: the real wire, the
// token life cycle, and what a realistic mix of commands costs upstream.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <iostream>
#include <thread>

#include "../run_coroutine.hpp"
#include "../temp_dir.hpp"
#include "adapters/directory/static_directory.hpp"
#include "adapters/sandbox/http_server.hpp"
#include "adapters/sandbox/seed.hpp"
#include "adapters/scalingo/scalingo_api.hpp"
#include "adapters/security/hmac_signer.hpp"
#include "adapters/store/local_state.hpp"
#include "adapters/store/sqlite_audit_log.hpp"
#include "core/service.hpp"
#include "test_certificates.hpp"

namespace collab::scalingo {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;

const std::string owner_token = "tk-us-sandbox-user1-0000000000000000000000000000";
const std::string exchange_route = "POST /v1/tokens/exchange";
const std::string list_route = "GET /v1/apps/{app}/collaborators";

// The sandbox seeded from config/sandbox.toml, served on its own thread.
class ServedSandbox {
public:
    explicit ServedSandbox(sandbox::ServeOptions options = {},
                           std::string seed = testing::read_file(testing::source_file("config/sandbox.toml")))
        : store_(dir_ / "sandbox.sqlite", sandbox::parse_seed(seed, "sandbox.toml")),
          server_(io_.get_executor(), store_, std::move(options)) {
        server_.start();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~ServedSandbox() {
        server_.stop();
        thread_.join();
    }

    std::string url() const { return server_.public_url(); }
    std::size_t requests(std::string_view route) const { return server_.requests(route); }
    std::size_t total() const { return server_.total_requests(); }
    std::size_t most_in_flight() const { return server_.most_in_flight(); }

    ScalingoSettings settings(std::string token = owner_token) const {
        ScalingoSettings settings;
        settings.api_url = settings.auth_url = url();
        settings.api_token = std::move(token);
        return settings;
    }

private:
    testing::TempDir dir_;
    sandbox::SandboxStore store_;
    asio::io_context io_;
    sandbox::SandboxServer server_;
    std::thread thread_;
};

asio::awaitable<void> sleep_for(std::chrono::milliseconds duration) {
    asio::steady_timer timer(co_await asio::this_coro::executor, duration);
    co_await timer.async_wait(asio::use_awaitable);
}

// Runs `body` with a client of its own, the way the bot's io thread would.
template <typename T>
T with_api(const ScalingoSettings& settings, const net::HttpClientOptions& options,
           std::function<asio::awaitable<T>(ScalingoApi&)> body) {
    return testing::run([&]() -> asio::awaitable<T> {
        const auto executor = co_await asio::this_coro::executor;
        net::HttpClient http(executor, options);
        ScalingoApi api(http, settings);
        co_return co_await body(api);
    }());
}

TEST(ScalingoOnSandbox, ReadsTheSeedsDatabase) {
    ServedSandbox sandbox;
    auto [database, collaborators] = with_api<std::pair<ApiResult<Database>, ApiResult<std::vector<Collaborator>>>>(
        sandbox.settings(), {},
        [](ScalingoApi& api) -> asio::awaitable<std::pair<ApiResult<Database>, ApiResult<std::vector<Collaborator>>>> {
            auto database = co_await api.show_database("my-dedicated-db");
            auto collaborators = co_await api.list_collaborators("my-dedicated-db");
            co_return std::pair{std::move(database), std::move(collaborators)};
        });
    ASSERT_TRUE(database) << database.error().message;
    EXPECT_EQ(database->owner.email, "user1@example.com");
    EXPECT_TRUE(database->dedicated);
    ASSERT_TRUE(collaborators) << collaborators.error().message;
    ASSERT_EQ(collaborators->size(), 2u);
    EXPECT_EQ((*collaborators)[0].email, "user2@example.com");
    EXPECT_EQ((*collaborators)[1].username, "n/a");
    EXPECT_EQ((*collaborators)[1].status, Status::pending);
}

TEST(ScalingoOnSandbox, InviteThenRemove) {
    ServedSandbox sandbox;
    auto remaining = with_api<ApiResult<std::vector<Collaborator>>>(
        sandbox.settings(), {}, [](ScalingoApi& api) -> asio::awaitable<ApiResult<std::vector<Collaborator>>> {
            auto invited = co_await api.invite("my-dedicated-db", "new@example.com");
            EXPECT_TRUE(invited) << invited.error().message;
            if (!invited) co_return std::unexpected(invited.error());
            EXPECT_EQ(invited->status, Status::pending);
            EXPECT_FALSE(invited->limited) << "always invited as a full Collaborator";
            auto listed = co_await api.list_collaborators("my-dedicated-db");
            EXPECT_EQ(listed->size(), 3u) << "the invitation shows at once: the cached list was dropped";
            auto removed = co_await api.remove("my-dedicated-db", invited->id);
            EXPECT_TRUE(removed) << removed.error().message;
            co_return co_await api.list_collaborators("my-dedicated-db");
        });
    ASSERT_TRUE(remaining);
    EXPECT_EQ(remaining->size(), 2u);
}

TEST(ScalingoOnSandbox, UnknownDatabaseIsNotFound) {
    ServedSandbox sandbox;
    auto result = with_api<ApiResult<Database>>(sandbox.settings(), {},
                                                [](ScalingoApi& api) { return api.show_database("no-such-db"); });
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ApiErrorKind::not_found);
}

sandbox::ServeOptions tls_serve_options(const net::test::TempFile& certificate, const net::test::TempFile& key) {
    sandbox::ServeOptions options;
    options.server.cert_file = certificate.path().string();
    options.server.key_file = key.path().string();
    return options;
}

// The sandbox over HTTPS with a certificate for `alt_names` from a throw-away CA, reached as
// https://localhost:PORT by a client that trusts that CA only.
struct HttpsSandbox {
    explicit HttpsSandbox(const std::string& alt_names)
        : identity(ca.issue("sandbox", alt_names)),
          certificate(identity.certificate_pem),
          key(identity.private_key_pem),
          trusted(ca.certificate_pem()),
          sandbox(tls_serve_options(certificate, key)),
          settings(sandbox.settings()) {
        const std::string port = sandbox.url().substr(sandbox.url().rfind(':') + 1);
        settings.api_url = settings.auth_url = "https://localhost:" + port;
        client.ca_file = trusted.path().string();
    }

    net::test::TestCa ca{"collab-bot test CA"};
    net::test::IssuedCertificate identity;
    net::test::TempFile certificate, key, trusted;
    ServedSandbox sandbox;
    ScalingoSettings settings;
    net::HttpClientOptions client;
};

TEST(ScalingoOnSandbox, OverHttpsWithAThrowAwayCa) {
    HttpsSandbox https("DNS:localhost,IP:127.0.0.1");
    auto self = with_api<ApiResult<Account>>(https.settings, https.client, [](ScalingoApi& api) { return api.self(); });
    ASSERT_TRUE(self) << self.error().message;
    EXPECT_EQ(self->email, "user1@example.com");
}

TEST(ScalingoOnSandbox, ACertificateForAnotherHostIsRefusedAtOnceNamingTheSetting) {
    HttpsSandbox https("DNS:other.example");
    std::size_t retries = 0;
    auto self = with_api<ApiResult<Account>>(https.settings, https.client,
                                             [&](ScalingoApi& api) -> asio::awaitable<ApiResult<Account>> {
                                                 auto result = co_await api.self();
                                                 retries = api.counters().retries;
                                                 co_return result;
                                             });
    ASSERT_FALSE(self);
    EXPECT_TRUE(self.error().message.starts_with("The bot cannot reach Scalingo (https://localhost:"))
        << self.error().message;
    EXPECT_NE(self.error().message.find("the certificate is not valid for the host name"), std::string::npos)
        << self.error().message;
    EXPECT_NE(self.error().message.find("should check SCALINGO_API_URL and SCALINGO_AUTH_URL"), std::string::npos)
        << self.error().message;
    EXPECT_EQ(retries, 0u) << "a certificate that fails verification fails again: no retry";
    EXPECT_EQ(https.sandbox.total(), 0u) << "nothing was sent over a connection that failed verification";
}

TEST(ScalingoOnSandbox, OneExchangeServesManyCalls) {
    ServedSandbox sandbox;
    auto settings = sandbox.settings();
    settings.collaborators_ttl = 0s;
    with_api<int>(settings, {}, [](ScalingoApi& api) -> asio::awaitable<int> {
        for (int i = 0; i < 4; ++i) EXPECT_TRUE(co_await api.list_collaborators("my-dedicated-db"));
        co_return 0;
    });
    EXPECT_EQ(sandbox.requests(exchange_route), 1u);
    EXPECT_EQ(sandbox.requests(list_route), 4u);
}

TEST(ScalingoOnSandbox, TheBearerIsRenewedBeforeItExpires) {
    sandbox::ServeOptions options;
    options.jwt_lifetime = 3s;
    ServedSandbox sandbox(options);
    auto settings = sandbox.settings();
    settings.renew_margin = 2s;
    settings.collaborators_ttl = 0s;
    with_api<int>(settings, {}, [](ScalingoApi& api) -> asio::awaitable<int> {
        EXPECT_TRUE(co_await api.list_collaborators("my-dedicated-db"));
        co_await sleep_for(1200ms);  // now less than the margin is left
        EXPECT_TRUE(co_await api.list_collaborators("my-dedicated-db"));
        co_return 0;
    });
    EXPECT_EQ(sandbox.requests(exchange_route), 2u);
    EXPECT_EQ(sandbox.total(), 4u) << "no request was refused for an expired bearer";
}

TEST(ScalingoOnSandbox, AnExpiredBearerIsExchangedOnceOn401) {
    sandbox::ServeOptions options;
    options.jwt_lifetime = 1s;
    ServedSandbox sandbox(options);
    auto settings = sandbox.settings();
    settings.renew_margin = -10s;  // the client believes its bearer good well past its exp
    settings.collaborators_ttl = 0s;
    auto second = with_api<ApiResult<std::vector<Collaborator>>>(
        settings, {}, [](ScalingoApi& api) -> asio::awaitable<ApiResult<std::vector<Collaborator>>> {
            EXPECT_TRUE(co_await api.list_collaborators("my-dedicated-db"));
            co_await sleep_for(2100ms);
            co_return co_await api.list_collaborators("my-dedicated-db");
        });
    EXPECT_TRUE(second) << second.error().message;
    EXPECT_EQ(sandbox.requests(exchange_route), 2u);
    EXPECT_EQ(sandbox.requests(list_route), 3u) << "the refused one, then its single retry";
}

TEST(ScalingoOnSandbox, AWrongTokenIsRefusedWithoutLooping) {
    ServedSandbox sandbox;
    auto result = with_api<ApiResult<std::vector<Collaborator>>>(
        sandbox.settings("tk-us-not-a-real-token"), {},
        [](ScalingoApi& api) { return api.list_collaborators("my-dedicated-db"); });
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ApiErrorKind::unauthorized);
    EXPECT_EQ(result.error().message,
              "Scalingo refused the bot's API token; an admin of the bot should check SCALINGO_API_TOKEN.");
    EXPECT_EQ(sandbox.total(), 1u);
}

TEST(ScalingoOnSandbox, ConcurrentIdenticalListsCostOneRequest) {
    ServedSandbox sandbox;
    auto settings = sandbox.settings();
    with_api<int>(settings, {}, [](ScalingoApi& api) -> asio::awaitable<int> {
        auto executor = co_await asio::this_coro::executor;
        std::vector<std::future<void>> lists;
        for (int i = 0; i < 10; ++i) {
            auto list = [&api]() -> asio::awaitable<void> {
                auto result = co_await api.list_collaborators("my-dedicated-db");
                EXPECT_TRUE(result && result->size() == 2u);
            };
            lists.push_back(asio::co_spawn(executor, list, asio::use_future));
        }
        // Let them all run to completion on this thread before the client goes away.
        while (std::any_of(lists.begin(), lists.end(),
                           [](auto& f) { return f.wait_for(0s) != std::future_status::ready; }))
            co_await sleep_for(5ms);
        co_return 0;
    });
    EXPECT_EQ(sandbox.requests(list_route), 1u);
    EXPECT_EQ(sandbox.requests(exchange_route), 1u);
}

class FixedClock final : public WallClock {
public:
    TimePoint now() const override { return Clock::now(); }
};

// What a CommandService needs besides the API: an audit trail, a signer, user1 as U1, a clock.
struct ServiceParts {
    testing::TempDir state;
    store::SqliteAuditLog audit{state / "state.sqlite"};
    security::HmacSigner signer{std::string(32, 'k')};
    directory::StaticDirectory directory{std::map<std::string, std::string>{{"shell:U1", "user1@example.com"}}};
    FixedClock clock;
    store::LocalState used;
};

TEST(ScalingoOnSandbox, ARealisticMixCostsAboutOneRequestPerCommand) {
    ServedSandbox sandbox;
    ServiceParts parts;
    const std::vector<std::string> script{"list my-dedicated-db",
                                          "list my-dedicated-db",
                                          "add my-dedicated-db new@example.com",
                                          "list my-dedicated-db",
                                          "remove my-dedicated-db user3@example.com",
                                          "whoami",
                                          "list my-dedicated-db",
                                          "list my-dedicated-db",
                                          "whoami",
                                          "list my-dedicated-db"};
    const int commands = with_api<int>(sandbox.settings(), {}, [&](ScalingoApi& api) -> asio::awaitable<int> {
        CommandService service(api, parts.directory, parts.audit, parts.clock, parts.signer, parts.used,
                               ServiceSettings{});
        int count = 0;
        for (const auto& text : script) {
            ChatRequest request{Actor{"shell", "local", "U1", "shell", std::nullopt}, text};
            Reply reply = (co_await service.handle(std::move(request))).reply;
            EXPECT_NE(reply.kind, ReplyKind::failure) << text << ": " << to_plain_text(reply);
            ++count;
            if (reply.proposal) {
                ChatRequest confirmation{Actor{"shell", "local", "U1", "shell", std::nullopt},
                                         "confirm " + reply.proposal->token};
                Reply done = (co_await service.handle(std::move(confirmation))).reply;
                EXPECT_EQ(to_plain_text(done),
                          "-----> user3@example.com has been removed from the collaborators of my-dedicated-db (by "
                          "user1@example.com)\n");
                ++count;
            }
        }
        co_return count;
    });
    EXPECT_EQ(commands, 11);
    // A naive client spends two or three requests a command (exchange, app, collaborators); this one
    // reuses the bearer and the owner, and refreshes the list only after a change.
    EXPECT_LE(sandbox.total(), 12u) << "upstream requests for " << commands << " commands";
    std::cout << "[ figures  ] " << commands << " commands cost " << sandbox.total() << " upstream requests\n";
}

// config/sandbox.toml's accounts with `databases` databases of user1's, user2 collaborating on each.
std::string seed_with(int databases) {
    std::string seed = testing::read_file(testing::source_file("config/sandbox.toml"));
    seed = seed.substr(0, seed.find("[[databases]]"));
    for (int i = 0; i < databases; ++i)
        seed += "[[databases]]\nname = \"db-" + std::to_string(i) +
                "\"\nowner = \"user1@example.com\"\ndedicated = true\ncollaborators = [{ email = "
                "\"user2@example.com\", status = \"accepted\" }]\n";
    return seed;
}

// Runs `command`, typed by shell user `user`, three times against a sandbox of `databases` databases: at
// once, again at once, and again once the lists expired. What each run cost upstream, and how long the
// last one took.
struct SurveyCost {
    std::size_t first = 0, repeated = 0, expired = 0;
    std::chrono::milliseconds expired_took{0};
    std::size_t most_in_flight = 0;  // requests the sandbox was answering at once, at most
};

SurveyCost survey_cost(int databases, const std::string& command, const std::string& user,
                       sandbox::ServeOptions serve = {},
                       std::size_t reads_at_once = ScalingoSettings{}.survey_reads_at_once) {
    ServedSandbox sandbox(std::move(serve), seed_with(databases));
    ServiceParts parts;
    directory::StaticDirectory directory{
        std::map<std::string, std::string>{{"shell:U1", "user1@example.com"}, {"shell:U9", "stranger@example.com"}}};
    std::vector<std::size_t> costs;
    std::chrono::milliseconds took{0};
    for (const auto lists_ttl : {std::chrono::seconds{10}, std::chrono::seconds{0}}) {
        auto settings = sandbox.settings();
        settings.collaborators_ttl = lists_ttl;
        settings.survey_reads_at_once = reads_at_once;
        // Counted, not paced: 50 databases surveyed twice would spend Scalingo's 60 a minute.
        settings.requests_per_minute = 1000;
        with_api<int>(settings, {}, [&](ScalingoApi& api) -> asio::awaitable<int> {
            CommandService service(api, directory, parts.audit, parts.clock, parts.signer, parts.used,
                                   ServiceSettings{});
            for (int run = 0; run < 2; ++run) {
                const std::size_t before = sandbox.total();
                const auto started = std::chrono::steady_clock::now();
                ChatRequest request{Actor{"shell", "local", user, "shell", std::nullopt}, command};
                Reply reply = (co_await service.handle(std::move(request))).reply;
                took =
                    std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
                EXPECT_NE(reply.kind, ReplyKind::failure) << command << ": " << to_plain_text(reply);
                costs.push_back(sandbox.total() - before);
            }
            co_return 0;
        });
    }
    return SurveyCost{costs[0], costs[1], costs[3], took, sandbox.most_in_flight()};
}

// What `dbs`, `access` and the general help cost upstream with N databases: each surveys every database
// the channel may see. The first asks for the list of apps and each database's collaborators (the
// list describes the apps: no GET of each); a repeat within `collaborators_ttl` asks nothing; one
// after the lists expired asks for the lists again, one request per database, and not for the apps
// (their list is kept for `database_ttl`). The help stops reading once it knows the asker is a member
// somewhere: at the first four databases for user1, who owns them all; a stranger's is read to the end.
TEST(ScalingoOnSandbox, WhatTheSurveysOfDbsAccessAndHelpCost) {
    struct Case {
        std::string command;
        std::string user;
        std::string who;
    };
    const std::vector<Case> cases{{"dbs", "U1", "owner"},
                                  {"access user2@example.com", "U1", "owner"},
                                  {"help", "U9", "stranger"},
                                  {"help", "U1", "owner"}};
    for (const int databases : {1, 10, 50}) {
        for (const Case& c : cases) {
            const SurveyCost cost = survey_cost(databases, c.command, c.user);
            std::cout << "[ figures  ] " << c.command << " (" << c.who << ") with " << databases
                      << " database(s): " << cost.first << " upstream requests the first time, " << cost.repeated
                      << " when repeated within 10 s, " << cost.expired << " once the lists expired\n";
            const auto n = static_cast<std::size_t>(databases);
            const bool stops_early = c.command == "help" && c.who == "owner";
            const std::size_t read = stops_early ? std::min<std::size_t>(n, 4) : n;
            // The first: the token exchange, the list of apps, one list of collaborators per database read.
            EXPECT_LE(cost.first, read + 2) << c.command << " " << databases;
            EXPECT_EQ(cost.repeated, 0u) << c.command << " " << databases;
            EXPECT_EQ(cost.expired, read) << c.command << " " << databases;
        }
    }
}

// A survey reads its databases' lists four at a time, as the sandbox sees them arrive: with Scalingo
// answering each request in 50 ms, up to four are waiting there at once (one when the client is set to
// read one at a time). The times are printed, not asserted.
TEST(ScalingoOnSandbox, ASurveyReadsSeveralDatabasesAtOnce) {
    constexpr int databases = 20;
    constexpr std::chrono::milliseconds latency{50};
    sandbox::ServeOptions slow;
    slow.faults.latency = latency;
    const SurveyCost one_by_one = survey_cost(databases, "dbs", "U1", slow, 1);
    const SurveyCost four_at_once = survey_cost(databases, "dbs", "U1", slow);
    std::cout << "[ figures  ] dbs with " << databases << " databases, " << latency.count()
              << " ms a request, lists expired: " << one_by_one.expired_took.count() << " ms one by one, "
              << four_at_once.expired_took.count() << " ms four at once (" << four_at_once.expired
              << " requests either way; at most " << four_at_once.most_in_flight << " at once)\n";
    EXPECT_EQ(one_by_one.most_in_flight, 1u);
    EXPECT_GE(four_at_once.most_in_flight, 2u);
    EXPECT_LE(four_at_once.most_in_flight, 4u);
    EXPECT_EQ(four_at_once.expired, one_by_one.expired);
}

TEST(ScalingoOnSandbox, SomeoneRemovedElsewhereBeforeTheConfirmationIsNotACollaborator) {
    ServedSandbox sandbox;
    ServiceParts parts;
    const std::string reply =
        with_api<std::string>(sandbox.settings(), {}, [&](ScalingoApi& api) -> asio::awaitable<std::string> {
            CommandService service(api, parts.directory, parts.audit, parts.clock, parts.signer, parts.used,
                                   ServiceSettings{});
            ChatRequest request{Actor{"shell", "local", "U1", "shell", std::nullopt},
                                "remove my-dedicated-db user3@example.com"};
            Reply proposal = (co_await service.handle(std::move(request))).reply;
            EXPECT_TRUE(proposal.proposal) << to_plain_text(proposal);
            if (!proposal.proposal) co_return std::string();
            // Another instance (its own client) removes the same person in the meantime.
            const auto executor = co_await asio::this_coro::executor;
            net::HttpClient other_http(executor, net::HttpClientOptions{});
            ScalingoApi other(other_http, sandbox.settings());
            auto listed = co_await other.list_collaborators("my-dedicated-db");
            EXPECT_TRUE(listed);
            std::vector<Collaborator> collaborators;
            if (listed) collaborators = std::move(*listed);
            for (const auto& c : collaborators) {
                if (c.email != "user3@example.com") continue;
                auto removed = co_await other.remove("my-dedicated-db", c.id);
                EXPECT_TRUE(removed) << removed.error().message;
            }
            ChatRequest confirmation{Actor{"shell", "local", "U1", "shell", std::nullopt},
                                     "confirm " + proposal.proposal->token};
            Reply done = (co_await service.handle(std::move(confirmation))).reply;
            co_return to_plain_text(done);
        });
    EXPECT_EQ(reply, " !     user3@example.com is not a collaborator of my-dedicated-db.\n");
}

}  // namespace
}  // namespace collab::scalingo
