// The contract every chat platform shares, with a recording Outbox in place of a platform: what the
// acknowledgement carries, who sees it, and where a click's outcome goes; and the Intake that claims a
// request before handing it to the Desk.

#include "adapters/chat/desk.hpp"
#include "adapters/chat/intake.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../temp_dir.hpp"
#include "adapters/directory/static_directory.hpp"
#include "adapters/sandbox/sandbox_api.hpp"
#include "adapters/sandbox/sandbox_store.hpp"
#include "adapters/sandbox/seed.hpp"
#include "adapters/security/hmac_signer.hpp"
#include "adapters/store/local_state.hpp"
#include "adapters/store/sqlite_audit_log.hpp"

namespace collab::chat {
namespace {

namespace asio = boost::asio;

// What the Desk sent, by route.
class RecordingOutbox : public Outbox {
public:
    asio::awaitable<void> complete(const Origin& origin, Answer answer) override {
        sent.push_back({"complete", origin.id, std::move(answer)});
        co_return;
    }
    asio::awaitable<void> deliver(const Origin& origin, Answer answer) override {
        sent.push_back({"deliver", origin.id, std::move(answer)});
        co_return;
    }
    asio::awaitable<void> replace_proposal(const Origin& origin, Reply reply) override {
        sent.push_back({"replace_proposal", origin.id, Answer{std::move(reply), Visibility::ephemeral}});
        co_return;
    }
    asio::awaitable<void> post_beside(const Origin& origin, Answer answer) override {
        sent.push_back({"post_beside", origin.id, std::move(answer)});
        co_return;
    }

    struct Sent {
        std::string route;
        std::string id;
        Answer answer;
    };
    std::vector<Sent> sent;
};

class SystemClock final : public WallClock {
public:
    TimePoint now() const override { return Clock::now(); }
};

class DeskTest : public ::testing::Test {
protected:
    Origin from(const std::string& user, const std::string& id) const {
        return Origin{id, Actor{"test", "T1", user, "C1", std::nullopt}, ""};
    }

    // Runs `task` on the Desk's own io_context until everything it started is done.
    template <typename T>
    T on_desk(asio::awaitable<T> task) {
        auto result = asio::co_spawn(io_, std::move(task), asio::use_future);
        io_.restart();
        io_.run();
        return result.get();
    }

    Answer command(const std::string& user, const std::string& text) {
        CommandRequest request{from(user, "cmd-" + std::to_string(++requests_)), text};
        std::shared_ptr<Answered> unwatched;
        return on_desk(desk_.command(std::move(request), false, unwatched));
    }

    void click(const std::string& user, const std::string& token, bool cancel = false) {
        ClickRequest request{from(user, "click-" + std::to_string(++requests_)), token, cancel};
        on_desk(desk_.click(std::move(request), false));
    }

