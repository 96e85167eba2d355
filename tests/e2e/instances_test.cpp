// Several instances for real: three collab-bot processes with the same configuration, the Slack
// emulator spreading envelopes over their sockets, the sandbox served over HTTP as Scalingo, and one
// PostgreSQL database for the audit trail, the envelope claims and the shared request allowance.
// One instance is killed with SIGKILL in the middle of a burst; others at the worst moments of one
// command and of one click. The emulator re-delivers as Slack does: soon after the 3 s deadline.

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include <array>
#include <atomic>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "adapters/sandbox/http_server.hpp"
#include "adapters/sandbox/seed.hpp"
#include "bot_process.hpp"
#include "loopback_server.hpp"
#include "postgres_test_server.hpp"
#include "slack_emulator.hpp"
#include "temp_dir.hpp"

namespace collab::e2e {
namespace {

namespace bp = boost::process;
namespace json = boost::json;
using namespace std::chrono_literals;
using slack::test::EmulatorOptions;
using slack::test::SlackEmulator;

constexpr const char* user1_token = "tk-us-sandbox-user1-0000000000000000000000000000";

// The sandbox as Scalingo's API, on a thread of its own in this process (so that the test can count
// what it received).
class ServedSandbox {
public:
    ServedSandbox()
        : store_(dir_ / "sandbox.sqlite",
                 sandbox::parse_seed(testing::read_file(testing::source_file("config/sandbox.toml")), "sandbox.toml")),
          server_(io_.get_executor(), store_, sandbox::ServeOptions{}) {
        server_.start();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~ServedSandbox() {
        server_.stop();
        work_.reset();
        io_.stop();
        thread_.join();
    }
    std::string url() const { return server_.public_url(); }
    unsigned short port() const { return static_cast<unsigned short>(std::stoi(url().substr(url().rfind(':') + 1))); }
    std::size_t requests() const { return server_.total_requests(); }
    // The collaborators of a database, as the sandbox has them now.
    std::vector<Collaborator> collaborators(const std::string& database) {
        return on_server_thread([this, database] { return store_.collaborators(database); });
    }
    // Sent invitations, by recipient.
    std::map<std::string, int> invitations() {
        return on_server_thread([this] {
            std::map<std::string, int> count;
            for (const auto& invitation : store_.invitations()) ++count[invitation.recipient];
            return count;
        });
    }

private:
    // Runs `read` on the server's thread (the SQLite connection is its), and fails the test rather than
    // hang if that thread does not get to it. The promise is shared: a late run must not outlive it.
    template <typename Read>
    auto on_server_thread(Read read) -> decltype(read()) {
        auto done = std::make_shared<std::promise<decltype(read())>>();
        auto answer = done->get_future();
        boost::asio::post(io_, [done, read] { done->set_value(read()); });
        if (answer.wait_for(std::chrono::seconds{30}) != std::future_status::ready)
            throw std::runtime_error("the sandbox's thread did not answer within 30 seconds");
        return answer.get();
    }

    testing::TempDir dir_;
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
    sandbox::SandboxStore store_;
    sandbox::SandboxServer server_;
    std::thread thread_;
};

// Between the instances and the sandbox: passes every byte through, except that once armed, the
// answer to the first request that starts with `request_start` and names `path_part` stays in the
// proxy until released. The request itself went through (the invitation is sent, the collaborator
// removed) and the instance that sent it is waiting for the answer: the moment to kill it.
class HoldingProxy {
public:
    explicit HoldingProxy(unsigned short upstream_port)
        : upstream_port_(upstream_port), server_([this](tcp::socket client) { return serve(std::move(client)); }) {}
    std::string url() const { return server_.url(""); }
    void hold(std::string request_start, std::string path_part) {
        std::lock_guard lock(mutex_);
        request_start_ = std::move(request_start);
        path_part_ = std::move(path_part);
        held_ = false;
        released_ = false;
    }
    bool held() const {
        std::lock_guard lock(mutex_);
        return held_;
    }
    void release() {
        std::lock_guard lock(mutex_);
        released_ = true;
    }

private:
    using tcp = boost::asio::ip::tcp;
    struct Link {
        explicit Link(tcp::socket accepted) : client(std::move(accepted)), upstream(client.get_executor()) {}
        tcp::socket client;
        tcp::socket upstream;
        std::atomic<bool> holding{false};
        void close() {
            boost::system::error_code ignored;
            client.close(ignored);
            upstream.close(ignored);
        }
    };

