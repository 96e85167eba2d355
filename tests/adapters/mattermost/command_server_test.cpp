// The Mattermost adapter over real loopback sockets: the emulated server runs slash commands and
// clicks against the bot's /mattermost/command and /mattermost/action, the bot asks the emulated REST
// API who people are and answers slow commands through the emulated response_url; the commands run on
// the in-process sandbox.

#include "adapters/chat/mattermost/command_server.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <future>
#include <thread>

#include "adapters/chat/mattermost/directory.hpp"
#include "adapters/chat/mattermost/event_socket.hpp"
#include "adapters/chat/mattermost/messages.hpp"
#include "adapters/chat/mattermost/outbox.hpp"
#include "adapters/chat/mattermost/rest_client.hpp"
#include "adapters/chat/mattermost/sign_in.hpp"
#include "adapters/net/http_client.hpp"
#include "adapters/sandbox/sandbox_api.hpp"
#include "adapters/sandbox/sandbox_store.hpp"
#include "adapters/sandbox/seed.hpp"
#include "adapters/security/hmac_signer.hpp"
#include "adapters/store/local_state.hpp"
#include "adapters/store/sqlite_audit_log.hpp"
#include "core/service.hpp"
#include "mattermost_emulator.hpp"
#include "run_coroutine.hpp"
#include "temp_dir.hpp"

namespace collab::mattermost {
namespace {
namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using testing::MattermostEmulator;

using testing::member;
using testing::owner;
using testing::stranger;
const std::string channel = "c1ops";

class SystemClock final : public WallClock {
public:
    TimePoint now() const override { return Clock::now(); }
};

std::string text_of(const testing::Exchange& exchange) {
    if (!exchange.answer || !exchange.answer->contains("text")) return {};
    return std::string(exchange.answer->at("text").as_string());
}

// Short enough that a slow lookup misses it, long enough for the sandbox's answers.
chat::DeskSettings test_desk_settings() {
    chat::DeskSettings settings;
    settings.answer_budget = 400ms;
    return settings;
}

class CommandServerTest : public ::testing::Test {
protected:
    explicit CommandServerTest(chat::DeskSettings desk_settings = test_desk_settings())
        : desk_settings_(std::move(desk_settings)) {
        server_.start();
        io_thread_ = std::thread([this] { io_.run(); });
    }
    ~CommandServerTest() override { shut_down(); }

    // Stops the server and waits for the io_context's thread: once.
    void shut_down() {
        if (!io_thread_.joinable()) return;
        server_.stop();
        io_thread_.join();
    }

    testing::Exchange command(const std::string& user, const std::string& text) {
        return mattermost_.run_command(server_.public_url(), user, channel, text);
    }

