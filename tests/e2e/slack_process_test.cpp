// The built binary as an admin starts it for Slack: `collab-bot --adapter slack`, no configuration
// file, the tokens and the Slack address in the environment, against the Slack emulator.

#include <gtest/gtest.h>

#include <SQLiteCpp/Database.h>
#include <boost/json.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <regex>
#include <thread>

#include "adapters/chat/slack/blocks.hpp"
#include "adapters/chat/slack/signature.hpp"
#include "adapters/net/http_client.hpp"
#include "postgres_test_server.hpp"
#include "prometheus_text.hpp"

#include "fixtures.hpp"
#include "http_get.hpp"
#include "slack_bot_process.hpp"

namespace collab::e2e {
namespace {

namespace json = boost::json;
namespace bp = boost::process;
using namespace std::chrono_literals;
using slack::test::EmulatorOptions;
using slack::test::SlackEmulator;

EmulatorOptions workspace() {
    EmulatorOptions options;
    options.emails = {{"U111", "user1@example.com"}, {"U222", "user2@example.com"}};
    return options;
}

std::string text_of(const json::object& message) {
    const auto* text = message.if_contains("text");
    return text && text->is_string() ? std::string(text->as_string()) : "";
}

slack::test::Ack type(SlackEmulator& slack, const std::string& id, const std::string& text) {
    slack::test::SlashCommandFields fields;
    fields.envelope_id = id;
    fields.text = text;
    fields.response_url = slack.response_url(id);
    EXPECT_GE(slack.deliver(slack::test::slash_command_envelope(fields)), 0);
    auto ack = slack.wait_for_ack(id);
    EXPECT_TRUE(ack.has_value());
    return ack.value_or(slack::test::Ack{});
}

TEST(SlackProcess, RunsWithNoConfigurationOnTheSandboxAndStopsCleanlyOnSigterm) {
    SlackEmulator slack{workspace()};
    StateDir state;
    SlackBot bot(slack, state);
    ASSERT_TRUE(slack.wait_for_open_sockets(1, 10s)) << bot.log();

    const auto list = type(slack, "env-1", "list my-dedicated-db");
    EXPECT_NE(text_of(list.payload).find("user2@example.com"), std::string::npos) << bot.log();
    EXPECT_LT(list.latency, 3s);
    const auto add = type(slack, "env-2", "add my-dedicated-db newcomer@example.com");
    EXPECT_EQ(add.payload.at("response_type"), "in_channel");
    EXPECT_NE(text_of(add.payload).find("newcomer@example.com has been invited"), std::string::npos);
    // libpq and what it brings along (Kerberos, LDAP, GnuTLS) are for a PostgreSQL store alone.
    EXPECT_FALSE(bot.maps_library("libpq.so"));
    EXPECT_FALSE(bot.maps_library("libgnutls"));

    bot.signal(SIGTERM);
    EXPECT_EQ(bot.wait(), 0);
    EXPECT_TRUE(slack.wait_for_open_sockets(0)) << "the socket was closed";
    const std::string log = bot.log();
    EXPECT_NE(log.find("Socket Mode"), std::string::npos) << log;
    for (const auto& secret : {EmulatorOptions{}.app_token, EmulatorOptions{}.bot_token})
        EXPECT_EQ(log.find(secret), std::string::npos) << "a token leaked into the log";
}

// @collab-bot in a thread and a direct message, through the built binary: answered in the thread,
// the bot's own message (Slack echoes it in the direct conversation) left alone.
TEST(SlackProcess, AMentionAndADirectMessageWorkLikeTheSlashCommand) {
    SlackEmulator slack{workspace()};
    StateDir state;
    SlackBot bot(slack, state);
    ASSERT_TRUE(slack.wait_for_open_sockets(1, 10s)) << bot.log();
    // auth.test told the bot its own id (UBOT111) before the first socket opened.
    slack::test::MessageEventFields mention;
    mention.envelope_id = "env-mention";
    mention.event_id = "Ev0MENTION";
    mention.text = "<@UBOT111> add my-dedicated-db newcomer@example.com";
    mention.thread_ts = "1700000000.000050";
    ASSERT_GE(slack.deliver(slack::test::message_event_envelope(mention)), 0);
    ASSERT_TRUE(slack.wait_for_ack(mention.envelope_id)) << bot.log();
    ASSERT_TRUE(slack.wait_for_posts("chat.postMessage", 1)) << bot.log();
    const auto announced = slack.posts("chat.postMessage")[0].body;
    EXPECT_EQ(announced.at("channel"), "C111");
    EXPECT_EQ(announced.at("thread_ts"), "1700000000.000050");
    EXPECT_NE(text_of(announced).find("newcomer@example.com has been invited"), std::string::npos)
        << text_of(announced);

    slack::test::MessageEventFields direct;
    direct.envelope_id = "env-direct";
    direct.event_id = "Ev0DIRECT";
    direct.type = "message";
    direct.channel_type = "im";
    direct.channel_id = "D111";
    direct.text = "list my-dedicated-db";
    ASSERT_GE(slack.deliver(slack::test::message_event_envelope(direct)), 0);
    ASSERT_TRUE(slack.wait_for_posts("chat.postMessage", 2)) << bot.log();
    const auto answer = slack.posts("chat.postMessage")[1].body;
    EXPECT_EQ(answer.at("channel"), "D111");
    EXPECT_NE(text_of(answer).find("newcomer@example.com"), std::string::npos) << text_of(answer);

    // What Slack sends next: the bot's answer itself, as a message in the direct conversation.
    slack::test::MessageEventFields echo = direct;
    echo.envelope_id = "env-echo";
    echo.event_id = "Ev0ECHO";
    echo.user_id = "UBOT111";
    echo.bot_id = "B111";
    echo.text = text_of(answer);
    ASSERT_GE(slack.deliver(slack::test::message_event_envelope(echo)), 0);
    ASSERT_TRUE(slack.wait_for_ack(echo.envelope_id)) << bot.log();
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(slack.posts("chat.").size(), 2u) << "the bot answered itself";

    bot.signal(SIGTERM);
    EXPECT_EQ(bot.wait(), 0);
}

TEST(SlackProcess, AMissingTokenIsNamedAtStartUp) {
    SlackEmulator slack{workspace()};
    StateDir state;
    SlackBot bot(slack, state, {{"SLACK_APP_TOKEN", ""}});
    EXPECT_EQ(bot.wait(), 2);
    EXPECT_NE(bot.log().find("SLACK_APP_TOKEN"), std::string::npos) << bot.log();
    EXPECT_EQ(slack.urls_handed_out(), 0);
}

TEST(SlackProcess, ARefusedAppTokenStopsWithAMessageNamingIt) {
    SlackEmulator slack{workspace()};
    StateDir state;
    SlackBot bot(slack, state, {{"SLACK_APP_TOKEN", "xapp-1-revoked-token"}});
    EXPECT_EQ(bot.wait(), 1);
    const std::string log = bot.log();
    EXPECT_NE(log.find("SLACK_APP_TOKEN"), std::string::npos) << log;
    EXPECT_NE(log.find("invalid_auth"), std::string::npos) << log;
    EXPECT_EQ(log.find("xapp-1-revoked-token"), std::string::npos);
}

// auth.test at start-up: a refused bot token stops the bot before it takes any command.
TEST(SlackProcess, ARefusedBotTokenStopsTheStartNamingIt) {
    SlackEmulator slack{workspace()};
    StateDir state;
    SlackBot bot(slack, state, {{"SLACK_BOT_TOKEN", "xoxb-222-revoked-bot-token"}});
    EXPECT_EQ(bot.wait(), 1);
    const std::string log = bot.log();
    EXPECT_NE(log.find("SLACK_BOT_TOKEN (invalid_auth)"), std::string::npos) << log;
    EXPECT_EQ(log.find("xoxb-222-revoked-bot-token"), std::string::npos) << "the token leaked into the log";
    EXPECT_EQ(slack.auth_test_calls(), 1);
    EXPECT_EQ(slack.urls_handed_out(), 0) << "no socket is opened for a bot that cannot answer";
}

// A token revoked while the bot runs shows at its next Web API call: the bot stops the same way.
TEST(SlackProcess, ABotTokenRevokedLaterStopsTheBot) {
    SlackEmulator slack{workspace()};
    StateDir state;
    SlackBot bot(slack, state);
    ASSERT_TRUE(slack.wait_for_open_sockets(1, 10s)) << bot.log();
    EXPECT_EQ(slack.auth_test_calls(), 1);
    slack.refuse_bot_token("token_revoked");
    type(slack, "env-1", "whoami");
    EXPECT_EQ(bot.wait(), 1);
    const std::string log = bot.log();
    EXPECT_NE(log.find("SLACK_BOT_TOKEN (token_revoked)"), std::string::npos) << log;
    EXPECT_EQ(log.find(EmulatorOptions{}.bot_token), std::string::npos) << "the token leaked into the log";
}

TEST(SlackProcess, LinkDisabledStopsTheBot) {
    SlackEmulator slack{workspace()};
    StateDir state;
    SlackBot bot(slack, state);
    ASSERT_TRUE(slack.wait_for_open_sockets(1, 10s)) << bot.log();
    slack.disconnect(0, "link_disabled");
    EXPECT_EQ(bot.wait(), 1);
    EXPECT_NE(bot.log().find("link_disabled"), std::string::npos) << bot.log();
}

// The first match of `pattern`'s group 1 in the bot's log, waiting for it to appear.
TEST(SlackProcess, HealthFollowsTheSlackLinkAndThePostgresStoreAndMetricsAreProm) {
    testing::TestDatabase database;
    SlackEmulator slack{workspace()};
    StateDir state;
    const auto config = state.path() / "ops.toml";
    std::ofstream(config) << "log_format = \"json\"\n[health]\nlisten = \"127.0.0.1:0\"\n";
    SlackBot bot(slack, state, {{"COLLAB_STORE_URL", database.url()}}, {"--config", config.string()});
    const std::string base = from_log(bot, "health and metrics at (http://127\\.0\\.0\\.1:[0-9]+)/healthz");
    ASSERT_TRUE(slack.wait_for_open_sockets(1, 10s)) << bot.log();
    EXPECT_EQ(wait_for_status(base + "/healthz", 200).status, 200u);
    type(slack, "env-1", "list my-dedicated-db");
    EXPECT_TRUE(bot.maps_library("libpq.so")) << "opened for the PostgreSQL store";

    const auto metrics = http_get(base + "/metrics");
    EXPECT_EQ(metrics.status, 200u);
    EXPECT_TRUE(observability::test::prometheus_text_problems(metrics.body).empty()) << metrics.body;
    EXPECT_NE(metrics.body.find("collab_commands_total{kind=\"list\",outcome=\"answered\",platform=\"slack\"} 1"),
              std::string::npos)
        << metrics.body;
    EXPECT_NE(metrics.body.find("collab_open_sockets 1"), std::string::npos);
    EXPECT_NE(metrics.body.find("collab_ack_latency_seconds_count{platform=\"slack\"} 1"), std::string::npos)
        << metrics.body;

    // Slack drops the socket and refuses new ones for a while: the check names the link.
    slack.refuse_new_sockets("refresh_requested");
    slack.drop(0);
    auto down = wait_for_status(base + "/healthz", 503);
    EXPECT_EQ(down.status, 503u);
    EXPECT_NE(down.body.find("slack: down since"), std::string::npos) << down.body;
    slack.refuse_new_sockets("");
    EXPECT_EQ(wait_for_status(base + "/healthz", 200).status, 200u);

    // The database goes away: the check names the store; it comes back by itself.
    testing::query(database.admin_url(), "ALTER DATABASE \"" + database.name() + "\" ALLOW_CONNECTIONS false");
    testing::query(database.admin_url(),
                   "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database.name() + "'");
    down = wait_for_status(base + "/healthz", 503);
    EXPECT_NE(down.body.find("store: down"), std::string::npos) << down.body;
    const auto refused = type(slack, "env-2", "add my-dedicated-db during-outage@example.com");
    EXPECT_NE(text_of(refused.payload).find("cannot be"), std::string::npos) << text_of(refused.payload);
    testing::query(database.admin_url(), "ALTER DATABASE \"" + database.name() + "\" ALLOW_CONNECTIONS true");
    EXPECT_EQ(wait_for_status(base + "/healthz", 200).status, 200u) << bot.log();
    const auto added = type(slack, "env-3", "add my-dedicated-db after-outage@example.com");
    EXPECT_NE(text_of(added.payload).find("has been invited"), std::string::npos) << text_of(added.payload);

    bot.signal(SIGTERM);
    EXPECT_EQ(bot.wait(), 0);
    // JSON logs: every line an object; the command lines carry the envelope id; no token anywhere.
    std::istringstream lines(bot.log());
    int with_request_id = 0;
    for (std::string line; std::getline(lines, line);) {
        boost::system::error_code error;
        auto parsed = json::parse(line, error);
        ASSERT_FALSE(error) << "not JSON: " << line;
        if (parsed.as_object().contains("request_id")) ++with_request_id;
    }
    EXPECT_GE(with_request_id, 3);
    for (const auto& secret : {EmulatorOptions{}.app_token, EmulatorOptions{}.bot_token})
        EXPECT_EQ(bot.log().find(secret), std::string::npos);
}

TEST(SlackProcess, SigtermDuringABurstAnswersWhatWasTakenIn) {
    SlackEmulator slack{workspace()};
    StateDir state;
    SlackBot bot(slack, state);
    ASSERT_TRUE(slack.wait_for_open_sockets(1, 10s)) << bot.log();
    std::vector<std::string> ids;
    for (int i = 0; i < 300; ++i) {
        slack::test::SlashCommandFields fields;
        fields.envelope_id = "burst-" + std::to_string(i);
        fields.text =
            i % 3 == 0 ? "add my-dedicated-db burst" + std::to_string(i) + "@example.com" : "list my-dedicated-db";
        fields.response_url = slack.response_url(fields.envelope_id);
        slack.deliver(slack::test::slash_command_envelope(fields));
        ids.push_back(fields.envelope_id);
        if (i == 150) {
            // Mid-burst: some answered, some in progress, more arriving.
            ASSERT_TRUE(slack.wait_for_ack_count(50, 10s)) << bot.log();
            bot.signal(SIGTERM);
        }
    }
    EXPECT_EQ(bot.wait(), 0) << bot.log();
    // Everything acknowledged carries its answer; what was not taken in stays for Slack to re-deliver.
    int answered = 0;
    for (const auto& ack : slack.acks()) {
        EXPECT_FALSE(text_of(ack.payload).empty()) << ack.envelope_id << " acknowledged without its answer";
        ++answered;
    }
    EXPECT_GE(answered, 50) << "the commands before the signal were answered";
    EXPECT_NE(bot.log().find("no new commands"), std::string::npos);
}

// The headers Slack signs a request body with, now.
std::vector<std::pair<std::string, std::string>> signed_headers(const std::string& secret, const std::string& body) {
    const std::string timestamp = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    return {{"Content-Type", "application/x-www-form-urlencoded"},
            {"X-Slack-Request-Timestamp", timestamp},
            {"X-Slack-Signature", slack::compute_signature(secret, timestamp, body)}};
}

// A request POSTed the way Slack does in HTTP mode, with these (signing) headers; the answer, or why
// none came.
std::expected<net::HttpResponse, net::NetError> send_form(
    const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body) {
    net::HttpRequest request;
    request.method = boost::beast::http::verb::post;
    request.url = url;
    request.body = body;
    request.headers = headers;
    boost::asio::io_context io;
    net::HttpClient client(io.get_executor(), {});
    auto sent = boost::asio::co_spawn(io, client.send(std::move(request)), boost::asio::use_future);
    io.run();
    return sent.get();
}

net::HttpResponse post_form(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                            const std::string& body) {
    auto response = send_form(url, headers, body);
    EXPECT_TRUE(response.has_value());
    return response.value_or(net::HttpResponse{});
}

// A signed slash command from U111 (user1@example.com); each has a trigger id of its own, as Slack's do.
std::string command_body(const std::string& text) {
    static std::atomic<int> triggers = 0;
    return "team_id=T111&channel_id=C111&user_id=U111&user_name=someone&command=%2Fcollab&text=" + text +
           "&response_url=http%3A%2F%2F127.0.0.1%3A9%2Frespond&trigger_id=" + std::to_string(++triggers);
}

std::expected<net::HttpResponse, net::NetError> send_command(const std::string& url, const std::string& secret,
                                                             const std::string& text) {
    const std::string body = command_body(text);
    return send_form(url, signed_headers(secret, body), body);
}

net::HttpResponse post_command(const std::string& url, const std::string& secret, const std::string& text) {
    const std::string body = command_body(text);
    return post_form(url, signed_headers(secret, body), body);
}

TEST(SlackProcess, AnUnreadableCaFileIsAStartUpError) {
    SlackEmulator slack{workspace()};
    StateDir state;
    const auto config = state.path() / "ca.toml";
    std::ofstream(config) << "[slack]\nca_file = \"no-such-ca.pem\"\n";
    SlackBot bot(slack, state, {}, {"--config", config.string()});
    EXPECT_EQ(bot.wait(), 2);
    EXPECT_NE(bot.log().find("slack.ca_file: cannot load the CA file"), std::string::npos) << bot.log();
}

// collab-bot in HTTP mode against the emulator.
class HttpModeProcess : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_FALSE(http_mode_.url.empty()) << http_mode_.bot.log(); }