    boost::asio::awaitable<void> serve(tcp::socket client) {
        auto link = std::make_shared<Link>(std::move(client));
        const tcp::endpoint sandbox(boost::asio::ip::address_v4::loopback(), upstream_port_);
        auto [error] =
            co_await link->upstream.async_connect(sandbox, boost::asio::as_tuple(boost::asio::use_awaitable));
        if (error) co_return;
        auto down = [this, link]() -> boost::asio::awaitable<void> { co_await answers(link); };
        boost::asio::co_spawn(link->client.get_executor(), std::move(down), boost::asio::detached);
        co_await requests(link);
    }

    boost::asio::awaitable<void> requests(std::shared_ptr<Link> link) {
        std::array<char, 16384> buffer;
        for (;;) {
            auto [error, n] = co_await link->client.async_read_some(boost::asio::buffer(buffer),
                                                                    boost::asio::as_tuple(boost::asio::use_awaitable));
            if (error) break;
            const std::string_view chunk(buffer.data(), n);
            {
                std::lock_guard lock(mutex_);
                if (!request_start_.empty() && !held_ && chunk.starts_with(request_start_) &&
                    chunk.substr(0, chunk.find('\n')).find(path_part_) != std::string_view::npos) {
                    held_ = true;
                    link->holding = true;
                }
            }
            auto [written, m] = co_await boost::asio::async_write(link->upstream, boost::asio::buffer(buffer.data(), n),
                                                                  boost::asio::as_tuple(boost::asio::use_awaitable));
            if (written) break;
        }
        link->close();
    }

    boost::asio::awaitable<void> answers(std::shared_ptr<Link> link) {
        std::array<char, 16384> buffer;
        boost::asio::steady_timer pause(link->client.get_executor());
        for (;;) {
            auto [error, n] = co_await link->upstream.async_read_some(
                boost::asio::buffer(buffer), boost::asio::as_tuple(boost::asio::use_awaitable));
            if (error) break;
            while (link->holding) {
                {
                    std::lock_guard lock(mutex_);
                    if (released_) link->holding = false;
                }
                pause.expires_after(10ms);
                co_await pause.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
            }
            auto [written, m] = co_await boost::asio::async_write(link->client, boost::asio::buffer(buffer.data(), n),
                                                                  boost::asio::as_tuple(boost::asio::use_awaitable));
            if (written) break;
        }
        link->close();
    }