    testing::TempDir dir_;
    sandbox::SandboxStore store_{
        dir_ / "sandbox.sqlite",
        sandbox::parse_seed(testing::read_file(testing::source_file("config/sandbox.toml")), "config/sandbox.toml")};
    sandbox::SandboxApi api_{store_};
    store::SqliteAuditLog audit_{dir_ / "state.sqlite"};
    security::HmacSigner signer_{std::string(32, 'k')};
    directory::StaticDirectory directory_{
        std::map<std::string, std::string>{{"U1", "user1@example.com"}, {"U2", "user2@example.com"}}};
    SystemClock clock_;
    store::LocalState shared_;
    CommandService service_{api_, directory_, audit_, clock_, signer_, shared_, ServiceSettings{}};
    RecordingOutbox outbox_;
    asio::io_context io_;
    DeskSettings settings_ = [] {
        DeskSettings settings;
        settings.visibility.by_command["list"] = Visibility::in_channel;
        return settings;
    }();
    Desk desk_{io_.get_executor(), service_, outbox_, settings_,
               std::make_shared<spdlog::logger>("desk-test", std::make_shared<spdlog::sinks::null_sink_mt>())};
    int requests_ = 0;
};

TEST_F(DeskTest, AQuickAnswerTravelsInTheAcknowledgementWithItsCommandsVisibility) {
    const Answer listed = command("U1", "list my-dedicated-db");
    EXPECT_EQ(listed.reply.kind, ReplyKind::result);
    EXPECT_EQ(listed.visibility, Visibility::in_channel) << "list is set to be seen by the channel";
    const Answer help = command("U1", "help");
    EXPECT_EQ(help.visibility, Visibility::ephemeral);
    EXPECT_TRUE(outbox_.sent.empty()) << "nothing travels later";
    EXPECT_EQ(desk_.counters().answered_in_ack, 2);
    EXPECT_EQ(desk_.in_flight(), 0u);
}

TEST_F(DeskTest, AClickIsAConfirmationWhoseOutcomeReplacesTheProposal) {
    const Answer proposed = command("U1", "remove my-dedicated-db user2@example.com");
    ASSERT_TRUE(proposed.reply.proposal.has_value()) << to_plain_text(proposed.reply);
    const std::string token = proposed.reply.proposal->token;

    click("U2", token);
    ASSERT_EQ(outbox_.sent.size(), 1u);
    EXPECT_EQ(outbox_.sent[0].route, "post_beside") << "someone else's click leaves the proposal alone";
    EXPECT_EQ(outbox_.sent[0].answer.visibility, Visibility::ephemeral);
    EXPECT_EQ(outbox_.sent[0].answer.reply.kind, ReplyKind::denied);

    click("U1", token);
    ASSERT_EQ(outbox_.sent.size(), 3u);
    EXPECT_EQ(outbox_.sent[1].route, "replace_proposal");
    EXPECT_EQ(to_plain_text(outbox_.sent[1].answer.reply),
              "-----> user2@example.com has been removed from the collaborators of my-dedicated-db\n");
    EXPECT_EQ(outbox_.sent[2].route, "post_beside") << "a change is announced to the channel";
    EXPECT_EQ(outbox_.sent[2].answer.visibility, Visibility::in_channel);
}

TEST_F(DeskTest, TheIntakeRunsARequestOnceAndSendsAnAnswerNotAcknowledgedThroughTheOutbox) {
    IntakeSettings settings{.claims = ClaimSettings{"this-instance"}, .transport = "test"};
    Intake::ReadWork unreadable = [](const store::Orphan&) { return std::optional<Request>(); };
    Intake intake(io_.get_executor(), desk_, shared_, settings, unreadable,
                  std::make_shared<spdlog::logger>("intake-test", std::make_shared<spdlog::sinks::null_sink_mt>()));
    auto take = [&](const char* key) -> asio::awaitable<std::optional<Taken>> {
        Arrival arrival{key, "the envelope"};
        CommandRequest request{from("U1", key), "list my-dedicated-db"};
        co_return co_await intake.command(std::move(arrival), std::move(request));
    };
    std::vector<Delivery> claimed;
    auto scenario = [&]() -> asio::awaitable<void> {
        std::optional<Taken> taken = co_await take("env-1");
        EXPECT_TRUE(taken.has_value());
        if (!taken) co_return;
        EXPECT_EQ(taken->answer.reply.kind, ReplyKind::result);
        EXPECT_FALSE(taken->late);
        EXPECT_FALSE((co_await take("env-1")).has_value()) << "a re-delivery while it runs is acknowledged bare";
        // Its connection closed before the acknowledgement left: the answer goes through the Outbox.
        co_await intake.finish(std::move(*taken), false);
        EXPECT_FALSE((co_await take("env-1")).has_value()) << "answered: a later re-delivery is not run again";

        for (int i = 0; i < 2; ++i) {
            Arrival arrival{"env-2", "the click"};
            std::function<void(Delivery)> acknowledge = [&](Delivery delivery) { claimed.push_back(delivery); };
            std::optional<ClickRequest> nothing_to_do;
            co_await intake.click(std::move(arrival), std::move(nothing_to_do), std::move(acknowledge));
        }
    };
    on_desk(scenario());
    ASSERT_EQ(outbox_.sent.size(), 1u);
    EXPECT_EQ(outbox_.sent[0].route, "deliver");
    EXPECT_EQ(outbox_.sent[0].id, "env-1");
    EXPECT_EQ(desk_.counters().commands, 1) << "run once";
    EXPECT_EQ(claimed, (std::vector<Delivery>{Delivery::first, Delivery::repeat}))
        << "every delivery is acknowledged once claimed, a repeat too";
}

}  // namespace
}  // namespace collab::chat
