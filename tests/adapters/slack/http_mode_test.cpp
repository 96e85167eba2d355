// Slack's HTTP mode over a real loopback socket: requests signed the way Slack signs them, sent with
// the bot's own HTTP client; the commands run on the in-process sandbox, and replies that go through
// a response_url land on a loopback server standing in for Slack.

#include "adapters/chat/slack/http_mode.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "../run_coroutine.hpp"
#include "../temp_dir.hpp"
#include "adapters/chat/slack/blocks.hpp"
#include "adapters/chat/slack/interactions.hpp"
#include "adapters/chat/slack/signature.hpp"
#include "adapters/chat/slack/web_api.hpp"
#include "adapters/directory/static_directory.hpp"
#include "adapters/net/http_client.hpp"
#include "adapters/sandbox/sandbox_api.hpp"
#include "adapters/sandbox/sandbox_store.hpp"
#include "adapters/sandbox/seed.hpp"
#include "adapters/security/hmac_signer.hpp"
#include "adapters/store/local_state.hpp"
#include "adapters/store/sqlite_audit_log.hpp"
#include "core/service.hpp"
#include "loopback_server.hpp"
#include "slack_emulator.hpp"
#include "tests/adapters/slack/fixtures.hpp"

namespace collab::slack {
namespace {
namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using namespace std::chrono_literals;

const std::string secret = "test-signing-secret-4c1d";
const std::string refusal_text = "the request is not signed by Slack\n";
// The moment the tests run at, as the server's clock sees it: the real one, which the command service
// and the shared store also read.
const std::int64_t now_seconds =
    std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();

class SystemClock final : public WallClock {
public:
    TimePoint now() const override { return Clock::now(); }
};

using testing::form;

using Headers = std::vector<std::pair<std::string, std::string>>;

// On a free loopback port.
HttpModeOptions loopback() {
    HttpModeOptions options;
    options.server.listen = "127.0.0.1:0";
    return options;
}

Headers signed_headers(const std::string& body, std::int64_t timestamp = now_seconds,
                       const std::string& signing_secret = secret) {
    const std::string stamp = std::to_string(timestamp);
    return {{"Content-Type", "application/x-www-form-urlencoded"},
            {"X-Slack-Request-Timestamp", stamp},
            {"X-Slack-Signature", compute_signature(signing_secret, stamp, body)}};
}

// What the stand-in for Slack received on response_urls.
class ResponseUrls {
public:
    std::optional<net::test::ServerResponse> record(const net::test::ServerRequest& request) {
        {
            std::lock_guard lock(mutex_);
            posts_.emplace_back(std::string(request.target()), request.body());
        }
        net::test::ServerResponse ok{http::status::ok, 11};
        // The Web API (chat.postMessage, chat.postEphemeral) answers JSON.
        if (request.target().starts_with("/api/")) {
            ok.set(http::field::content_type, "application/json");
            ok.body() = R"({"ok":true})";
            return ok;
        }
        ok.set(http::field::content_type, "text/plain");
        ok.body() = "ok";
        return ok;
    }
    std::vector<std::pair<std::string, std::string>> posts() const {
        std::lock_guard lock(mutex_);
        return posts_;
    }
    // The bodies posted to one response_url path, waiting up to a second for the first.
    std::vector<json::object> wait_for(const std::string& path) const { return wait_for_within(path, 1s); }
    std::vector<json::object> wait_for_within(const std::string& path, std::chrono::milliseconds limit) const {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        for (;;) {
            std::vector<json::object> bodies;
            for (const auto& [target, body] : posts())
                if (target == path) bodies.push_back(json::parse(body).as_object());
            if (!bodies.empty() || std::chrono::steady_clock::now() > deadline) return bodies;
            std::this_thread::sleep_for(5ms);
        }
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::pair<std::string, std::string>> posts_;
};

class HttpModeTest : public ::testing::Test {
protected:
    HttpModeTest() {
        server_.start();
        io_thread_ = std::thread([this] { io_.run(); });
    }
    // The io_context runs out of work once the server's connections and the clicks have ended:
    // joining proves nothing was left hanging.
    ~HttpModeTest() override {
        server_.stop();
        io_thread_.join();
    }