    SlackEmulator slack_{workspace()};
    StateDir state_;
    const std::string secret_ = "8f742231b10e8888abcd99yyyzzz85a5";
    HttpModeBot http_mode_{slack_, state_, secret_};
};

TEST_F(HttpModeProcess, AnswersSignedCommandsAndRefusesForgedOnes) {
    const std::string& url = http_mode_.url;
    const std::string& secret = secret_;
    SlackBot& bot = http_mode_.bot;

    const auto answer = post_command(url, secret, "list+my-dedicated-db");
    EXPECT_EQ(answer.status, 200u);
    EXPECT_NE(answer.body.find("user2@example.com"), std::string::npos) << answer.body;
    const auto forged = post_command(url, "not-the-secret", "add+my-dedicated-db+intruder%40example.com");
    EXPECT_EQ(forged.status, 401u);
    const auto listed = post_command(url, secret, "list+my-dedicated-db");
    EXPECT_EQ(listed.body.find("intruder@example.com"), std::string::npos);

    bot.signal(SIGTERM);
    EXPECT_EQ(bot.wait(), 0);
    EXPECT_EQ(bot.log().find(secret), std::string::npos) << "the signing secret leaked into the log";
}

// A command waiting for the sandbox's state file, whose write lock another process holds, keeps
// nobody else waiting: the io thread answers the next request at once and acts on SIGTERM, and the
// waiting command is answered once the lock is let go.
TEST(SlackProcess, HttpModeStaysResponsiveWhileACommandWaitsForALockedStore) {
    SlackEmulator slack{workspace()};
    StateDir state;
    const std::string secret = "8f742231b10e8888abcd99yyyzzz85a5";
    HttpModeBot http_mode(slack, state, secret);
    SlackBot& bot = http_mode.bot;
    const std::string& url = http_mode.url;
    ASSERT_FALSE(url.empty());

    SQLite::Database other((state.path() / "sandbox.sqlite").string(), SQLite::OPEN_READWRITE);
    other.exec("BEGIN IMMEDIATE");
    const auto added_at = std::chrono::steady_clock::now();
    net::HttpResponse added;
    std::thread adding([&] { added = post_command(url, secret, "add+my-dedicated-db+waiting%40example.com"); });
    std::this_thread::sleep_for(300ms);  // the invitation is waiting for the lock by now

    const auto asked = std::chrono::steady_clock::now();
    // Help on one command needs nothing from the sandbox (the general help asks where the person stands).
    const auto help = post_command(url, secret, "help+list");
    const auto took = std::chrono::steady_clock::now() - asked;
    EXPECT_EQ(help.status, 200u);
    EXPECT_NE(help.body.find("/collab list"), std::string::npos) << help.body;
    EXPECT_LT(took, 1s) << "help waited for the locked store";

    bot.signal(SIGTERM);
    // The log is written out every second by the io thread: the line is there if the thread is free.
    bool acted_on = false;
    for (int i = 0; i < 80 && !acted_on; ++i) {
        acted_on = bot.log().find("no new commands") != std::string::npos;
        if (!acted_on) std::this_thread::sleep_for(25ms);
    }
    EXPECT_TRUE(acted_on) << "SIGTERM was not acted on while the store was locked\n" << bot.log();

    // Past the answer budget (2 s), so that the answer has to follow the acknowledgement.
    std::this_thread::sleep_until(added_at + 2500ms);
    other.exec("ROLLBACK");
    adding.join();
    EXPECT_NE(added.body.find("Working on it"), std::string::npos) << added.body;
    EXPECT_EQ(bot.wait(), 0) << bot.log();
    // The waiting command was answered before the bot stopped (its response_url refused: posted instead).
    ASSERT_TRUE(slack.wait_for_posts("chat.post", 1)) << bot.log();
    EXPECT_NE(text_of(slack.posts("chat.post").front().body).find("waiting@example.com has been invited"),
              std::string::npos);
}

// Signals are taken on a thread of their own: a request that keeps the io thread busy (one `add` of
// 30,000 addresses took minutes to parse before the grammar was made linear and `add` capped) cannot
// keep the bot from stopping. What happens while the io thread is held (a second signal, a first one
// not taken within 5 s) is in tests/adapters/stop_signals_test.cpp, where it can be held for sure.
class BusyIoThread : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_FALSE(http_mode.url.empty());
        std::string text = "add+my-dedicated-db";
        for (int i = 0; i < 30'000; ++i) text += "+person" + std::to_string(i) + "%40example.com";
        // Answered or cut off when the bot leaves: either way, not what these tests look at.
        adding = std::thread([this, text] { send_command(http_mode.url, secret, text); });
        std::this_thread::sleep_for(1s);
    }
    void TearDown() override {
        if (adding.joinable()) adding.join();
    }