    bool has_access(const std::string& email) {
        const auto emails = collaborators();
        return std::find(emails.begin(), emails.end(), email) != emails.end();
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

    MattermostEmulator mattermost_{testing::EmulatorSettings{
        .emails = {{owner, "user1@example.com"}, {member, "user2@example.com"}, {stranger, "stranger@example.com"}}}};
    collab::testing::TempDir dir_;
    sandbox::SandboxStore store_{
        dir_ / "sandbox.sqlite",
        sandbox::parse_seed(collab::testing::read_file(collab::testing::source_file("config/sandbox.toml")),
                            "config/sandbox.toml")};
    sandbox::SandboxApi api_{store_};
    store::SqliteAuditLog audit_{dir_ / "state.sqlite"};
    security::HmacSigner signer_{std::string(32, 'k')};
    SystemClock clock_;
    store::LocalState shared_;

    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> log_ = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(200);
    std::shared_ptr<spdlog::logger> logger_ = [this] {
        auto logger = std::make_shared<spdlog::logger>("mattermost-test", log_);
        logger->set_level(spdlog::level::trace);
        return logger;
    }();

    asio::io_context io_;
    net::HttpClient http_{io_.get_executor(), net::HttpClientOptions{}};
    RestClient rest_{http_, RestSettings{mattermost_.url(), "bot-token-7f3k"}};
    MattermostDirectory directory_{rest_, {}};
    CommandService service_{api_, directory_, audit_, clock_, signer_, shared_, ServiceSettings{}};
    MattermostOutbox outbox_{rest_, logger_};
    const chat::DeskSettings desk_settings_;
    chat::Desk desk_{io_.get_executor(), service_, outbox_, desk_settings_, logger_};
    CommandServer server_{io_.get_executor(),
                          desk_,
                          outbox_,
                          shared_,
                          "okwexkjpe7ygb8eq1ww58t483w",
                          [] {
                              CommandServerOptions options;
                              options.server.listen = "127.0.0.1:0";
                              return options;
                          }(),
                          logger_};
    std::thread io_thread_;
};

TEST_F(CommandServerTest, EveryCommandIsAnsweredWithWhoSeesIt) {
    const std::vector<std::tuple<std::string, std::string, std::string>> cases{
        {"help", "ephemeral", "/collab"},
        {"whoami", "ephemeral", "user1@example.com"},
        {"dbs", "ephemeral", "│ my-dedicated-db │ owner "},
        {"access user2@example.com", "ephemeral", "│ my-dedicated-db │ accepted │ collaborator │"},
        {"list my-dedicated-db", "ephemeral", "user2@example.com"},
        {"audit my-dedicated-db", "ephemeral", ""},
        {"add my-dedicated-db new@example.com", "in_channel", "new@example.com"},
        {"leave my-dedicated-db", "ephemeral", "owner"},
        {"frobnicate", "ephemeral", "Usage"},
    };
    for (const auto& [text, visibility, shows] : cases) {
        const auto exchange = command(owner, text);
        ASSERT_EQ(exchange.status, 200u) << text << ": " << exchange.body;
        ASSERT_TRUE(exchange.answer) << text;
        EXPECT_EQ(exchange.answer->at("response_type").as_string(), visibility) << text << ": " << exchange.body;
        EXPECT_FALSE(text_of(exchange).empty()) << text;
        EXPECT_NE(text_of(exchange).find(shows), std::string::npos) << text << ": " << text_of(exchange);
    }
    EXPECT_TRUE(mattermost_.violations().empty());
    // The list is a code block; the add was posted in the channel by the person who typed it.
    const auto posts = mattermost_.posts();
    ASSERT_EQ(posts.size(), 1u);
    EXPECT_EQ(posts[0].user_id, owner);
    EXPECT_TRUE(has_access("new@example.com"));
}

// A list asked again while the database is unchanged is the same answer; once someone is added, the
// next list shows them.
TEST_F(CommandServerTest, AListAskedAgainIsTheSameUntilTheDatabaseChanges) {
    const auto first = command(owner, "list my-dedicated-db");
    const auto again = command(owner, "list my-dedicated-db");
    ASSERT_TRUE(first.answer) << first.body;
    EXPECT_EQ(again.body, first.body);
    EXPECT_EQ(text_of(first).find("fresh@example.com"), std::string::npos);
    const auto added = command(owner, "add my-dedicated-db fresh@example.com");
    EXPECT_NE(text_of(added).find("fresh@example.com"), std::string::npos) << text_of(added);
    const auto after = command(owner, "list my-dedicated-db");
    ASSERT_TRUE(after.answer) << after.body;
    EXPECT_NE(text_of(after).find("fresh@example.com"), std::string::npos) << text_of(after);
    EXPECT_EQ(after.answer->at("response_type"), "ephemeral");
}

// The encoded answer of a keyed reply is kept per version and visibility, and never mixes them.
TEST(MattermostOutbox, AnAnswerIsKeptPerVersionAndVisibility) {
    asio::io_context io;
    net::HttpClient http{io.get_executor(), net::HttpClientOptions{}};
    RestClient rest{http, RestSettings{"http://127.0.0.1:9", "bot-token"}};
    MattermostOutbox outbox{rest, spdlog::default_logger()};
    const chat::Origin origin;
    Reply listed;
    listed.lines.push_back(Line{LineStyle::plain, "user2@example.com is a collaborator"});
    listed.key = ReplyKey{"list my-dedicated-db", 7};
    const chat::Answer for_asker{listed, chat::Visibility::ephemeral};
    const auto first = outbox.encoded(origin, for_asker);
    EXPECT_EQ(*first, json::serialize(command_response(listed, chat::Visibility::ephemeral)));
    EXPECT_EQ(outbox.encoded(origin, for_asker), first) << "the same answer, kept";
    const chat::Answer for_channel{listed, chat::Visibility::in_channel};
    EXPECT_EQ(*outbox.encoded(origin, for_channel),
              json::serialize(command_response(listed, chat::Visibility::in_channel)));

    Reply changed = listed;
    changed.lines[0].text = "nobody else";
    changed.key = ReplyKey{"list my-dedicated-db", 8};
    EXPECT_EQ(*outbox.encoded(origin, chat::Answer{changed, chat::Visibility::ephemeral}),
              json::serialize(command_response(changed, chat::Visibility::ephemeral)));
}

// [mattermost.responses] list = "in_channel", add = "ephemeral".
class CommandServerResponsesTest : public CommandServerTest {
protected:
    CommandServerResponsesTest()
        : CommandServerTest([] {
              chat::DeskSettings settings = test_desk_settings();
              settings.visibility.by_command["list"] = chat::Visibility::in_channel;
              settings.visibility.by_command["add"] = chat::Visibility::ephemeral;
              return settings;
          }()) {}
};

TEST_F(CommandServerResponsesTest, ACommandsConfiguredVisibilityDecidesWhoSeesItsAnswer) {
    const auto listed = command(owner, "list my-dedicated-db");
    ASSERT_TRUE(listed.answer) << listed.body;
    EXPECT_EQ(listed.answer->at("response_type"), "in_channel");
    EXPECT_NE(text_of(listed).find("user2@example.com"), std::string::npos) << text_of(listed);
    const auto added = command(owner, "add my-dedicated-db quiet@example.com");
    ASSERT_TRUE(added.answer) << added.body;
    EXPECT_EQ(added.answer->at("response_type"), "ephemeral");
    EXPECT_NE(text_of(added).find("quiet@example.com"), std::string::npos) << text_of(added);
    EXPECT_TRUE(has_access("quiet@example.com"));
    const auto whoami = command(owner, "whoami");
    ASSERT_TRUE(whoami.answer) << whoami.body;
    EXPECT_EQ(whoami.answer->at("response_type"), "ephemeral") << "what is not configured keeps its default";
    EXPECT_TRUE(mattermost_.violations().empty());
}

TEST_F(CommandServerTest, WhoamiShowsTheAskersMentionBeforeTheirIds) {
    const auto exchange = command(owner, "whoami");
    ASSERT_TRUE(exchange.answer) << exchange.body;
    // Mattermost mentions by user name: the emulator's is "user-" and the id. The rest is escaped
    // markdown, read here as Mattermost shows it.
    std::string shown = text_of(exchange);
    std::erase(shown, '\\');
    EXPECT_TRUE(
        shown.starts_with("Chat identity: @user-" + owner + ", mattermost user user-" + owner + " (" + owner + ") in "))
        << text_of(exchange);
    EXPECT_NE(text_of(exchange).find("Chat identity\\: @user-" + owner + ","), std::string::npos)
        << "the mention itself is not escaped: " << text_of(exchange);
}

TEST_F(CommandServerTest, ARemovalIsProposedAndOnlyTheProposersClickCarriesItOut) {
    const auto proposed = command(owner, "remove my-dedicated-db user2@example.com");
    ASSERT_EQ(proposed.status, 200u) << proposed.body;
    EXPECT_EQ(proposed.answer->at("response_type"), "in_channel");
    const auto posts = mattermost_.posts();
    ASSERT_EQ(posts.size(), 1u);
    const std::string post_id = posts[0].id;
    ASSERT_TRUE(posts[0].props.contains("attachments")) << "the proposal carries its buttons";

    // Someone else's click: refused for them alone, the proposal left as it is, nothing removed.
    const auto intruder = mattermost_.click(member, post_id, "confirm");
    ASSERT_EQ(intruder.status, 200u) << intruder.body;
    const auto refusals = mattermost_.ephemerals(member);
    ASSERT_EQ(refusals.size(), 1u);
    EXPECT_FALSE(refusals[0].message.empty());
    EXPECT_TRUE(mattermost_.post(post_id)->props.contains("attachments"));
    EXPECT_TRUE(has_access("user2@example.com"));

    // The proposer's click: the collaborator goes, and the post shows it without buttons.
    const auto confirmed = mattermost_.click(owner, post_id, "confirm");
    ASSERT_EQ(confirmed.status, 200u) << confirmed.body;
    const auto updated = mattermost_.post(post_id);
    EXPECT_FALSE(updated->props.contains("attachments")) << "no button is left to click twice";
    EXPECT_NE(updated->message.find("user2@example.com"), std::string::npos) << updated->message;
    EXPECT_FALSE(has_access("user2@example.com"));
    EXPECT_EQ(mattermost_.posts().size(), 1u) << "the update is the announcement";
    EXPECT_TRUE(mattermost_.violations().empty());
}

TEST_F(CommandServerTest, AClickDeliveredAgainWhileTheFirstWaitsLeavesItsAnswerToIt) {
    const auto proposed = command(owner, "remove my-dedicated-db user2@example.com");
    ASSERT_EQ(proposed.status, 200u) << proposed.body;
    const std::string post_id = mattermost_.posts().at(0).id;
    const auto form = mattermost_.click_form(owner, post_id, "confirm");
    ASSERT_TRUE(form);
    // Who clicked takes a while to look up: the repeat arrives while the first delivery waits.
    mattermost_.delay_users(1500ms);
    const int asked = mattermost_.users_asked();
    auto first = std::async(std::launch::async, [&] { return mattermost_.post_click(*form); });
    ASSERT_TRUE(mattermost_.wait_for_users_asked(asked + 1, 5s)) << "the first delivery asks who clicked";
    const auto again = mattermost_.post_click(*form);
    const auto answered = first.get();
    ASSERT_EQ(answered.status, 200u) << answered.body;
    ASSERT_TRUE(answered.answer) << answered.body;
    EXPECT_TRUE(answered.answer->contains("update")) << "the first delivery shows the outcome: " << answered.body;
    EXPECT_EQ(again.answer, std::optional<json::object>{json::object{}}) << again.body;
    EXPECT_FALSE(mattermost_.post(post_id)->props.contains("attachments")) << "the proposal was replaced";
    EXPECT_FALSE(has_access("user2@example.com"));
    EXPECT_EQ(mattermost_.posts().size(), 1u) << "no outcome posted beside it";
}

TEST_F(CommandServerTest, AForgedOrMissingTokenIsRefusedAndChangesNothing) {
    const auto before = collaborators();
    const std::vector<std::pair<std::string, std::string>> attempts{
        {"no header", ""},
        {"wrong token", "Token okwexkjpe7ygb8eq1ww58t483x"},
        {"another scheme", "Bearer okwexkjpe7ygb8eq1ww58t483w"},
    };
    for (const auto& [what, header] : attempts) {
        const auto exchange = mattermost_.run_command(server_.public_url(), owner, channel,
                                                      "add my-dedicated-db evil@example.com", header);
        EXPECT_EQ(exchange.status, 401u) << what;
        EXPECT_EQ(exchange.body, "the request does not carry this slash command's token\n") << what;
    }
    EXPECT_EQ(collaborators(), before);
    EXPECT_TRUE(mattermost_.posts().empty());
    const std::string log = logged();
    EXPECT_NE(log.find("the command token does not match"), std::string::npos) << log;
    EXPECT_NE(log.find("no Authorization header"), std::string::npos) << log;
    EXPECT_EQ(log.find("okwexkjpe7ygb8eq1ww58t483"), std::string::npos) << "no token in the log";
    EXPECT_EQ(log.find("evil@example.com"), std::string::npos) << "no body in the log";
}

TEST_F(CommandServerTest, AForgedClickChangesNothing) {
    const auto before = collaborators();
    const std::string forged =
        R"({"user_id":"u1owner0000000000000000000","channel_id":"c1ops","team_id":"carya1qs77bemjup96ff538snh","post_id":"p",)"
        R"("context":{"action":"confirm","token":"not-a-sealed-token"}})";
    auto sent = collab::testing::run([&]() -> asio::awaitable<std::expected<net::HttpResponse, net::NetError>> {
        // Named: g++ 12 destroys a temporary in a full expression with co_await twice.
        const auto executor = co_await asio::this_coro::executor;
        const net::HttpClientOptions options;
        net::HttpClient client(executor, options);
        net::HttpRequest request{boost::beast::http::verb::post,
                                 server_.public_url() + "/mattermost/action",
                                 {{"Content-Type", "application/json"}},
                                 forged};
        co_return co_await client.send(std::move(request));
    }());
    ASSERT_TRUE(sent);
    EXPECT_EQ(sent->status, 200u);
    const auto answer = json::parse(sent->body).as_object();
    EXPECT_FALSE(answer.contains("update"));
    EXPECT_TRUE(answer.contains("ephemeral_text")) << sent->body;
    EXPECT_EQ(collaborators(), before);
}

TEST_F(CommandServerTest, ASlowAnswerFollowsThePlaceholderThroughTheResponseUrl) {
    mattermost_.delay_users(800ms);
    const auto exchange = command(member, "whoami");
    ASSERT_EQ(exchange.status, 200u) << exchange.body;
    EXPECT_EQ(exchange.answer->at("response_type"), "ephemeral");
    EXPECT_EQ(text_of(exchange), "Working on it…");
    const auto shown = mattermost_.wait_for_ephemerals(member, 2, 3s);
    ASSERT_EQ(shown.size(), 2u);
    EXPECT_NE(shown[1].message.find("user2@example.com"), std::string::npos) << shown[1].message;
    EXPECT_EQ(mattermost_.response_url_uses(), 1);
}

// The command token proves who sent a command, not where its response_url points: the bot sends
// nothing to another server than MATTERMOST_URL's (here "localhost" names it differently).
TEST_F(CommandServerTest, AResponseUrlOnAnotherServerIsNeverUsed) {
    std::string body = mattermost_.command_form(member, channel, "whoami");
    const auto at = body.find("127.0.0.1", body.find("response_url="));
    ASSERT_NE(at, std::string::npos) << body;
    body.replace(at, std::string_view("127.0.0.1").size(), "localhost");
    mattermost_.delay_users(800ms);
    const auto exchange = mattermost_.post_command(server_.public_url(), body);
    ASSERT_EQ(exchange.status, 200u) << exchange.body;
    EXPECT_EQ(text_of(exchange), "Working on it…");
    const auto shown = mattermost_.wait_for_ephemerals(member, 2, 3s);
    ASSERT_EQ(shown.size(), 2u) << logged();
    EXPECT_NE(shown[1].message.find("user2@example.com"), std::string::npos) << "through the REST API";
    EXPECT_EQ(mattermost_.response_url_uses(), 0);
    EXPECT_NE(logged().find("refused a response_url that is not on MATTERMOST_URL's server (http://localhost:"),
              std::string::npos)
        << logged();
    EXPECT_EQ(outbox_.counters().foreign_response_urls, 1);
}

TEST_F(CommandServerTest, ACommandDeliveredTwiceIsCarriedOutOnce) {
    const std::string body = mattermost_.command_form(owner, channel, "add my-dedicated-db twice@example.com");
    const auto first = mattermost_.post_command(server_.public_url(), body);
    const auto again = mattermost_.post_command(server_.public_url(), body);
    ASSERT_EQ(first.status, 200u);
    ASSERT_EQ(again.status, 200u);
    EXPECT_EQ(first.answer->at("response_type"), "in_channel");
    EXPECT_EQ(*again.answer, json::object{}) << "a re-delivery is acknowledged with nothing to show";
    const auto emails = collaborators();
    EXPECT_EQ(std::count(emails.begin(), emails.end(), "twice@example.com"), 1);
    EXPECT_EQ(mattermost_.posts().size(), 1u);
}

TEST(MattermostRestClient, RateLimitsAreWaitedOutAndErrorsReadFromTheirBody) {
    MattermostEmulator mattermost{testing::EmulatorSettings{.emails = {{owner, "user1@example.com"}}}};
    mattermost.rate_limit_next(1);
    const auto started = std::chrono::steady_clock::now();
    auto results = collab::testing::run(
        [&]() -> asio::awaitable<
                  std::pair<RestResult<std::optional<std::string>>, RestResult<std::optional<std::string>>>> {
            // Named: g++ 12 destroys a temporary in a full expression with co_await twice.
            const auto executor = co_await asio::this_coro::executor;
            const net::HttpClientOptions options;
            net::HttpClient http(executor, options);
            const RestSettings right_token{mattermost.url(), "bot-token-7f3k"};
            const RestSettings wrong_token{mattermost.url(), "wrong-token"};
            RestClient rest(http, right_token);
            RestClient wrong(http, wrong_token);
            auto found = co_await rest.user_email(owner);
            auto refused = co_await wrong.user_email(owner);
            co_return std::pair{std::move(found), std::move(refused)};
        }());
    ASSERT_TRUE(results.first) << results.first.error().message;
    EXPECT_EQ(results.first->value_or(""), "user1@example.com");
    EXPECT_GE(std::chrono::steady_clock::now() - started, 1s) << "the Retry-After was honoured";
    ASSERT_FALSE(results.second);
    EXPECT_EQ(results.second.error().status, 401u);
    EXPECT_EQ(results.second.error().id, "api.context.session_expired.app_error");
    EXPECT_NE(results.second.error().message.find("MATTERMOST_BOT_TOKEN"), std::string::npos);
    EXPECT_EQ(results.second.error().message.find("wrong-token"), std::string::npos);
}

// /healthz tells of the server's API: a response_url that fails says nothing about it.
TEST(MattermostRestClient, OnlyTheServersApiSaysWhetherItIsReachable) {
    MattermostEmulator mattermost{testing::EmulatorSettings{.emails = {{owner, "user1@example.com"}}}};
    auto reachability = collab::testing::run([&]() -> asio::awaitable<std::vector<std::optional<std::string>>> {
        const auto executor = co_await asio::this_coro::executor;
        const net::HttpClientOptions options;
        net::HttpClient http(executor, options);
        const RestSettings settings{mattermost.url(), "bot-token-7f3k"};
        const RestSettings nowhere{"http://127.0.0.1:1", "bot-token-7f3k"};
        RestClient rest(http, settings);
        RestClient lost(http, nowhere);
        std::vector<std::optional<std::string>> seen;
        json::object body{{"text", "hello"}};
        auto responded = co_await rest.respond("http://127.0.0.1:1/hooks/commands/x", std::move(body));
        seen.push_back(responded ? std::optional<std::string>{"answered"} : rest.unreachable());
        auto email = co_await lost.user_email(owner);
        seen.push_back(email ? std::optional<std::string>{"answered"} : lost.unreachable());
        co_return seen;
    }());
    ASSERT_EQ(reachability.size(), 2u);
    EXPECT_EQ(reachability[0], std::nullopt) << "a failed response_url leaves the REST API's health alone";
    ASSERT_TRUE(reachability[1]);
    EXPECT_NE(reachability[1]->find("unreachable"), std::string::npos) << *reachability[1];
}

struct SignInRun {
    SignIn outcome;
    std::optional<BotUser> bot;
    std::string log;
};

// sign_in() against `server_url` with `bot_token`, waiting little between attempts.
SignInRun sign_in_at(const std::string& server_url, const std::string& bot_token) {
    auto log = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(50);
    auto logger = std::make_shared<spdlog::logger>("sign-in", log);
    const SignInResult result = collab::testing::run([&]() -> asio::awaitable<SignInResult> {
        const auto executor = co_await asio::this_coro::executor;
        const net::HttpClientOptions options;
        net::HttpClient http(executor, options);
        const RestSettings settings{server_url, bot_token, net::BackoffPolicy{10ms, 20ms, 1}};
        RestClient rest(http, settings);
        const SignInSettings quickly{net::BackoffPolicy{10ms, 50ms, 2}};
        co_return co_await sign_in(rest, quickly, logger);
    }());
    std::string text;
    for (const auto& line : log->last_formatted()) text += line;
    return SignInRun{result.outcome, result.bot, text};
}

TEST(MattermostSignIn, TheBotTokenIsProvedAtStart) {
    MattermostEmulator mattermost{testing::EmulatorSettings{}};
    const auto run = sign_in_at(mattermost.url(), "bot-token-7f3k");
    EXPECT_EQ(run.outcome, SignIn::signed_in);
    ASSERT_TRUE(run.bot);
    EXPECT_EQ(run.bot->username, "collab-bot") << "the name mentions must carry";
    EXPECT_EQ(mattermost.sign_ins(), 1);
    EXPECT_NE(run.log.find("signs in as @collab-bot"), std::string::npos) << run.log;
}

TEST(MattermostSignIn, ARefusedTokenStopsTheBotNamingIt) {
    MattermostEmulator mattermost{testing::EmulatorSettings{}};
    const auto run = sign_in_at(mattermost.url(), "wrong-token");
    EXPECT_EQ(run.outcome, SignIn::token_refused);
    EXPECT_NE(run.log.find("refused MATTERMOST_BOT_TOKEN"), std::string::npos) << run.log;
    EXPECT_EQ(run.log.find("wrong-token"), std::string::npos) << "no token in the log";
}

TEST(MattermostSignIn, AServerOutOfReachIsAskedAgainABoundedNumberOfTimes) {
    const auto run = sign_in_at("http://127.0.0.1:1", "bot-token-7f3k");
    EXPECT_EQ(run.outcome, SignIn::unchecked);
    std::size_t asked_again = 0;
    for (auto at = run.log.find("asking again"); at != std::string::npos; at = run.log.find("asking again", at + 1))
        ++asked_again;
    EXPECT_EQ(asked_again, 2u) << run.log;
    EXPECT_NE(run.log.find("serving anyway"), std::string::npos) << run.log;
}

// A click's user_id is only what its body says: what is not a Mattermost id never goes into a request
// made with the bot token (the emulator would answer one with a 404).
TEST(MattermostRestClient, WhatIsNotAUserIdIsNeverRequested) {
    MattermostEmulator mattermost{testing::EmulatorSettings{}};
    auto results = collab::testing::run([&]() -> asio::awaitable<std::vector<RestResult<std::optional<std::string>>>> {
        const auto executor = co_await asio::this_coro::executor;
        const net::HttpClientOptions options;
        net::HttpClient http(executor, options);
        const RestSettings settings{mattermost.url(), "bot-token-7f3k"};
        RestClient rest(http, settings);
        std::vector<RestResult<std::optional<std::string>>> answers;
        for (std::string forged : {"me", "../teams", "u1owner0000000000000000000?x=1", "U1OWNER0000000000000000000"})
            answers.push_back(co_await rest.user_email(forged));
        co_return answers;
    }());
    ASSERT_EQ(results.size(), 4u);
    for (const auto& result : results) {
        ASSERT_FALSE(result);
        EXPECT_EQ(result.error().status, 0u) << "no request went out";
        EXPECT_EQ(result.error().message, "not a Mattermost user id (26 lower-case letters and digits)");
    }
}

TEST_F(CommandServerTest, AnAccessRequestIsDecidedByAMemberNotByItsRequester) {
    const auto asked = command(stranger, "request my-dedicated-db");
    ASSERT_EQ(asked.status, 200u) << asked.body;
    EXPECT_EQ(asked.answer->at("response_type"), "in_channel");
    const auto posts = mattermost_.posts();
    ASSERT_EQ(posts.size(), 1u);
    const std::string post_id = posts[0].id;
    EXPECT_NE(posts[0].message.find("asks for access to my\\-dedicated\\-db"), std::string::npos) << posts[0].message;
    ASSERT_TRUE(posts[0].props.contains("attachments")) << "the card carries Approve and Deny";
    EXPECT_NE(json::serialize(posts[0].props).find("\"Deny\""), std::string::npos);

    // The requester's own click: refused for them alone, the card left as it is.
    ASSERT_EQ(mattermost_.click(stranger, post_id, "confirm").status, 200u);
    const auto refusals = mattermost_.ephemerals(stranger);
    ASSERT_EQ(refusals.size(), 1u);
    EXPECT_NE(refusals[0].message.find("Only the owner or an accepted collaborator"), std::string::npos)
        << refusals[0].message;
    EXPECT_TRUE(mattermost_.post(post_id)->props.contains("attachments"));
    EXPECT_FALSE(has_access("stranger@example.com"));

    // An accepted collaborator's click: the invitation goes, the card names who approved.
    ASSERT_EQ(mattermost_.click(member, post_id, "confirm").status, 200u);
    const auto updated = mattermost_.post(post_id);
    EXPECT_FALSE(updated->props.contains("attachments")) << "no button is left to click twice";
    EXPECT_NE(updated->message.find("Approved by "), std::string::npos) << updated->message;
    EXPECT_NE(updated->message.find("stranger@example.com has been invited"), std::string::npos) << updated->message;
    EXPECT_TRUE(has_access("stranger@example.com"));
    EXPECT_EQ(mattermost_.posts().size(), 1u) << "the card is the announcement";
    EXPECT_TRUE(mattermost_.violations().empty());
}

// The same bot with the websocket: mentions and direct messages answered like /collab.
class EventSocketTest : public CommandServerTest {
protected:
    EventSocketTest() { start(socket_); }
    ~EventSocketTest() override {
        for (auto* socket : {&socket_, &second_}) asio::post(io_, [socket] { socket->stop(); });
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (running_ > 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
        shut_down();
    }

    static EventSocketSettings settings(const std::string& url, const std::string& token) {
        EventSocketSettings settings;
        settings.server_url = url;
        settings.bot_token = token;
        settings.reconnect = net::BackoffPolicy{20ms, 200ms, 0};
        return settings;
    }

    void start(EventSocket& socket) {
        ++running_;
        auto run = [this, &socket]() -> asio::awaitable<void> {
            co_await socket.run(std::nullopt);
            --running_;
        };
        asio::co_spawn(io_, std::move(run), asio::detached);
    }

    std::string mention(const std::string& user, const testing::Where& where, const std::string& text) {
        return mattermost_.say(user, where, text);
    }

    EventSocket socket_{
        io_.get_executor(), rest_, desk_, shared_, settings(mattermost_.url(), "bot-token-7f3k"), logger_};
    EventSocket second_{
        io_.get_executor(), rest_, desk_, shared_, settings(mattermost_.url(), "bot-token-7f3k"), logger_};
    std::atomic<int> running_{0};
    const testing::Where in_channel{channel};
};

TEST_F(EventSocketTest, AMentionInAChannelOrAThreadIsAnsweredThere) {
    ASSERT_TRUE(mattermost_.wait_for_websockets(1, 5s)) << logged();
    mention(owner, in_channel, "@collab-bot list my-dedicated-db");
    auto answers = mattermost_.wait_for_ephemerals(owner, 1, 5s);
    ASSERT_EQ(answers.size(), 1u) << logged();
    EXPECT_EQ(answers[0].channel_id, channel);
    EXPECT_EQ(answers[0].root_id, "");
    EXPECT_NE(answers[0].message.find("user2@example.com"), std::string::npos) << answers[0].message;

    mention(owner, testing::Where{channel, "thread1"}, "@Collab-Bot: list my-dedicated-db");
    answers = mattermost_.wait_for_ephemerals(owner, 2, 5s);
    ASSERT_EQ(answers.size(), 2u) << logged();
    EXPECT_EQ(answers[1].root_id, "thread1") << "answered in the thread";
    EXPECT_TRUE(mattermost_.violations().empty());
}

TEST_F(EventSocketTest, ADirectMessageNeedsNoMentionAndIsAnsweredAsAPost) {
    ASSERT_TRUE(mattermost_.wait_for_websockets(1, 5s)) << logged();
    mention(owner, testing::Where{"dm1", "", "D"}, "list my-dedicated-db");
    const auto posts = mattermost_.wait_for_bot_posts(1, 5s);
    ASSERT_EQ(posts.size(), 1u) << logged();
    EXPECT_EQ(posts[0].channel_id, "dm1");
    EXPECT_NE(posts[0].message.find("user2@example.com"), std::string::npos) << posts[0].message;
    EXPECT_TRUE(mattermost_.ephemerals(owner).empty()) << "in a direct message an ephemeral answer would vanish";
}

TEST_F(EventSocketTest, ARemovalIsProposedByMentionAndCarriedOutByTheProposersClick) {
    ASSERT_TRUE(mattermost_.wait_for_websockets(1, 5s)) << logged();
    mention(owner, in_channel, "@collab-bot remove my-dedicated-db user2@example.com");
    const auto proposals = mattermost_.wait_for_bot_posts(1, 5s);
    ASSERT_EQ(proposals.size(), 1u) << logged();
    ASSERT_TRUE(proposals[0].props.contains("attachments")) << "the proposal carries its buttons";
    EXPECT_TRUE(has_access("user2@example.com"));
    const auto confirmed = mattermost_.click(owner, proposals[0].id, "confirm");
    ASSERT_EQ(confirmed.status, 200u) << confirmed.body;
    EXPECT_FALSE(has_access("user2@example.com"));
    EXPECT_FALSE(mattermost_.post(proposals[0].id)->props.contains("attachments"));
    EXPECT_TRUE(mattermost_.violations().empty());
}

TEST_F(EventSocketTest, SomeoneTheBotCannotIdentifyIsRefusedAndNothingChanges) {
    ASSERT_TRUE(mattermost_.wait_for_websockets(1, 5s)) << logged();
    const std::string unmapped = "u7unmapped0000000000000000";
    mention(unmapped, in_channel, "@collab-bot add my-dedicated-db new@example.com");
    const auto refusals = mattermost_.wait_for_ephemerals(unmapped, 1, 5s);
    ASSERT_EQ(refusals.size(), 1u) << logged();
    EXPECT_NE(refusals[0].message.find("who you are"), std::string::npos) << refusals[0].message;
    EXPECT_FALSE(has_access("new@example.com"));
}

TEST_F(EventSocketTest, TheBotsOwnPostsOtherPostsAndBrokenFramesAreLeftAlone) {
    ASSERT_TRUE(mattermost_.wait_for_websockets(1, 5s)) << logged();
    mattermost_.send_raw_frame("{not json");
    mattermost_.send_raw_frame(R"({"event":"posted","data":{"post":"not a post"}})");
    mention(testing::EmulatorSettings{}.bot_user_id, in_channel, "@collab-bot add my-dedicated-db bot@example.com");
    mention(owner, in_channel, "good morning, team");
    // The answer to a direct message is a post the bot sees come back: it must not answer it.
    mention(owner, testing::Where{"dm1", "", "D"}, "@collab-bot whoami");
    // The bot's own post (made above in its name) and one answer, to the direct message.
    ASSERT_EQ(mattermost_.wait_for_bot_posts(2, 5s).size(), 2u) << logged();
    std::this_thread::sleep_for(300ms);
    const auto posts = mattermost_.wait_for_bot_posts(3, 0ms);
    ASSERT_EQ(posts.size(), 2u) << logged();
    EXPECT_EQ(posts[1].channel_id, "dm1");
    EXPECT_TRUE(mattermost_.ephemerals(owner).empty());
    EXPECT_FALSE(has_access("bot@example.com"));
    EXPECT_EQ(mattermost_.websockets_opened(), 1) << "no broken frame cost the connection: " << logged();
    EXPECT_GE(socket_.counters().skipped_frames, 1);
}

// As on Slack, where the bot is told of every mention (app_mention): the whole post is read as the
// command, and what the bot did not understand is said to the person alone.
TEST_F(EventSocketTest, AMentionInTheMiddleOfAPostIsAnsweredToThePersonAlone) {
    ASSERT_TRUE(mattermost_.wait_for_websockets(1, 5s)) << logged();
    mention(owner, in_channel, "good morning @collab-bot list my-dedicated-db");
    const auto answers = mattermost_.wait_for_ephemerals(owner, 1, 5s);
    ASSERT_EQ(answers.size(), 1u) << logged();
    EXPECT_EQ(answers[0].channel_id, channel);
    EXPECT_NE(answers[0].message.find("Unknown command"), std::string::npos) << answers[0].message;
    EXPECT_NE(answers[0].message.find("good"), std::string::npos) << answers[0].message;
    EXPECT_TRUE(mattermost_.wait_for_bot_posts(1, 200ms).empty()) << "nothing in the channel for everyone";
    EXPECT_TRUE(mattermost_.violations().empty());
}

TEST_F(EventSocketTest, ADroppedConnectionIsResumedWithNoMentionLostOrAnsweredTwice) {
    ASSERT_TRUE(mattermost_.wait_for_websockets(1, 5s)) << logged();
    mention(owner, in_channel, "@collab-bot list my-dedicated-db");
    ASSERT_EQ(mattermost_.wait_for_ephemerals(owner, 1, 5s).size(), 1u) << logged();
    mattermost_.drop_websockets();
    // Posted while the bot is away: the server keeps it for the connection.
    mention(owner, in_channel, "@collab-bot dbs");
    ASSERT_TRUE(mattermost_.wait_for_websockets(1, 5s)) << logged();
    const auto answers = mattermost_.wait_for_ephemerals(owner, 2, 5s);
    ASSERT_EQ(answers.size(), 2u) << logged();
    EXPECT_NE(answers[1].message.find("my-dedicated-db"), std::string::npos) << answers[1].message;
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(mattermost_.ephemerals(owner).size(), 2u) << "no mention answered twice";
    EXPECT_EQ(mattermost_.websocket_resumes(), 1);
    EXPECT_EQ(mattermost_.websockets_opened(), 2);
    EXPECT_EQ(socket_.counters().missed_events, 0);
}

TEST_F(EventSocketTest, TwoInstancesAnswerAMentionOnce) {
    start(second_);
    ASSERT_TRUE(mattermost_.wait_for_websockets(2, 5s)) << logged();
    mention(owner, in_channel, "@collab-bot add my-dedicated-db twice@example.com");
    ASSERT_EQ(mattermost_.wait_for_bot_posts(1, 5s).size(), 1u) << logged();
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(mattermost_.wait_for_bot_posts(2, 0ms).size(), 1u) << "claimed by one instance";
    EXPECT_EQ(socket_.counters().mentions + second_.counters().mentions, 1);
}

TEST_F(EventSocketTest, ARefusedTokenStopsTheBotNamingIt) {
    RestClient refused_rest{http_, RestSettings{mattermost_.url(), "wrong-token", net::BackoffPolicy{10ms, 20ms, 1}}};
    EventSocket refused{
        io_.get_executor(), refused_rest, desk_, shared_, settings(mattermost_.url(), "wrong-token"), logger_};
    std::atomic<int> exit_code{-1};
    auto run = [&]() -> asio::awaitable<void> { exit_code = co_await refused.run(std::nullopt); };
    asio::co_spawn(io_, std::move(run), asio::detached);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (exit_code < 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
    EXPECT_EQ(exit_code, 1) << logged();
    EXPECT_NE(logged().find("refuses MATTERMOST_BOT_TOKEN"), std::string::npos) << logged();
    EXPECT_EQ(logged().find("wrong-token"), std::string::npos) << "no token in the log";
}

}  // namespace
}  // namespace collab::mattermost