    unsigned short upstream_port_;
    mutable std::mutex mutex_;
    std::string request_start_;
    std::string path_part_;
    bool held_ = false;
    bool released_ = false;
    net::test::LoopbackServer server_;
};

class Instance {
public:
    // `confirmation_key`: another instance's key, so that either can complete the other's proposals.
    Instance(const SlackEmulator& slack, const ServedSandbox& sandbox, const std::string& store_url, int number,
             std::string scalingo_api_url = {}, const std::filesystem::path& confirmation_key = {})
        : log_(state_.path() / ("instance-" + std::to_string(number) + ".log")) {
        if (!confirmation_key.empty()) std::filesystem::copy_file(confirmation_key, key_file());
        bp::environment env = boost::this_process::environment();
        env["SLACK_APP_TOKEN"] = EmulatorOptions{}.app_token;
        env["SLACK_BOT_TOKEN"] = EmulatorOptions{}.bot_token;
        env["SLACK_API_URL"] = slack.api_url();
        env["SCALINGO_API_URL"] = scalingo_api_url.empty() ? sandbox.url() : scalingo_api_url;
        env["SCALINGO_AUTH_URL"] = sandbox.url();
        env["SCALINGO_API_TOKEN"] = user1_token;
        env["COLLAB_STORE_URL"] = store_url;
        child_ =
            bp::child(COLLAB_BOT_BINARY,
                      bp::args({"--adapter", "slack", "--provider", "scalingo", "--state-dir", state_.path().string()}),
                      bp::std_in<bp::null, bp::std_out> bp::null, bp::std_err > log_.string(), env);
    }
    ~Instance() {
        if (child_.running()) {
            ::kill(child_.id(), SIGTERM);
            if (!ended_within(child_, std::chrono::seconds{10})) child_.terminate();
        }
    }
    void kill() { child_.terminate(); }  // SIGKILL
    bool running() { return child_.running(); }
    std::filesystem::path key_file() const { return state_.path() / "confirmation.key"; }
    std::string log() const { return slurp(log_); }

private:
    StateDir state_;
    std::filesystem::path log_;
    bp::child child_;
};

std::string text_of(const json::object& message) {
    const auto* text = message.if_contains("text");
    return text && text->is_string() ? std::string(text->as_string()) : "";
}

TEST(SeveralInstances, ShareClaimsTheAuditTrailAndTheAllowanceAndSurviveAKill) {
    testing::TestDatabase database;
    ServedSandbox sandbox;
    EmulatorOptions options;
    options.emails = {{"U111", "user1@example.com"}};
    SlackEmulator slack{options};
    std::vector<std::unique_ptr<Instance>> instances;
    for (int i = 0; i < 3; ++i) instances.push_back(std::make_unique<Instance>(slack, sandbox, database.url(), i));
    ASSERT_TRUE(slack.wait_for_open_sockets(3, 20s)) << instances[0]->log();

    const auto seeded = sandbox.invitations();  // pending invitations of the seed, sent before the bot
    constexpr int commands = 300;
    std::vector<std::string> ids;
    for (int i = 0; i < commands; ++i) {
        slack::test::SlashCommandFields fields;
        fields.envelope_id = "mix-" + std::to_string(i);
        fields.text = i % 3 == 0   ? "add my-dedicated-db invitee" + std::to_string(i) + "@example.com"
                      : i % 3 == 1 ? "list my-dedicated-db"
                                   : "whoami";
        fields.response_url = slack.response_url(fields.envelope_id);
        ASSERT_GE(slack.deliver(slack::test::slash_command_envelope(fields)), 0);
        ids.push_back(fields.envelope_id);
        if (i == commands / 2) instances[1]->kill();
        std::this_thread::sleep_for(2ms);
    }

    // Every envelope delivered was acknowledged (by the instance that took it, or after re-delivery).
    std::set<std::string> missing(ids.begin(), ids.end());
    for (int wait = 0; wait < 300 && !missing.empty(); ++wait) {
        for (const auto& ack : slack.acks()) missing.erase(ack.envelope_id);
        if (!missing.empty()) std::this_thread::sleep_for(100ms);
    }
    EXPECT_TRUE(missing.empty()) << missing.size() << " envelopes never acknowledged, e.g. " << *missing.begin();
    // ... and answered: in its acknowledgement or through its response_url. An envelope the killed
    // instance acknowledged is answered through its response_url once the survivor has taken its
    // work over, after the acknowledgements: waited for, within the same bound.
    const auto unanswered_now = [&] {
        int unanswered = 0;
        for (const auto& id : ids) {
            bool answered = !slack.posts("respond/" + id).empty();
            for (const auto& ack : slack.acks())
                if (ack.envelope_id == id && !text_of(ack.payload).empty()) answered = true;
            unanswered += answered ? 0 : 1;
        }
        return unanswered;
    };
    int unanswered = unanswered_now();
    for (int wait = 0; wait < 300 && unanswered > 0; ++wait) {
        std::this_thread::sleep_for(100ms);
        unanswered = unanswered_now();
    }
    EXPECT_EQ(unanswered, 0);

    // No invitation went out twice, and the trail has each executed invitation exactly once.
    const auto invited = sandbox.invitations();
    for (const auto& [recipient, count] : invited) EXPECT_EQ(count, 1) << recipient << " invited twice";
    const auto executed = testing::query(database.url(),
                                         "SELECT target, count(*) FROM audit WHERE action = 'add' AND "
                                         "outcome = 'executed' GROUP BY target");
    for (const auto& row : executed) {
        EXPECT_EQ(row[1], "1") << row[0] << " recorded twice as executed";
        EXPECT_TRUE(invited.contains(row[0])) << row[0] << " recorded as executed but never invited";
    }
    // Every invitation was recorded before it was sent (a killed instance may not have recorded its
    // outcome, but never sent one unrecorded).
    const auto allowed = testing::query(
        database.url(), "SELECT DISTINCT target FROM audit WHERE action = 'add' AND outcome = 'allowed'");
    std::set<std::string> recorded;
    for (const auto& row : allowed) recorded.insert(row[0]);
    for (const auto& [recipient, count] : invited) {
        if (!seeded.contains(recipient)) {
            EXPECT_TRUE(recorded.contains(recipient)) << recipient;
        }
    }
    EXPECT_GT(invited.size(), seeded.size()) << "some invitations went through the bot";

    // The allowance is per account: the three instances together stayed within 60 requests a minute.
    EXPECT_LE(sandbox.requests(), 60u);
    EXPECT_GT(sandbox.requests(), 0u);
}

// What the person who sent envelope `id` was told: acknowledgement payloads that reached Slack in
// time (a later one is dropped by Slack), and messages posted for it through its response_url.
struct Told {
    std::vector<std::string> texts;
    std::vector<std::string> how;  // "ack of attempt N on socket S" or "response_url"
};

Told told(const SlackEmulator& slack, const std::string& id) {
    Told result;
    for (const auto& ack : slack.acks()) {
        if (ack.envelope_id != id || text_of(ack.payload).empty() || ack.latency > 3s) continue;
        result.texts.push_back(text_of(ack.payload));
        result.how.push_back("ack of attempt " + std::to_string(ack.retry_attempt) + " on socket " +
                             std::to_string(ack.socket));
    }
    for (const auto& post : slack.posts("respond/" + id)) {
        // A replacement of the proposal and the announcement of the same outcome count as one answer.
        const auto* replace = post.body.if_contains("replace_original");
        if (text_of(post.body).empty() || (replace && replace->is_bool() && !replace->as_bool())) continue;
        result.texts.push_back(text_of(post.body));
        result.how.push_back("response_url");
    }
    return result;
}

TEST(SeveralInstances, EveryAcknowledgedCommandAndClickIsAnsweredOnceWhicheverInstanceDies) {
    testing::TestDatabase database;
    ServedSandbox sandbox;
    HoldingProxy scalingo(sandbox.port());
    EmulatorOptions options;
    options.emails = {{"U111", "user1@example.com"}};
    SlackEmulator slack{options};
    // Started one after the other, so that socket i is instance i's.
    std::vector<std::unique_ptr<Instance>> instances;
    for (int i = 0; i < 3; ++i) {
        const std::filesystem::path key = i == 0 ? std::filesystem::path{} : instances[0]->key_file();
        instances.push_back(std::make_unique<Instance>(slack, sandbox, database.url(), i, scalingo.url(), key));
        ASSERT_TRUE(slack.wait_for_open_sockets(i + 1, 20s)) << instances[static_cast<std::size_t>(i)]->log();
    }
    const auto logs = [&instances] {
        std::string all;
        for (const auto& instance : instances) all += instance->log() + "\n----\n";
        return all;
    };

    // 1. Instance 0 is killed while its `add` is in flight upstream: the invitation went out, the
    // answer had not come back. Nothing acknowledged the envelope: Slack delivers it again.
    scalingo.hold("POST ", "/collaborators");
    slack::test::SlashCommandFields add;
    add.envelope_id = "env-add-load-11";
    add.text = "add my-dedicated-db load-11@example.com";
    add.response_url = slack.response_url(add.envelope_id);
    const auto delivered = std::chrono::steady_clock::now();
    ASSERT_EQ(slack.deliver(slack::test::slash_command_envelope(add), 0), 0);
    for (int i = 0; i < 500 && !scalingo.held(); ++i) std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(scalingo.held()) << logs();
    instances[0]->kill();
    const auto killed = std::chrono::steady_clock::now();
    scalingo.release();
    EXPECT_EQ(sandbox.invitations()["load-11@example.com"], 1) << "the invitation went out before the kill";
    for (int i = 0; i < 150 && told(slack, add.envelope_id).texts.empty(); ++i) std::this_thread::sleep_for(100ms);
    std::this_thread::sleep_for(3s);  // room for a second, wrong answer
    const Told add_told = told(slack, add.envelope_id);
    ASSERT_EQ(add_told.texts.size(), 1u) << "the person must be told once\n" << logs();
    EXPECT_NE(add_told.texts[0].find("load-11@example.com has been invited"), std::string::npos) << add_told.texts[0];
    EXPECT_EQ(sandbox.invitations()["load-11@example.com"], 1) << "invited twice";
    std::optional<slack::test::Ack> retry;
    for (const auto& ack : slack.acks())
        if (ack.envelope_id == add.envelope_id && ack.retry_attempt > 0 && !retry) retry = ack;
    ASSERT_TRUE(retry.has_value()) << "Slack delivered it again";
    const auto ms = [](auto duration) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();
    };
    std::cout << "[ figures  ] add: killed " << ms(killed - delivered) << " ms after delivery; retry "
              << retry->retry_attempt << " delivered " << ms(retry->sent - delivered)
              << " ms after the first on socket " << retry->socket << "; answered by " << add_told.how[0] << ": \""
              << add_told.texts[0] << "\"\n";