    SlackEmulator slack{workspace()};
    StateDir state;
    const std::string secret = "8f742231b10e8888abcd99yyyzzz85a5";
    HttpModeBot http_mode{slack, state, secret};
    std::thread adding;
};

TEST_F(BusyIoThread, ASignalIsActedOnWithinSeconds) {
    http_mode.bot.signal(SIGTERM);
    EXPECT_TRUE(http_mode.bot.wait(10s).has_value()) << "the signal waited for the io thread";
}

TEST_F(HttpModeProcess, RefusesTheSameSignedClickTwice) {
    const std::string& url = http_mode_.url;
    const std::string& secret = secret_;
    SlackBot& bot = http_mode_.bot;
    const std::string interactive = url.substr(0, url.rfind('/')) + "/interactive";

    const auto proposal = post_command(url, secret, "remove+my-dedicated-db+user2%40example.com");
    std::smatch token;
    ASSERT_TRUE(std::regex_search(proposal.body, token, std::regex("\"value\":\"([^\"]+)\""))) << proposal.body;
    const json::object payload{
        {"type", "block_actions"},
        {"user", {{"id", "U111"}, {"team_id", "T111"}}},
        {"team", {{"id", "T111"}}},
        {"channel", {{"id", "C111"}}},
        {"response_url", "http://127.0.0.1:9/respond"},
        {"actions",
         json::array{{{"type", "button"}, {"action_id", slack::confirm_action_id}, {"value", token[1].str()}}}}};
    const std::string click = slack::testing::form({{"payload", json::serialize(payload)}});
    // The click as Slack signed it, captured (at a proxy, in a log) and sent again later.
    const auto captured = signed_headers(secret, click);
    EXPECT_EQ(post_form(interactive, captured, click).status, 200u);
    bool removed = false;
    for (int i = 0; i < 100 && !removed; ++i) {
        std::this_thread::sleep_for(50ms);
        removed = post_command(url, secret, "list+my-dedicated-db").body.find("user2@example.com") == std::string::npos;
    }
    ASSERT_TRUE(removed) << bot.log();

    // user2 is invited again and accepts.
    EXPECT_EQ(post_command(url, secret, "add+my-dedicated-db+user2%40example.com").status, 200u);
    const BotRun outbox = run_bot({"sandbox", "invitations", "--state-dir", state_.path().string()}, "", state_);
    std::smatch invitation;
    ASSERT_TRUE(std::regex_search(outbox.out, invitation,
                                  std::regex("user2@example\\.com +│ my-dedicated-db │ pending .*│ ([0-9a-f]{32}) │")))
        << outbox.out;
    EXPECT_EQ(run_bot({"sandbox", "accept", invitation[1].str(), "--state-dir", state_.path().string()}, "", state_)
                  .exit_code,
              0);

    const auto replayed = post_form(interactive, captured, click);
    EXPECT_EQ(replayed.status, 409u) << replayed.body;
    std::this_thread::sleep_for(300ms);
    const auto listed = post_command(url, secret, "list+my-dedicated-db");
    EXPECT_TRUE(std::regex_search(listed.body, std::regex("user2@example\\.com +│ [^│]+│ accepted")))
        << "the re-invited user2 was removed: " << listed.body;
    EXPECT_NE(bot.log().find("refused with 409"), std::string::npos) << bot.log();

    bot.signal(SIGTERM);
    EXPECT_EQ(bot.wait(), 0);
}

}  // namespace
}  // namespace collab::e2e