    // One POST with the project's HTTP client, as Slack would send it.
    net::HttpResponse post(const std::string& path, const std::string& body, const Headers& headers,
                           http::verb method = http::verb::post) {
        const std::string url = server_.public_url() + path;
        auto sent = collab::testing::run([&]() -> asio::awaitable<std::expected<net::HttpResponse, net::NetError>> {
            const auto executor = co_await asio::this_coro::executor;
            net::HttpClientOptions options;
            net::HttpClient client(executor, options);
            net::HttpRequest request{method, url, headers, body};
            co_return co_await client.send(std::move(request));
        }());
        EXPECT_TRUE(sent) << sent.error().message;
        return sent ? *sent : net::HttpResponse{};
    }

    net::HttpResponse signed_post(const std::string& path, const std::string& body) {
        return post(path, body, signed_headers(body));
    }

    // A slash command from the owner of my-dedicated-db (U0001 is user1@example.com).
    std::string command_form(const std::string& text, const std::string& response_path = "/commands/1") const {
        return form({{"token", "legacy-verification-token"},
                     {"team_id", "T0001"},
                     {"team_domain", "example"},
                     {"channel_id", "C0001"},
                     {"channel_name", "ops"},
                     {"user_id", "U0001"},
                     {"user_name", "user1"},
                     {"command", "/collab"},
                     {"text", text},
                     {"response_url", slack_.url(response_path)},
                     {"trigger_id", "1.2.3"}});
    }

    std::vector<std::string> collaborators() {
        std::vector<std::string> emails;
        for (const auto& collaborator : store_.collaborators("my-dedicated-db")) emails.push_back(collaborator.email);
        return emails;
    }

    std::string logged() const {
        std::string all;
        for (const auto& line : log_->last_formatted()) all += line;
        return all;
    }

    collab::testing::TempDir dir_;
    // The seed the bot embeds as its default sandbox.
    sandbox::SandboxStore store_{
        dir_ / "sandbox.sqlite",
        sandbox::parse_seed(collab::testing::read_file(collab::testing::source_file("config/sandbox.toml")),
                            "config/sandbox.toml")};
    sandbox::SandboxApi api_{store_};
    store::SqliteAuditLog audit_{dir_ / "state.sqlite"};
    security::HmacSigner signer_{std::string(32, 'k')};
    directory::StaticDirectory directory_{std::map<std::string, std::string>{{"slack:U0001", "user1@example.com"}}};
    SystemClock clock_;
    // What the instances share: used confirmations and the signed requests already taken in.
    store::LocalState used_;
    CommandService service_{api_, directory_, audit_, clock_, signer_, used_, ServiceSettings{}};

    ResponseUrls response_urls_;
    net::test::LoopbackServer slack_{net::test::HttpServerOptions{
        [this](const net::test::ServerRequest& request, int) { return response_urls_.record(request); }, {}, 10s}};

    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> log_ = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(100);
    std::shared_ptr<spdlog::logger> logger_ = [this] {
        auto logger = std::make_shared<spdlog::logger>("http-mode-test", log_);
        logger->set_level(spdlog::level::trace);
        return logger;
    }();

