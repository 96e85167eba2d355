// Several instances for real: three collab-bot processes with the same configuration, the Slack
// emulator spreading envelopes over their sockets, the sandbox served over HTTP as Scalingo, and one
// PostgreSQL database for the audit trail, the envelope claims and the shared request allowance.
// One instance is killed with SIGKILL in the middle of a burst.

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <map>
#include <set>
#include <thread>

#include "adapters/sandbox/http_server.hpp"
#include "adapters/sandbox/seed.hpp"
#include "bot_process.hpp"
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
    std::size_t requests() const { return server_.total_requests(); }
    // Sent invitations, by recipient (read on the server's thread: the SQLite connection is its).
    std::map<std::string, int> invitations() {
        std::promise<std::map<std::string, int>> done;
        boost::asio::post(io_, [&] {
            std::map<std::string, int> count;
            for (const auto& invitation : store_.invitations()) ++count[invitation.recipient];
            done.set_value(count);
        });
        return done.get_future().get();
    }

private:
    testing::TempDir dir_;
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
    sandbox::SandboxStore store_;
    sandbox::SandboxServer server_;
    std::thread thread_;
};

class Instance {
public:
    Instance(const SlackEmulator& slack, const ServedSandbox& sandbox, const std::string& store_url, int number)
        : log_(state_.path() / ("instance-" + std::to_string(number) + ".log")) {
        bp::environment env = boost::this_process::environment();
        env["SLACK_APP_TOKEN"] = EmulatorOptions{}.app_token;
        env["SLACK_BOT_TOKEN"] = EmulatorOptions{}.bot_token;
        env["SLACK_API_URL"] = slack.api_url();
        env["SCALINGO_API_URL"] = sandbox.url();
        env["SCALINGO_AUTH_URL"] = sandbox.url();
        env["SCALINGO_API_TOKEN"] = user1_token;
        env["COLLAB_STORE_URL"] = store_url;
        child_ = bp::child(COLLAB_BOT_BINARY,
                           bp::args({"--adapter", "slack", "--provider", "scalingo", "--state-dir",
                                     state_.path().string()}),
                           bp::std_in < bp::null, bp::std_out > bp::null, bp::std_err > log_.string(), env);
    }
    ~Instance() {
        if (child_.running()) {
            ::kill(child_.id(), SIGTERM);
            if (!child_.wait_for(std::chrono::seconds{10})) child_.terminate();
        }
    }
    void kill() { child_.terminate(); }  // SIGKILL
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
    // ... and answered: in its acknowledgement or through its response_url.
    int unanswered = 0;
    for (const auto& id : ids) {
        bool answered = !slack.posts("respond/" + id).empty();
        for (const auto& ack : slack.acks())
            if (ack.envelope_id == id && !text_of(ack.payload).empty()) answered = true;
        unanswered += answered ? 0 : 1;
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
    const auto allowed = testing::query(database.url(),
                                        "SELECT DISTINCT target FROM audit WHERE action = 'add' AND outcome = 'allowed'");
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

}  // namespace
}  // namespace collab::e2e