    // 2. Instance 1 acknowledges a Confirm click, removes user2 upstream and is killed before it says
    // so. The click was acknowledged: Slack never delivers it again; the last instance must finish it.
    slack::test::SlashCommandFields remove;
    remove.envelope_id = "env-remove-user2";
    remove.text = "remove my-dedicated-db user2@example.com";
    remove.response_url = slack.response_url(remove.envelope_id);
    ASSERT_EQ(slack.deliver(slack::test::slash_command_envelope(remove), 1), 1);
    const auto proposal = slack.wait_for_ack(remove.envelope_id, 10s);
    ASSERT_TRUE(proposal.has_value()) << logs();
    std::string token;
    for (const auto& block : proposal->payload.at("blocks").as_array())
        if (const auto* elements = block.as_object().if_contains("elements"))
            for (const auto& element : elements->as_array())
                if (element.as_object().at("action_id") == "collab_confirm")
                    token = std::string(element.as_object().at("value").as_string());
    ASSERT_FALSE(token.empty()) << json::serialize(proposal->payload);
    scalingo.hold("DELETE ", "/collaborators/");
    slack::test::ButtonClickFields click;
    click.envelope_id = "env-click-confirm";
    click.action_id = "collab_confirm";
    click.value = token;
    click.response_url = slack.response_url(click.envelope_id);
    const auto clicked = std::chrono::steady_clock::now();
    ASSERT_EQ(slack.deliver(slack::test::button_click_envelope(click), 1), 1);
    for (int i = 0; i < 500 && !scalingo.held(); ++i) std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(scalingo.held()) << logs();
    ASSERT_TRUE(slack.wait_for_ack(click.envelope_id, 1s).has_value()) << "the click was acknowledged first";
    instances[1]->kill();
    const auto click_killed = std::chrono::steady_clock::now();
    scalingo.release();
    for (int i = 0; i < 150 && told(slack, click.envelope_id).texts.empty(); ++i) std::this_thread::sleep_for(100ms);
    std::this_thread::sleep_for(3s);
    const Told click_told = told(slack, click.envelope_id);
    std::string posts;
    for (const auto& post : slack.posts()) posts += post.target + " " + json::serialize(post.body) + "\n";
    ASSERT_EQ(click_told.texts.size(), 1u) << "the person must be told once\n" << posts << logs();
    EXPECT_NE(click_told.texts[0].find("user2@example.com has been removed"), std::string::npos) << click_told.texts[0];
    for (const auto& collaborator : sandbox.collaborators("my-dedicated-db"))
        EXPECT_NE(collaborator.email, "user2@example.com");
    const auto posted = slack.posts("respond/" + click.envelope_id);
    std::cout << "[ figures  ] click: killed " << ms(click_killed - clicked) << " ms after delivery; answered by "
              << click_told.how[0] << " " << ms(posted.front().at - clicked) << " ms after delivery: \""
              << click_told.texts[0] << "\"\n";
    EXPECT_TRUE(instances[2]->running());
    EXPECT_NE(instances[2]->log().find("taking over"), std::string::npos) << instances[2]->log();
}

}  // namespace
}  // namespace collab::e2e