    asio::io_context io_;
    net::HttpClient http_{io_.get_executor(), net::HttpClientOptions{}};
    WebApi web_{http_, [this] {
                    WebApiSettings settings;
                    settings.api_url = slack_.url("/api/");
                    settings.app_token = "xapp-test";
                    settings.bot_token = "xoxb-test";
                    return settings;
                }()};
    SlackOutbox outbox_{web_, logger_};
    const chat::DeskSettings desk_settings_;
    chat::Desk desk_{io_.get_executor(), service_, outbox_, desk_settings_, logger_};
    std::atomic<std::int64_t> now_{now_seconds};
    HttpModeServer server_{io_.get_executor(),
                           desk_,
                           used_,
                           secret,
                           loopback(),
                           [this] { return TimePoint{std::chrono::seconds{now_.load()}}; },
                           logger_};
    std::thread io_thread_;
};

TEST_F(HttpModeTest, ThePythonSdkVectorIsAcceptedAtItsTimestamp) {
    const auto vector = json::parse(testing::fixture("py-sdk_signature_verifier_vector.json")).as_object();
    const std::string body(vector.at("body").as_string());
    const Headers headers{
        {"Content-Type", std::string(vector.at("content_type").as_string())},
        {"X-Slack-Request-Timestamp", std::string(vector.at("x_slack_request_timestamp").as_string())},
        {"X-Slack-Signature", std::string(vector.at("x_slack_signature").as_string())}};
    // A server that knows the vector's secret and whose clock reads the vector's time.
    HttpModeServer vector_server(
        io_.get_executor(), desk_, used_, std::string(vector.at("signing_secret").as_string()), loopback(),
        [&vector] {
            return TimePoint{
                std::chrono::seconds{std::stoll(std::string(vector.at("x_slack_request_timestamp").as_string()))}};
        },
        logger_);
    vector_server.start();
    const std::string url = vector_server.public_url() + "/slack/commands";
    auto sent = collab::testing::run([&]() -> asio::awaitable<std::expected<net::HttpResponse, net::NetError>> {
        const auto executor = co_await asio::this_coro::executor;
        net::HttpClientOptions options;
        net::HttpClient client(executor, options);
        net::HttpRequest request{http::verb::post, url, headers, body};
        co_return co_await client.send(std::move(request));
    }());
    vector_server.stop();
    ASSERT_TRUE(sent) << sent.error().message;
    EXPECT_EQ(sent->status, 200u) << sent->body;
    EXPECT_EQ(sent->header("Content-Type"), "application/json");
    // The vector's command has no text: the person gets the usage, for them alone.
    const auto answer = json::parse(sent->body).as_object();
    EXPECT_EQ(answer.at("response_type"), "ephemeral");
    EXPECT_NE(std::string(answer.at("text").as_string()).find("/collab"), std::string::npos) << sent->body;

    // The same request to a server with another secret is refused.
    const auto refused = post("/slack/commands", body, headers);
    EXPECT_EQ(refused.status, 401u);
}

TEST_F(HttpModeTest, UnsignedOrStaleRequestsAreRefusedAndChangeNothing) {
    const std::string body = command_form("add my-dedicated-db new@example.com");
    const auto before = collaborators();

    std::string tampered = body;
    tampered.replace(tampered.find("new%40example.com"), 17, "evil%40example.com");
    Headers wrong_secret = signed_headers(body, now_seconds, "another-secret");
    Headers missing_signature = signed_headers(body);
    missing_signature.pop_back();
    Headers missing_timestamp = signed_headers(body);
    missing_timestamp.erase(missing_timestamp.begin() + 1);
    const Headers six_minutes_old = signed_headers(body, now_seconds - 360);

    const std::vector<std::pair<std::string, net::HttpResponse>> attempts{
        {"tampered body", post("/slack/commands", tampered, signed_headers(body))},
        {"wrong signature", post("/slack/commands", body, wrong_secret)},
        {"missing signature", post("/slack/commands", body, missing_signature)},
        {"missing timestamp", post("/slack/commands", body, missing_timestamp)},
        {"six minutes old", post("/slack/commands", body, six_minutes_old)},
        {"on the interactive path", post("/slack/interactive", body, six_minutes_old)},
    };
    for (const auto& [what, response] : attempts) {
        EXPECT_EQ(response.status, 401u) << what;
        // The same short answer whatever failed: nothing for an attacker to learn from.
        EXPECT_EQ(response.body, refusal_text) << what;
    }
    EXPECT_EQ(collaborators(), before);
    EXPECT_TRUE(response_urls_.posts().empty());

    // The log says precisely why, and never holds the secret, a signature or the body.
    const std::string log = logged();
    EXPECT_NE(log.find("the signature does not match the request"), std::string::npos) << log;
    EXPECT_NE(log.find("the X-Slack-Signature header is missing"), std::string::npos) << log;
    EXPECT_NE(log.find("the X-Slack-Request-Timestamp header is missing"), std::string::npos) << log;
    EXPECT_NE(log.find("more than 5 minutes away"), std::string::npos) << log;
    EXPECT_NE(log.find("[warning]"), std::string::npos) << log;
    EXPECT_EQ(log.find(secret), std::string::npos);
    EXPECT_EQ(log.find("v0="), std::string::npos);
    EXPECT_EQ(log.find("example.com"), std::string::npos);
    EXPECT_EQ(log.find("legacy-verification-token"), std::string::npos);
}

TEST_F(HttpModeTest, ListAnswersTheAskerAlone) {
    const auto response = signed_post("/slack/commands", command_form("list my-dedicated-db"));
    ASSERT_EQ(response.status, 200u) << response.body;
    EXPECT_EQ(response.header("Content-Type"), "application/json");
    const auto answer = json::parse(response.body).as_object();
    EXPECT_EQ(answer.at("response_type"), "ephemeral");
    EXPECT_NE(std::string(answer.at("text").as_string()).find("user2@example.com"), std::string::npos) << response.body;
    EXPECT_TRUE(response_urls_.posts().empty()) << "the reply travelled in the acknowledgement";
}

TEST_F(HttpModeTest, AddIsAnnouncedInTheChannelAndInvitesTheCollaborator) {
    const auto response = signed_post("/slack/commands", command_form("add my-dedicated-db new@example.com"));
    ASSERT_EQ(response.status, 200u) << response.body;
    EXPECT_EQ(response.header("Content-Type"), "application/json");
    const auto answer = json::parse(response.body).as_object();
    EXPECT_EQ(answer.at("response_type"), "in_channel");
    EXPECT_NE(std::string(answer.at("text").as_string()).find("new@example.com"), std::string::npos) << response.body;

    const auto now = store_.collaborators("my-dedicated-db");
    const auto added =
        std::find_if(now.begin(), now.end(), [](const Collaborator& c) { return c.email == "new@example.com"; });
    ASSERT_NE(added, now.end());
    EXPECT_EQ(added->status, Status::pending);
    EXPECT_EQ(now.size(), 3u);
}

// The token of the proposal's confirm button in a slash command's answer.
std::string confirm_token(const json::object& message) {
    for (const auto& block : message.at("blocks").as_array()) {
        if (block.at("type").as_string() != "actions") continue;
        for (const auto& element : block.at("elements").as_array()) {
            if (element.at("action_id").as_string() == confirm_action_id)
                return std::string(element.at("value").as_string());
        }
    }
    return {};
}

// A click on the confirm button of a proposal, as Slack posts it.
std::string click_form(const std::string& token, const std::string& response_url) {
    const json::object click{
        {"type", "block_actions"},
        {"user", {{"id", "U0001"}, {"team_id", "T0001"}}},
        {"team", {{"id", "T0001"}}},
        {"channel", {{"id", "C0001"}}},
        {"container", {{"type", "message"}, {"message_ts", "1678252213.679169"}, {"channel_id", "C0001"}}},
        {"response_url", response_url},
        {"actions", json::array{{{"type", "button"}, {"action_id", confirm_action_id}, {"value", token}}}}};
    return form({{"payload", json::serialize(click)}});
}

TEST_F(HttpModeTest, AConfirmClickIsAcknowledgedEmptyAndCarriedOut) {
    const auto proposal = signed_post("/slack/commands", command_form("remove my-dedicated-db user2@example.com"));
    ASSERT_EQ(proposal.status, 200u) << proposal.body;
    const std::string token = confirm_token(json::parse(proposal.body).as_object());
    ASSERT_FALSE(token.empty()) << proposal.body;
    EXPECT_EQ(collaborators().size(), 2u) << "nothing changes before the confirmation";

    const auto response = signed_post("/slack/interactive", click_form(token, slack_.url("/actions/1")));
    EXPECT_EQ(response.status, 200u) << response.body;
    EXPECT_EQ(response.body, "");

    // The proposal is replaced by the outcome, through the click's response_url.
    const auto replies = response_urls_.wait_for("/actions/1");
    ASSERT_FALSE(replies.empty());
    EXPECT_EQ(replies.front().at("replace_original"), true);
    EXPECT_NE(std::string(replies.front().at("text").as_string()).find("user2@example.com"), std::string::npos)
        << json::serialize(replies.front());
    const auto remaining = collaborators();
    EXPECT_EQ(std::count(remaining.begin(), remaining.end(), "user2@example.com"), 0);
}

TEST_F(HttpModeTest, EitherPathTakesEitherKind) {
    // A slash command on the interactivity URL.
    const auto listed = signed_post("/slack/interactive", command_form("list my-dedicated-db"));
    ASSERT_EQ(listed.status, 200u) << listed.body;
    EXPECT_NE(listed.body.find("user2@example.com"), std::string::npos);
    // An interactive payload the bot does not act on, on the commands URL: acknowledged, nothing else.
    const json::object shortcut{{"type", "shortcut"}, {"callback_id", "x"}, {"user", {{"id", "U0001"}}}};
    const auto acknowledged = signed_post("/slack/commands", form({{"payload", json::serialize(shortcut)}}));
    EXPECT_EQ(acknowledged.status, 200u);
    EXPECT_EQ(acknowledged.body, "");
    EXPECT_TRUE(response_urls_.posts().empty());
}

TEST_F(HttpModeTest, TheEventsUrlAnswersSlacksChallenge) {
    const std::string body =
        R"({"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",)"
        R"("type":"url_verification"})";
    const auto response = signed_post("/slack/events", body);
    ASSERT_EQ(response.status, 200u) << response.body;
    EXPECT_EQ(response.body, "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
    EXPECT_EQ(post("/slack/events", body, {{"Content-Type", "application/json"}}).status, 401u);
}

TEST_F(HttpModeTest, AMentionIsAcknowledgedAtOnceAndAnsweredInItsThreadOnceWhateverTheRetries) {
    test::MessageEventFields fields;
    fields.event_id = "Ev0HTTP";
    fields.text = "<@UBOT111> add my-dedicated-db new@example.com";
    fields.user_id = "U0001";
    fields.channel_id = "C0001";
    fields.team_id = "T0001";
    fields.ts = "1700000002.000200";
    const std::string body = test::message_event_payload(fields);
    const auto response = signed_post("/slack/events", body);
    ASSERT_EQ(response.status, 200u) << response.body;
    EXPECT_TRUE(response.body.empty()) << "events are acknowledged bare";
    const auto posted = response_urls_.wait_for("/api/chat.postMessage");
    ASSERT_EQ(posted.size(), 1u) << logged();
    EXPECT_EQ(posted[0].at("channel"), "C0001");
    EXPECT_EQ(posted[0].at("thread_ts"), "1700000002.000200");
    EXPECT_NE(std::string(posted[0].at("text").as_string()).find("new@example.com"), std::string::npos);
    // Slack's retry of the same event: signed anew, with X-Slack-Retry-Num.
    Headers retry = signed_headers(body, now_seconds + 1);
    retry[0].second = "application/json";
    retry.emplace_back("X-Slack-Retry-Num", "1");
    retry.emplace_back("X-Slack-Retry-Reason", "http_timeout");
    EXPECT_EQ(post("/slack/events", body, retry).status, 200u);
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(response_urls_.wait_for("/api/chat.postMessage").size(), 1u) << "carried out once";
    const auto emails = collaborators();
    EXPECT_EQ(std::count(emails.begin(), emails.end(), "new@example.com"), 1);
}

TEST_F(HttpModeTest, OtherPathsMethodsAndBodiesAreRefused) {
    const std::string body = command_form("list my-dedicated-db");
    EXPECT_EQ(post("/slack/other", body, signed_headers(body)).status, 404u);
    EXPECT_EQ(post("/", body, signed_headers(body)).status, 404u);

    const auto got = post("/slack/commands", "", signed_headers(""), http::verb::get);
    EXPECT_EQ(got.status, 405u);
    EXPECT_EQ(got.header("Allow"), "POST");

    // Signed, but no slash command can be read from it.
    EXPECT_EQ(signed_post("/slack/commands", "text=%zz").status, 400u);
    EXPECT_EQ(signed_post("/slack/commands", form({{"text", "list my-dedicated-db"}})).status, 400u);
    EXPECT_EQ(signed_post("/slack/interactive", form({{"payload", "{not json"}})).status, 400u);
    EXPECT_TRUE(response_urls_.posts().empty());
}

TEST_F(HttpModeTest, AReplayedClickIsRefusedOnEveryInstanceAndRemovesNobody) {
    const auto proposal = signed_post("/slack/commands", command_form("remove my-dedicated-db user2@example.com"));
    const std::string token = confirm_token(json::parse(proposal.body).as_object());
    ASSERT_FALSE(token.empty()) << proposal.body;
    const std::string click = click_form(token, slack_.url("/actions/1"));
    const Headers signed_click = signed_headers(click);
    ASSERT_EQ(post("/slack/interactive", click, signed_click).status, 200u);
    ASSERT_FALSE(response_urls_.wait_for("/actions/1").empty());
    std::this_thread::sleep_for(200ms);  // the outcome replaces the proposal, and is announced in the channel
    const auto answered = response_urls_.wait_for("/actions/1").size();
    const auto after_click = collaborators();
    ASSERT_EQ(std::count(after_click.begin(), after_click.end(), "user2@example.com"), 0);

    // user2 is invited again and accepts: a new collaborator record.
    ASSERT_EQ(signed_post("/slack/commands", command_form("add my-dedicated-db user2@example.com")).status, 200u);
    for (const auto& invitation : store_.invitations()) {
        if (invitation.recipient == "user2@example.com" && invitation.state == "pending") {
            ASSERT_TRUE(store_.accept(invitation.token).has_value());
        }
    }

    // The captured click, byte for byte, to this instance and to another one sharing the store.
    HttpModeServer other_instance(
        io_.get_executor(), desk_, used_, secret, loopback(),
        [this] { return TimePoint{std::chrono::seconds{now_.load()}}; }, logger_);
    other_instance.start();
    now_ += 60;  // a minute later, well within the signature's five
    const auto replayed = post("/slack/interactive", click, signed_click);
    const auto elsewhere =
        collab::testing::run([&]() -> asio::awaitable<std::expected<net::HttpResponse, net::NetError>> {
            const auto executor = co_await asio::this_coro::executor;
            net::HttpClient client(executor, net::HttpClientOptions{});
            net::HttpRequest request{http::verb::post, other_instance.public_url() + "/slack/interactive", signed_click,
                                     click};
            co_return co_await client.send(std::move(request));
        }());
    other_instance.stop();
    EXPECT_EQ(replayed.status, 409u) << replayed.body;
    EXPECT_EQ(replayed.body, "this request was already received\n");
    ASSERT_TRUE(elsewhere.has_value());
    EXPECT_EQ(elsewhere->status, 409u) << elsewhere->body;

    std::this_thread::sleep_for(200ms);
    const auto now = collaborators();
    EXPECT_EQ(std::count(now.begin(), now.end(), "user2@example.com"), 1) << "the re-invited user2 was removed";
    EXPECT_EQ(response_urls_.wait_for("/actions/1").size(), answered) << "the replay reached the proposal's message";
    const std::string log = logged();
    EXPECT_NE(log.find("refused with 409: the same signed request was already received at"), std::string::npos) << log;
    EXPECT_EQ(log.find("v0="), std::string::npos) << "a signature reached the log";
}

TEST_F(HttpModeTest, AReplayedCommandIsNotRunTwice) {
    const std::string body = command_form("add my-dedicated-db new@example.com");
    ASSERT_EQ(signed_post("/slack/commands", body).status, 200u);
    // Removed meanwhile: a second run would invite new@example.com again.
    for (const auto& collaborator : store_.collaborators("my-dedicated-db")) {
        if (collaborator.email == "new@example.com") {
            ASSERT_TRUE(store_.remove("my-dedicated-db", collaborator.id).has_value());
        }
    }
    const auto replayed = signed_post("/slack/commands", body);
    EXPECT_EQ(replayed.status, 409u) << replayed.body;
    const auto now = collaborators();
    EXPECT_EQ(std::count(now.begin(), now.end(), "new@example.com"), 0);
}

// The raw request a client sends for `body`, signed, on its own connection.
std::string raw_request(const std::string& path, const std::string& body) {
    std::string request = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto& [name, value] : signed_headers(body)) request += name + ": " + value + "\r\n";
    return request + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST_F(HttpModeTest, AnAnswerWhoseConnectionIsGoneArrivesThroughTheResponseUrl) {
    // Slack gave up waiting (or a proxy dropped the connection) before the answer was written.
    asio::io_context client_io;
    asio::ip::tcp::socket socket(client_io);
    socket.connect(server_.endpoint());
    asio::write(socket, asio::buffer(raw_request("/slack/commands", command_form("list my-dedicated-db", "/late/1"))));
    socket.close();

    const auto answers = response_urls_.wait_for("/late/1");
    ASSERT_EQ(answers.size(), 1u) << "the answer reached nobody";
    EXPECT_NE(std::string(answers.front().at("text").as_string()).find("user2@example.com"), std::string::npos);
    EXPECT_NE(logged().find("sending it through the response_url"), std::string::npos) << logged();
}

TEST_F(HttpModeTest, TheReadTimeoutIsASetting) {
    HttpModeOptions options = loopback();
    options.server.read_timeout = std::chrono::seconds{1};
    HttpModeServer impatient(
        io_.get_executor(), desk_, used_, secret, options,
        [this] { return TimePoint{std::chrono::seconds{now_.load()}}; }, logger_);
    impatient.start();
    // A peer that connects and says nothing holds a connection for the read timeout, then loses it.
    asio::io_context client_io;
    asio::ip::tcp::socket socket(client_io);
    socket.connect(impatient.endpoint());
    const auto started = std::chrono::steady_clock::now();
    char byte = 0;
    boost::system::error_code closed;
    socket.read_some(asio::buffer(&byte, 1), closed);
    const auto held = std::chrono::steady_clock::now() - started;
    impatient.stop();
    EXPECT_EQ(closed, asio::error::eof);
    EXPECT_GE(held, 900ms);
    EXPECT_LT(held, 3s) << "the connection was held past the configured read timeout";
}

// Another instance took a command in over HTTP, claimed it and died before answering: once its lease
// lapses, this instance's sweep takes the work over and the person is answered through the
// response_url, once.
TEST_F(HttpModeTest, ACommandWhoseInstanceDiedIsTakenOverAndAnsweredThroughItsResponseUrl) {
    HttpModeOptions options = loopback();
    options.claims.instance = "survivor";
    options.claims.lease = 300ms;
    options.claims.sweep_every = 50ms;
    HttpModeServer survivor(
        io_.get_executor(), desk_, used_, secret, options,
        [this] { return TimePoint{std::chrono::seconds{now_.load()}}; }, logger_);
    survivor.start();

    Envelope taken;
    taken.envelope_id = "http-left-by-a-dead-instance";
    taken.type = EnvelopeType::slash_commands;
    SlashCommand& command = taken.slash_command.emplace();
    command.team_id = "T0001";
    command.channel_id = "C0001";
    command.user_id = "U0001";
    command.command = "/collab";
    command.text = "add my-dedicated-db orphan@example.com";
    command.response_url = slack_.url("/commands/orphan");
    std::string key = taken.envelope_id;
    std::string owner = "dead-instance";
    std::string work = work_of(taken);
    const auto claimed = collab::testing::run(used_.claim(std::move(key), std::move(owner), std::move(work), 300ms));
    ASSERT_EQ(claimed, store::ClaimState::won);

    ASSERT_FALSE(response_urls_.wait_for_within("/commands/orphan", 3s).empty()) << logged();
    std::this_thread::sleep_for(300ms);  // time enough for a second take-over, should there be one
    survivor.stop();
    const auto answers = response_urls_.wait_for("/commands/orphan");
    // The answer, then the removal of the placeholder the dead instance may have sent.
    ASSERT_EQ(answers.size(), 2u) << logged();
    EXPECT_EQ(answers[1], (json::object{{"delete_original", true}}));
    EXPECT_EQ(answers[0].at("response_type"), "in_channel");
    EXPECT_NE(std::string(answers[0].at("text").as_string()).find("orphan@example.com has been invited"),
              std::string::npos);
    const auto now = collaborators();
    EXPECT_EQ(std::count(now.begin(), now.end(), "orphan@example.com"), 1);
}

}  // namespace
}  // namespace collab::slack
