// The Slack adapter end to end over Socket Mode: the bot's real client, Web API and directory
// against the Slack emulator, on the in-process sandbox seeded like the shell default
// (my-dedicated-db: owner user1, accepted user2, pending user3).

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>
#include <thread>

#include "run_coroutine.hpp"
#include "slack_bot_harness.hpp"
#include "slack_emulator.hpp"

namespace collab::slack::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr auto slack_deadline = 3s;

EmulatorOptions workspace() {
    EmulatorOptions options;
    options.emails = {
        {"U111", "user1@example.com"}, {"U222", "user2@example.com"}, {"U333", "stranger@example.com"}, {"U444", ""}};
    return options;
}

std::string text_of(const json::object& message) {
    const auto* text = message.if_contains("text");
    return text && text->is_string() ? std::string(text->as_string()) : "";
}

std::string response_type_of(const json::object& message) {
    const auto* type = message.if_contains("response_type");
    return type && type->is_string() ? std::string(type->as_string()) : "";
}

bool has_collaborator(const std::vector<Collaborator>& collaborators, std::string_view email) {
    for (const auto& collaborator : collaborators)
        if (collaborator.email == email) return true;
    return false;
}

class SlackSocketModeTest : public ::testing::Test {
protected:
    void start(HarnessOptions options = {}, std::optional<int> sockets = std::nullopt) {
        bot_ = std::make_unique<SlackBotHarness>(slack_, options);
        bot_->start();
        ASSERT_TRUE(slack_.wait_for_open_sockets(sockets.value_or(options.connections))) << bot_->logs();
    }

    std::string next_id() { return "env-" + std::to_string(++envelopes_); }

    // Types a slash command as this user and returns the acknowledgement it got.
    Ack type(std::string text, std::string user = "U111", std::string id = {}) {
        if (id.empty()) id = next_id();
        SlashCommandFields fields;
        fields.envelope_id = id;
        fields.text = std::move(text);
        fields.user_id = std::move(user);
        fields.response_url = slack_.response_url(id);
        EXPECT_GE(slack_.deliver(slash_command_envelope(fields)), 0);
        auto ack = slack_.wait_for_ack(id);
        EXPECT_TRUE(ack.has_value()) << "no acknowledgement for " << id << "\n" << bot_->logs();
        if (!ack) return {};
        EXPECT_LT(ack->latency, slack_deadline);
        return *ack;
    }

    Ack click(std::string action_id, std::string token, std::string user = "U111") {
        const std::string id = next_id();
        ButtonClickFields fields;
        fields.envelope_id = id;
        fields.action_id = std::move(action_id);
        fields.value = std::move(token);
        fields.user_id = std::move(user);
        fields.response_url = slack_.response_url(id);
        EXPECT_GE(slack_.deliver(button_click_envelope(fields)), 0);
        auto ack = slack_.wait_for_ack(id);
        EXPECT_TRUE(ack.has_value()) << bot_->logs();
        return ack.value_or(Ack{});
    }

    // Writes a message that addresses the bot (a mention, or a direct message) and returns its bare
    // acknowledgement.
    Ack say(MessageEventFields fields) {
        if (fields.envelope_id.empty()) fields.envelope_id = next_id();
        if (fields.event_id.empty()) fields.event_id = "Ev" + fields.envelope_id;
        EXPECT_GE(slack_.deliver(message_event_envelope(fields)), 0);
        auto ack = slack_.wait_for_ack(fields.envelope_id);
        EXPECT_TRUE(ack.has_value()) << "no acknowledgement for " << fields.envelope_id << "\n" << bot_->logs();
        if (!ack) return {};
        EXPECT_LT(ack->latency, slack_deadline);
        EXPECT_FALSE(ack->carried_payload) << "events are acknowledged bare";
        return *ack;
    }
    static MessageEventFields mention(std::string text, std::string user = "U111") {
        MessageEventFields fields;
        fields.text = "<@UBOT111> " + std::move(text);
        fields.user_id = std::move(user);
        return fields;
    }
    static MessageEventFields direct_message(std::string text, std::string user = "U111") {
        MessageEventFields fields;
        fields.type = "message";
        fields.channel_type = "im";
        fields.channel_id = "D111";
        fields.text = std::move(text);
        fields.user_id = std::move(user);
        return fields;
    }
    // The Web API posts made so far, once `count` of them arrived.
    std::vector<Post> web_posts(std::size_t count) {
        EXPECT_TRUE(slack_.wait_for_posts("chat.", count)) << bot_->logs();
        return slack_.posts("chat.");
    }

    // The response_url posts made for this envelope, once `count` of them arrived.
    std::vector<Post> responses(const std::string& envelope_id, std::size_t count) {
        EXPECT_TRUE(slack_.wait_for_posts("respond/" + envelope_id, count)) << bot_->logs();
        return slack_.posts("respond/" + envelope_id);
    }

    // Socket 1 replaced socket 0: it said hello before socket 0 was closed.
    void expect_replaced_before_closed() {
        for (int i = 0; i < 300 && slack_.sockets_ever() < 2; ++i) std::this_thread::sleep_for(10ms);
        ASSERT_TRUE(slack_.wait_for_open_sockets(1)) << bot_->logs();
        EXPECT_EQ(slack_.open_sockets(), std::vector<int>{1});
        const auto old_socket = slack_.socket_life(0), replacement = slack_.socket_life(1);
        ASSERT_TRUE(old_socket && replacement);
        EXPECT_LT(replacement->hello, old_socket->closed) << "the old socket closed before its replacement was up";
    }

    SlackEmulator slack_{workspace()};
    std::unique_ptr<SlackBotHarness> bot_;
    int envelopes_ = 0;
};

TEST_F(SlackSocketModeTest, ListIsAnsweredInTheAcknowledgementForTheAskerOnly) {
    start();
    const Ack ack = type("list my-dedicated-db");
    EXPECT_EQ(response_type_of(ack.payload), "ephemeral");
    EXPECT_NE(text_of(ack.payload).find("user2@example.com"), std::string::npos);
    EXPECT_NE(json::serialize(ack.payload).find("```"), std::string::npos) << "the table is a code block";
    EXPECT_EQ(slack_.users_info_calls(), 1);
    type("list my-dedicated-db");
    EXPECT_EQ(slack_.users_info_calls(), 1) << "the profile e-mail is cached";
    EXPECT_TRUE(slack_.unexpected_frames().empty());
}

TEST_F(SlackSocketModeTest, AddIsPostedInTheChannelAndInvitesOnce) {
    start();
    const Ack ack = type("add my-dedicated-db <mailto:new@example.com|new@example.com>");
    EXPECT_EQ(response_type_of(ack.payload), "in_channel");
    EXPECT_NE(text_of(ack.payload).find("new@example.com has been invited"), std::string::npos) << text_of(ack.payload);
    EXPECT_TRUE(has_collaborator(bot_->collaborators("my-dedicated-db"), "new@example.com"));
}

TEST_F(SlackSocketModeTest, ARedeliveredEnvelopeIsAcknowledgedButNotRunTwice) {
    start({.connections = 2});
    bot_->upstream().set_delay(400ms);
    SlashCommandFields fields;
    fields.envelope_id = "env-same";
    fields.text = "add my-dedicated-db twice@example.com";
    fields.response_url = slack_.response_url("env-same");
    const auto invitations = bot_->invitations().size();
    slack_.deliver(slash_command_envelope(fields), 0);
    std::this_thread::sleep_for(100ms);
    // Slack gave up waiting and delivers it again, on the other socket, while the first still runs.
    fields.retry_attempt = 1;
    slack_.deliver(slash_command_envelope(fields), 1);
    for (int i = 0; i < 300 && slack_.acks_for("env-same") < 2; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(slack_.acks_for("env-same"), 2);
    EXPECT_EQ(bot_->invitations().size(), invitations + 1) << "invited once";
    EXPECT_EQ(bot_->counters().redeliveries, 1);
    // The person sees the outcome even though the acknowledgement that carried it came late.
    ASSERT_TRUE(slack_.wait_for_posts("respond/env-same", 1)) << bot_->logs();
    EXPECT_NE(text_of(slack_.posts("respond/env-same")[0].body).find("twice@example.com has been invited"),
              std::string::npos);
}

// Another instance took `envelope` in, acknowledged it or not, and died: its claim is left with a
// short lease nobody renews, and what it did upstream is done by the test.
void left_by_a_dead_instance(SlackBotHarness& bot, const std::string& id, const std::string& envelope) {
    std::string key = id;
    std::string owner = "dead-instance";
    std::string work = envelope;
    const auto claimed = testing::run(bot.shared().claim(std::move(key), std::move(owner), std::move(work), 300ms));
    ASSERT_TRUE(claimed.has_value());
    ASSERT_EQ(*claimed, store::ClaimState::won);
}

std::size_t invitations_of(SlackBotHarness& bot, const std::string& email) {
    std::size_t count = 0;
    for (const auto& invitation : bot.invitations()) count += invitation.recipient == email ? 1 : 0;
    return count;
}

// The instance that took the add died after its invitation went out and before it answered; Slack's
// retry comes once its claim has lapsed: the retry's acknowledgement tells the truth, once.
TEST_F(SlackSocketModeTest, ARetryOfACommandWhoseInstanceDiedIsTakenOverAndToldAsDone) {
    start({.claim_lease = 600ms, .sweep_every = 10s});
    SlashCommandFields fields;
    fields.envelope_id = "env-died";
    fields.text = "add my-dedicated-db load-11@example.com";
    fields.response_url = slack_.response_url("env-died");
    ASSERT_NO_FATAL_FAILURE(left_by_a_dead_instance(*bot_, fields.envelope_id, slash_command_envelope(fields)));
    ASSERT_TRUE(bot_->on_bot(
        [this] { return bot_->sandbox().invite("my-dedicated-db", "load-11@example.com", false).has_value(); }));
    std::this_thread::sleep_for(400ms);
    fields.retry_attempt = 1;
    slack_.deliver(slash_command_envelope(fields));
    const auto ack = slack_.wait_for_ack("env-died");
    ASSERT_TRUE(ack.has_value()) << bot_->logs();
    EXPECT_NE(text_of(ack->payload).find("load-11@example.com has been invited"), std::string::npos)
        << text_of(ack->payload) << "\n"
        << bot_->logs();
    EXPECT_EQ(invitations_of(*bot_, "load-11@example.com"), 1u) << "invited twice";
    EXPECT_EQ(bot_->counters().takeovers, 1);
    std::this_thread::sleep_for(300ms);
    EXPECT_TRUE(slack_.posts().empty()) << "answered twice";
}

// A retry that finds the claim's owner alive is acknowledged and left to it: answered once, by it.
TEST_F(SlackSocketModeTest, ARetryWhileAnotherInstanceStillWorksIsLeftToIt) {
    start({.claim_lease = 600ms, .sweep_every = 100ms});
    SlashCommandFields fields;
    fields.envelope_id = "env-alive";
    fields.text = "add my-dedicated-db alive@example.com";
    fields.response_url = slack_.response_url("env-alive");
    ASSERT_NO_FATAL_FAILURE(left_by_a_dead_instance(*bot_, fields.envelope_id, slash_command_envelope(fields)));
    // The other instance is alive: it keeps renewing, then answers and completes.
    fields.retry_attempt = 1;
    slack_.deliver(slash_command_envelope(fields));
    const auto ack = slack_.wait_for_ack("env-alive");
    ASSERT_TRUE(ack.has_value()) << bot_->logs();
    EXPECT_TRUE(ack->payload.empty()) << text_of(ack->payload);
    for (int i = 0; i < 5; ++i) {
        std::this_thread::sleep_for(200ms);
        std::string key = "env-alive", owner = "dead-instance";
        ASSERT_TRUE(testing::run(bot_->shared().renew(std::move(key), std::move(owner), 600ms)).value_or(false))
            << "the claim was taken over from a live instance";
    }
    std::string key = "env-alive";
    ASSERT_TRUE(testing::run(bot_->shared().complete(std::move(key))).has_value());
    std::this_thread::sleep_for(800ms);
    EXPECT_TRUE(slack_.posts().empty()) << "answered although another instance did";
    EXPECT_EQ(invitations_of(*bot_, "alive@example.com"), 0u) << "run twice";
    EXPECT_EQ(bot_->counters().takeovers, 0);
}

// The instance acknowledged the command with its placeholder, then died before the answer: no retry
// will ever come, so the sweep finds the lapsed claim and answers through the response_url.
TEST_F(SlackSocketModeTest, AnAcknowledgedCommandWhoseInstanceDiedIsAnsweredThroughItsResponseUrl) {
    start({.claim_lease = 600ms, .sweep_every = 100ms});
    SlashCommandFields fields;
    fields.envelope_id = "env-acked";
    fields.text = "add my-dedicated-db load-12@example.com";
    fields.response_url = slack_.response_url("env-acked");
    ASSERT_NO_FATAL_FAILURE(left_by_a_dead_instance(*bot_, fields.envelope_id, slash_command_envelope(fields)));
    ASSERT_TRUE(bot_->on_bot(
        [this] { return bot_->sandbox().invite("my-dedicated-db", "load-12@example.com", false).has_value(); }));
    ASSERT_TRUE(slack_.wait_for_posts("respond/env-acked", 1, 5s)) << bot_->logs();
    std::this_thread::sleep_for(500ms);
    const auto posts = slack_.posts("respond/");
    ASSERT_GE(posts.size(), 1u);
    EXPECT_EQ(response_type_of(posts[0].body), "in_channel");
    EXPECT_NE(text_of(posts[0].body).find("load-12@example.com has been invited"), std::string::npos)
        << text_of(posts[0].body);
    for (const auto& post : posts)
        EXPECT_EQ(text_of(post.body).find("already"), std::string::npos) << text_of(post.body);
    EXPECT_EQ(invitations_of(*bot_, "load-12@example.com"), 1u) << "invited twice";
    EXPECT_EQ(bot_->counters().takeovers, 1);
    EXPECT_EQ(slack_.posts("respond/env-acked").size(), posts.size()) << "taken over more than once";
}

TEST_F(SlackSocketModeTest, SomeoneWithoutAnEmailOnTheirProfileIsRefusedWithTheReason) {
    start();
    const Ack ack = type("list my-dedicated-db", "U444");
    EXPECT_EQ(response_type_of(ack.payload), "ephemeral");
    EXPECT_NE(text_of(ack.payload).find("Scalingo account"), std::string::npos) << text_of(ack.payload);
    EXPECT_EQ(text_of(ack.payload).find("user2@example.com"), std::string::npos);
}

TEST_F(SlackSocketModeTest, AnAppWithoutTheEmailScopeSaysSoInsteadOfBlamingThePerson) {
    start();
    slack_.refuse_users_info("missing_scope");
    const Ack ack = type("list my-dedicated-db");
    EXPECT_EQ(response_type_of(ack.payload), "ephemeral");
    EXPECT_NE(text_of(ack.payload).find("users:read.email"), std::string::npos) << text_of(ack.payload);
    EXPECT_EQ(text_of(ack.payload).find("user2@example.com"), std::string::npos);
    slack_.refuse_users_info("");
    EXPECT_NE(text_of(type("list my-dedicated-db").payload).find("user2@example.com"), std::string::npos)
        << "a failed lookup is not remembered as 'no e-mail'";
}

TEST_F(SlackSocketModeTest, UserTextCannotNotifyTheChannel) {
    start();
    // What Slack sends when someone types a literal <!channel>: the reply quotes it back, escaped.
    const Ack ack = type("list &lt;!channel&gt;");
    const std::string message = json::serialize(ack.payload.at("blocks"));
    EXPECT_EQ(message.find("<!channel>"), std::string::npos) << message;
    EXPECT_NE(message.find("&lt;!channel&gt;"), std::string::npos) << message;
    EXPECT_EQ(response_type_of(ack.payload), "ephemeral");
}

TEST_F(SlackSocketModeTest, RemovalIsConfirmedWithTheButtonAndTheProposalReplaced) {
    start();
    const Ack proposal = type("remove my-dedicated-db user2@example.com");
    EXPECT_EQ(response_type_of(proposal.payload), "ephemeral");
    const std::string token = button_value(proposal.payload, "collab_confirm");
    ASSERT_FALSE(token.empty()) << json::serialize(proposal.payload);
    EXPECT_TRUE(has_collaborator(bot_->collaborators("my-dedicated-db"), "user2@example.com"));

    const Ack ack = click("collab_confirm", token);
    EXPECT_TRUE(ack.payload.empty());
    const auto posts = responses(ack.envelope_id, 2);
    ASSERT_EQ(posts.size(), 2u);
    EXPECT_EQ(posts[0].body.at("replace_original"), true);
    EXPECT_NE(text_of(posts[0].body).find("user2@example.com"), std::string::npos);
    EXPECT_EQ(response_type_of(posts[1].body), "in_channel") << "the team sees the change";
    EXPECT_FALSE(has_collaborator(bot_->collaborators("my-dedicated-db"), "user2@example.com"));
}

TEST_F(SlackSocketModeTest, AnOffboardingIsConfirmedWithOneClickAndTheChannelSeesWhoDidIt) {
    start();
    const Ack proposal = type("offboard user2@example.com");
    EXPECT_EQ(response_type_of(proposal.payload), "ephemeral");
    const std::string shown = json::serialize(proposal.payload);
    EXPECT_NE(shown.find("Offboard user2@example.com: remove them from my-dedicated-db (1 database)?"),
              std::string::npos)
        << shown;
    const std::string token = button_value(proposal.payload, "collab_confirm");
    ASSERT_FALSE(token.empty()) << shown;
    EXPECT_LE(token.size(), 2000u) << "a button's value holds 2000 characters";

    const Ack ack = click("collab_confirm", token);
    const auto posts = responses(ack.envelope_id, 2);
    ASSERT_EQ(posts.size(), 2u);
    EXPECT_EQ(response_type_of(posts[1].body), "in_channel") << "the team sees the change";
    const std::string announced = json::serialize(posts[1].body.at("blocks"));
    EXPECT_NE(
        announced.find("user2@example.com has been removed from the collaborators of my-dedicated-db (by <@U111>)"),
        std::string::npos)
        << announced;
    EXPECT_FALSE(has_collaborator(bot_->collaborators("my-dedicated-db"), "user2@example.com"));
}

// The instance acknowledged the Confirm click, removed user2, and died before it said so: another
// instance finishes the click and reports the removal as done.
TEST_F(SlackSocketModeTest, AClickWhoseInstanceDiedAfterAcknowledgingItIsCompleted) {
    start({.claim_lease = 600ms, .sweep_every = 100ms});
    const std::string token = button_value(type("remove my-dedicated-db user2@example.com").payload, "collab_confirm");
    ASSERT_FALSE(token.empty());
    ButtonClickFields fields;
    fields.envelope_id = "env-click-died";
    fields.action_id = "collab_confirm";
    fields.value = token;
    fields.response_url = slack_.response_url("env-click-died");
    ASSERT_NO_FATAL_FAILURE(left_by_a_dead_instance(*bot_, fields.envelope_id, button_click_envelope(fields)));
    ASSERT_TRUE(bot_->on_bot([this] {
        for (const auto& collaborator : bot_->sandbox().collaborators("my-dedicated-db"))
            if (collaborator.email == "user2@example.com")
                return bot_->sandbox().remove("my-dedicated-db", collaborator.id).has_value();
        return false;
    }));
    const auto posts = responses("env-click-died", 2);
    ASSERT_EQ(posts.size(), 2u);
    EXPECT_EQ(posts[0].body.at("replace_original"), true);
    EXPECT_NE(text_of(posts[0].body).find("user2@example.com has been removed"), std::string::npos)
        << text_of(posts[0].body) << "\n"
        << bot_->logs();
    EXPECT_EQ(response_type_of(posts[1].body), "in_channel") << "the team sees the change";
    EXPECT_FALSE(has_collaborator(bot_->collaborators("my-dedicated-db"), "user2@example.com"));
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(slack_.posts("respond/env-click-died").size(), 2u) << "answered twice";
}

// The instance acknowledged the click and died before it did anything: the removal is done elsewhere.
TEST_F(SlackSocketModeTest, AClickWhoseInstanceDiedBeforeActingIsCarriedOutElsewhere) {
    start({.claim_lease = 600ms, .sweep_every = 100ms});
    const std::string token = button_value(type("remove my-dedicated-db user2@example.com").payload, "collab_confirm");
    ASSERT_FALSE(token.empty());
    ButtonClickFields fields;
    fields.envelope_id = "env-click-idle";
    fields.action_id = "collab_confirm";
    fields.value = token;
    fields.response_url = slack_.response_url("env-click-idle");
    ASSERT_NO_FATAL_FAILURE(left_by_a_dead_instance(*bot_, fields.envelope_id, button_click_envelope(fields)));
    const auto posts = responses("env-click-idle", 2);
    ASSERT_EQ(posts.size(), 2u);
    EXPECT_NE(text_of(posts[0].body).find("user2@example.com has been removed"), std::string::npos)
        << text_of(posts[0].body);
    EXPECT_FALSE(has_collaborator(bot_->collaborators("my-dedicated-db"), "user2@example.com"));
}

TEST_F(SlackSocketModeTest, AClickBySomeoneElseIsRefusedAndLeavesTheProposal) {
    start();
    const std::string token = button_value(type("remove my-dedicated-db user2@example.com").payload, "collab_confirm");
    const Ack ack = click("collab_confirm", token, "U222");
    const auto posts = responses(ack.envelope_id, 1);
    ASSERT_EQ(posts.size(), 1u);
    EXPECT_EQ(posts[0].body.at("replace_original"), false);
    EXPECT_EQ(response_type_of(posts[0].body), "ephemeral");
    EXPECT_NE(text_of(posts[0].body).find("someone else"), std::string::npos) << text_of(posts[0].body);
    EXPECT_TRUE(has_collaborator(bot_->collaborators("my-dedicated-db"), "user2@example.com"));
}

TEST_F(SlackSocketModeTest, AClickAfterExpiryIsRefused) {
    start();
    const std::string token = button_value(type("remove my-dedicated-db user2@example.com").payload, "collab_confirm");
    bot_->clock().advance(301s);
    const Ack ack = click("collab_confirm", token);
    const auto posts = responses(ack.envelope_id, 1);
    ASSERT_GE(posts.size(), 1u);
    EXPECT_NE(text_of(posts[0].body).find("expired"), std::string::npos) << text_of(posts[0].body);
    EXPECT_TRUE(has_collaborator(bot_->collaborators("my-dedicated-db"), "user2@example.com"));
}

TEST_F(SlackSocketModeTest, CancelReplacesTheProposalAndChangesNothing) {
    start();
    const std::string token = button_value(type("remove my-dedicated-db user2@example.com").payload, "collab_cancel");
    ASSERT_FALSE(token.empty());
    const Ack ack = click("collab_cancel", token);
    const auto posts = responses(ack.envelope_id, 1);
    EXPECT_NE(text_of(posts[0].body).find("Cancelled"), std::string::npos);
    EXPECT_TRUE(has_collaborator(bot_->collaborators("my-dedicated-db"), "user2@example.com"));
}

TEST_F(SlackSocketModeTest, LeaveIsConfirmedByTheOneLeaving) {
    start();
    const std::string token = button_value(type("leave my-dedicated-db", "U222").payload, "collab_confirm");
    ASSERT_FALSE(token.empty());
    const Ack ack = click("collab_confirm", token, "U222");
    responses(ack.envelope_id, 2);
    EXPECT_FALSE(has_collaborator(bot_->collaborators("my-dedicated-db"), "user2@example.com"));
}

TEST_F(SlackSocketModeTest, EveryOtherCommandIsAnswered) {
    start();
    EXPECT_NE(text_of(type("whoami").payload).find("user1@example.com"), std::string::npos);
    EXPECT_NE(text_of(type("help").payload).find("/collab"), std::string::npos);
    EXPECT_NE(text_of(type("dbs").payload).find("my-dedicated-db"), std::string::npos);
    type("add my-dedicated-db audited@example.com");
    EXPECT_NE(text_of(type("audit my-dedicated-db").payload).find("audited@example.com"), std::string::npos);
    const Ack typo = type("lst my-dedicated-db");
    EXPECT_EQ(response_type_of(typo.payload), "ephemeral");
    EXPECT_NE(text_of(typo.payload).find("lst"), std::string::npos) << text_of(typo.payload);
}

TEST_F(SlackSocketModeTest, WhoamiShowsTheAskersMentionAndNameBeforeTheirIds) {
    start();
    const Ack ack = type("whoami");
    const std::string blocks = json::serialize(ack.payload.at("blocks"));
    // Slack shows <@U111> as the person's display name; the fixture's user_name is "seratch".
    EXPECT_NE(blocks.find("Chat identity: <@U111>, slack user seratch (U111) in T111, channel C111"),
              std::string::npos)
        << blocks;
}

TEST_F(SlackSocketModeTest, AMentionInAChannelIsAnsweredInItsThreadForTheAskerAlone) {
    start();
    say(mention("list my-dedicated-db"));
    const auto posts = web_posts(1);
    ASSERT_EQ(posts.size(), 1u);
    EXPECT_EQ(posts[0].target, "chat.postEphemeral") << "list is for the asker alone, as with the slash command";
    EXPECT_EQ(posts[0].body.at("channel"), "C111");
    EXPECT_EQ(posts[0].body.at("user"), "U111");
    EXPECT_EQ(posts[0].body.at("thread_ts"), "1700000001.000100") << "a thread of its own under the mention";
    EXPECT_NE(text_of(posts[0].body).find("user2@example.com"), std::string::npos) << text_of(posts[0].body);
    EXPECT_TRUE(slack_.posts("respond/").empty());
}

TEST_F(SlackSocketModeTest, AMentionInAThreadChangesLikeTheSlashCommandAndAnswersInThatThread) {
    start();
    MessageEventFields fields = mention("add my-dedicated-db new@example.com");
    fields.ts = "1700000009.000900";
    fields.thread_ts = "1700000005.000500";
    say(fields);
    const auto posts = web_posts(1);
    EXPECT_EQ(posts[0].target, "chat.postMessage") << "a change is announced to the channel";
    EXPECT_EQ(posts[0].body.at("thread_ts"), "1700000005.000500");
    EXPECT_NE(text_of(posts[0].body).find("new@example.com"), std::string::npos) << text_of(posts[0].body);
    EXPECT_TRUE(has_collaborator(bot_->collaborators("my-dedicated-db"), "new@example.com"));
}

TEST_F(SlackSocketModeTest, AMentionHasTheSlashCommandsPermissions) {
    start();
    say(mention("add my-dedicated-db new@example.com", "U333"));
    const auto posts = web_posts(1);
    EXPECT_EQ(posts[0].target, "chat.postEphemeral") << "a refusal is for the asker alone";
    EXPECT_EQ(posts[0].body.at("user"), "U333");
    EXPECT_FALSE(has_collaborator(bot_->collaborators("my-dedicated-db"), "new@example.com"));
}

TEST_F(SlackSocketModeTest, ADirectMessageNeedsNoPrefixAndIsAnsweredPlainly) {
    start();
    say(direct_message("whoami"));
    const auto posts = web_posts(1);
    EXPECT_EQ(posts[0].target, "chat.postMessage") << "nobody else reads a direct message";
    EXPECT_EQ(posts[0].body.at("channel"), "D111");
    EXPECT_FALSE(posts[0].body.contains("thread_ts")) << "the conversation goes on where it was";
    EXPECT_NE(text_of(posts[0].body).find("user1@example.com"), std::string::npos) << text_of(posts[0].body);
}

TEST_F(SlackSocketModeTest, ARemovalProposedInAThreadIsConfirmedWithItsButton) {
    start();
    MessageEventFields fields = mention("remove my-dedicated-db user2@example.com");
    say(fields);
    const auto posts = web_posts(1);
    EXPECT_EQ(posts[0].body.at("thread_ts"), json::value(fields.ts));
    const std::string token = button_value(posts[0].body, "collab_confirm");
    ASSERT_FALSE(token.empty()) << json::serialize(posts[0].body);
    const Ack ack = click("collab_confirm", token);
    responses(ack.envelope_id, 1);
    EXPECT_FALSE(has_collaborator(bot_->collaborators("my-dedicated-db"), "user2@example.com"));
}

TEST_F(SlackSocketModeTest, TheBotNeverAnswersItselfOtherBotsEditsOrChannelChatter) {
    start();
    MessageEventFields own = direct_message("user1@example.com has been invited", "UBOT111");
    MessageEventFields other_bot = direct_message("list my-dedicated-db", "U999");
    other_bot.bot_id = "B999";
    MessageEventFields edit = mention("list my-dedicated-db");
    edit.subtype = "message_changed";
    MessageEventFields chatter = direct_message("list my-dedicated-db");
    chatter.channel_type = "channel";
    chatter.channel_id = "C111";
    for (const auto& fields : {own, other_bot, edit, chatter}) say(fields);
    // Then one the bot answers: had any of the others been answered, its reply would be here first.
    say(direct_message("whoami"));
    const auto posts = web_posts(1);
    std::this_thread::sleep_for(100ms);
    ASSERT_EQ(slack_.posts("chat.").size(), 1u) << json::serialize(slack_.posts("chat.")[0].body);
    EXPECT_NE(text_of(posts[0].body).find("user1@example.com"), std::string::npos);
}

TEST_F(SlackSocketModeTest, AnEventDeliveredAgainIsAcknowledgedButCarriedOutOnce) {
    start();
    const auto invitations = bot_->invitations().size();
    MessageEventFields fields = mention("add my-dedicated-db new@example.com");
    fields.event_id = "Ev0ONCE";
    say(fields);
    web_posts(1);
    // Slack's retry comes in an envelope of its own, with the same event id.
    fields.envelope_id = next_id();
    fields.retry_attempt = 1;
    say(fields);
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(slack_.posts("chat.").size(), 1u);
    EXPECT_EQ(bot_->invitations().size(), invitations + 1) << "invited once";
}

TEST_F(SlackSocketModeTest, ASlowUpstreamGetsAPlaceholderThenTheAnswer) {
    start({.answer_budget = 300ms});
    bot_->upstream().set_delay(600ms);
    const Ack ack = type("list my-dedicated-db");
    EXPECT_LT(ack.latency, 1s);
    EXPECT_NE(text_of(ack.payload).find("Working on it"), std::string::npos) << text_of(ack.payload);
    const auto posts = responses(ack.envelope_id, 1);
    EXPECT_EQ(posts[0].body.at("replace_original"), true);
    EXPECT_NE(text_of(posts[0].body).find("user2@example.com"), std::string::npos);
}

TEST_F(SlackSocketModeTest, ASlowChangeIsPostedInTheChannelAndThePlaceholderRemoved) {
    start({.answer_budget = 200ms});
    bot_->upstream().set_delay(300ms);
    const Ack ack = type("add my-dedicated-db slow@example.com");
    EXPECT_NE(text_of(ack.payload).find("Working on it"), std::string::npos);
    const auto posts = responses(ack.envelope_id, 2);
    ASSERT_EQ(posts.size(), 2u);
    EXPECT_EQ(response_type_of(posts[0].body), "in_channel");
    EXPECT_NE(text_of(posts[0].body).find("slow@example.com has been invited"), std::string::npos);
    EXPECT_EQ(posts[1].body.at("delete_original"), true);
}

TEST_F(SlackSocketModeTest, AReplyTheResponseUrlRefusesIsPostedWithTheWebApi) {
    start({.answer_budget = 200ms});
    bot_->upstream().set_delay(400ms);
    slack_.refuse_response_urls("expired_url", 1);
    type("list my-dedicated-db");
    ASSERT_TRUE(slack_.wait_for_posts("chat.postEphemeral", 1)) << bot_->logs();
    const auto posted = slack_.posts("chat.postEphemeral");
    EXPECT_EQ(posted[0].body.at("user"), "U111");
    EXPECT_EQ(posted[0].body.at("channel"), "C111");
    EXPECT_NE(text_of(posted[0].body).find("user2@example.com"), std::string::npos);
}

TEST_F(SlackSocketModeTest, UsersInfoRateLimitIsWaitedOut) {
    slack_.rate_limit("users.info", 1, 1);
    start();
    const auto begin = std::chrono::steady_clock::now();
    const Ack ack = type("list my-dedicated-db");
    EXPECT_GE(std::chrono::steady_clock::now() - begin, 1s) << "Retry-After was honoured";
    EXPECT_EQ(slack_.users_info_calls(), 1) << "the 429 answer is not counted as a users.info answer";
    EXPECT_NE(text_of(ack.payload).find("user2@example.com"), std::string::npos);
}

TEST_F(SlackSocketModeTest, GarbageAndOversizeFramesAreSkippedWithoutLosingTheSocket) {
    start();
    slack_.deliver("this is not json");
    slack_.deliver(R"({"type":"mystery","envelope_id":"env-mystery","payload":{}})");
    slack_.deliver(R"({"envelope_id":"env-broken","type":"slash_commands","payload":"nope"})");
    slack_.deliver(R"({"envelope_id":"env-huge","type":"events_api","payload":{"pad":")" + std::string(1'500'000, 'x') +
                   "\"}}");
    slack_.deliver(fixture("slackdocs_socket_mode_hello_AS_PUBLISHED_invalid_json.txt"));
    EXPECT_TRUE(slack_.wait_for_ack("env-mystery"));
    EXPECT_TRUE(slack_.wait_for_ack("env-broken")) << "an envelope we cannot use is still acknowledged";
    type("list my-dedicated-db");
    EXPECT_EQ(slack_.sockets_ever(), 1) << bot_->logs();
    EXPECT_GE(bot_->counters().skipped_frames, 3);
}

TEST_F(SlackSocketModeTest, WarningOpensTheReplacementBeforeTheOldSocketCloses) {
    start();
    bot_->upstream().set_delay(300ms);
    // The replacement says hello late enough for the old socket to be certainly still open below.
    slack_.delay_hello(200ms);
    slack_.disconnect(0, "warning");
    // Slack may still use the old socket until the bot closes it: what it sends there is not lost.
    SlashCommandFields late;
    late.envelope_id = "env-late";
    late.text = "list my-dedicated-db";
    late.response_url = slack_.response_url("env-late");
    ASSERT_EQ(slack_.deliver(slash_command_envelope(late), 0), 0);
    const auto ack = slack_.wait_for_ack("env-late");
    ASSERT_TRUE(ack.has_value()) << bot_->logs();
    // The old socket waited for the answer before it closed: it travelled in the acknowledgement.
    EXPECT_EQ(ack->socket, 0);
    EXPECT_LT(ack->latency, slack_deadline);
    EXPECT_NE(text_of(ack->payload).find("user2@example.com"), std::string::npos) << bot_->logs();
    expect_replaced_before_closed();
    EXPECT_NE(bot_->logs().find("opening it before this one closes"), std::string::npos);
    type("list my-dedicated-db");
    EXPECT_EQ(slack_.urls_handed_out(), 2);
}

TEST_F(SlackSocketModeTest, RefreshRequestedIsHandledLikeAWarning) {
    start();
    slack_.disconnect(0, "refresh_requested");
    expect_replaced_before_closed();
    type("whoami");
}

TEST_F(SlackSocketModeTest, LinkDisabledStopsTheBotWithAClearReason) {
    start();
    slack_.disconnect(0, "link_disabled");
    EXPECT_EQ(bot_->wait_for_exit(5s), 1);
    EXPECT_NE(bot_->logs().find("link_disabled"), std::string::npos);
    EXPECT_EQ(slack_.urls_handed_out(), 1) << "no reconnection";
}

TEST_F(SlackSocketModeTest, TooManyWebsocketsEndsThatSocketWithoutALoop) {
    start({.connections = 2});
    slack_.disconnect(1, "too_many_websockets");
    ASSERT_TRUE(slack_.wait_for_open_sockets(1));
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(slack_.urls_handed_out(), 2);
    type("whoami");
}

TEST_F(SlackSocketModeTest, ALostConnectionIsReopened) {
    start();
    slack_.drop(0);
    EXPECT_TRUE(slack_.wait_for_open_sockets(1));
    for (int i = 0; i < 200 && slack_.sockets_ever() < 2; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(slack_.open_sockets(), std::vector<int>{1});
    type("whoami");
}

TEST_F(SlackSocketModeTest, ASilentSocketIsReplacedByTheWatchdog) {
    start({.idle_timeout = 600ms});
    slack_.go_silent(0);
    for (int i = 0; i < 300 && slack_.sockets_ever() < 2; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(slack_.wait_for_open_sockets(1));
    for (int i = 0; i < 300 && slack_.open_sockets() != std::vector<int>{1}; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(slack_.open_sockets(), std::vector<int>{1}) << bot_->logs();
    type("whoami");
}

TEST_F(SlackSocketModeTest, SlacksPingsAreAnswered) {
    start();
    slack_.ping(0, "ping-1");
    std::vector<std::string> pongs;
    for (int i = 0; i < 200 && pongs.empty(); ++i) {
        std::this_thread::sleep_for(10ms);
        pongs = slack_.pongs(0);
    }
    EXPECT_EQ(pongs, std::vector<std::string>{"ping-1"});
    type("whoami");
}

TEST_F(SlackSocketModeTest, EnvelopesAreSpreadOverSeveralSockets) {
    start({.connections = 3});
    for (int i = 0; i < 9; ++i) type("whoami");
    std::set<int> used;
    for (const auto& ack : slack_.acks()) used.insert(ack.socket);
    EXPECT_EQ(used.size(), 3u);
}

TEST(SlackSocketModeStart, ARefusedAppTokenStopsTheBotNamingTheToken) {
    SlackEmulator slack{workspace()};
    slack.fail_connections_open("invalid_auth");
    SlackBotHarness bot(slack);
    bot.start();
    EXPECT_EQ(bot.wait_for_exit(5s), 1);
    const std::string logs = bot.logs();
    EXPECT_NE(logs.find("SLACK_APP_TOKEN"), std::string::npos) << logs;
    EXPECT_NE(logs.find("invalid_auth"), std::string::npos);
    EXPECT_EQ(logs.find(EmulatorOptions{}.app_token), std::string::npos) << "the token itself never appears";
}

TEST(SlackSocketModeStart, ASocketBeyondSlacksLimitIsRefusedOnceNotInALoop) {
    EmulatorOptions options = workspace();
    options.max_sockets = 1;
    SlackEmulator slack{options};
    SlackBotHarness bot(slack, {.connections = 2});
    bot.start();
    ASSERT_TRUE(slack.wait_for_open_sockets(1));
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(slack.urls_handed_out(), 2) << bot.logs();
    EXPECT_EQ(slack.sockets_open(), 1);
    EXPECT_NE(bot.logs().find("too_many_websockets"), std::string::npos);
}

TEST(SlackSocketModeStart, LinkDisabledInPlaceOfHelloStopsTheBot) {
    SlackEmulator slack{workspace()};
    slack.refuse_new_sockets("link_disabled");
    SlackBotHarness bot(slack);
    bot.start();
    EXPECT_EQ(bot.wait_for_exit(5s), 1);
    EXPECT_EQ(slack.urls_handed_out(), 1);
    EXPECT_NE(bot.logs().find("link_disabled"), std::string::npos);
}

TEST(SlackSocketModeStart, AtSlacksLimitARefreshClosesTheOldSocketFirst) {
    EmulatorOptions options = workspace();
    options.max_sockets = 2;
    SlackEmulator slack{options};
    SlackBotHarness bot(slack, {.connections = 2});
    bot.start();
    ASSERT_TRUE(slack.wait_for_open_sockets(2));
    slack.disconnect(0, "refresh_requested");
    // The replacement is refused while the old socket is open; the old one goes, the new one comes.
    for (int i = 0; i < 300 && slack.sockets_ever() < 3; ++i) std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(slack.wait_for_open_sockets(2)) << bot.logs();
    EXPECT_EQ(slack.open_sockets(), (std::vector<int>{1, 2}));
}

TEST(SlackSocketModeStart, StoppingAnswersTheCommandsInProgressInTheirAcknowledgements) {
    SlackEmulator slack{workspace()};
    SlackBotHarness bot(slack);
    bot.start();
    ASSERT_TRUE(slack.wait_for_open_sockets(1));
    bot.upstream().set_delay(400ms);
    SlashCommandFields fields;
    fields.envelope_id = "env-running";
    fields.text = "list my-dedicated-db";
    fields.response_url = slack.response_url("env-running");
    slack.deliver(slash_command_envelope(fields));
    std::this_thread::sleep_for(100ms);
    bot.stop();
    const auto ack = slack.wait_for_ack("env-running");
    ASSERT_TRUE(ack.has_value()) << bot.logs();
    EXPECT_NE(text_of(ack->payload).find("user2@example.com"), std::string::npos);
    EXPECT_EQ(bot.wait_for_exit(5s), 0);
    EXPECT_TRUE(slack.wait_for_open_sockets(0)) << "the socket was closed";
}

TEST(SlackSocketModeStart, ATransientRefusalIsRetried) {
    SlackEmulator slack{workspace()};
    slack.fail_connections_open("internal_error", 2);
    SlackBotHarness bot(slack);
    bot.start();
    EXPECT_TRUE(slack.wait_for_open_sockets(1));
    EXPECT_EQ(slack.urls_handed_out(), 1);
}

TEST_F(SlackSocketModeTest, AnAccessRequestIsApprovedWithTheCardsButton) {
    start();
    const Ack card = type("request my-dedicated-db", "U333");
    EXPECT_EQ(response_type_of(card.payload), "in_channel") << "those who may decide see the card";
    EXPECT_NE(json::serialize(card.payload).find("<@U333> asks for access to my-dedicated-db"), std::string::npos)
        << json::serialize(card.payload);
    EXPECT_NE(json::serialize(card.payload).find("\"Deny\""), std::string::npos);
    const std::string token = button_value(card.payload, "collab_confirm");
    ASSERT_FALSE(token.empty()) << json::serialize(card.payload);
    EXPECT_EQ(button_value(card.payload, "collab_cancel"), token);

    // The requester cannot approve their own request: refused for them alone, the card stays.
    const Ack own = click("collab_confirm", token, "U333");
    const auto refusal = responses(own.envelope_id, 1);
    EXPECT_EQ(refusal.at(0).body.at("replace_original"), false);
    EXPECT_EQ(response_type_of(refusal.at(0).body), "ephemeral");
    EXPECT_NE(text_of(refusal.at(0).body).find("Only the owner or an accepted collaborator"), std::string::npos)
        << text_of(refusal.at(0).body);
    EXPECT_FALSE(has_collaborator(bot_->collaborators("my-dedicated-db"), "stranger@example.com"));

    const Ack approved = click("collab_confirm", token, "U222");
    const auto outcome = responses(approved.envelope_id, 1);
    EXPECT_EQ(outcome.at(0).body.at("replace_original"), true);
    EXPECT_NE(json::serialize(outcome.at(0).body)
                  .find("Approved by <@U222>: stranger@example.com has been invited to my-dedicated-db"),
              std::string::npos)
        << json::serialize(outcome.at(0).body);
    EXPECT_NE(json::serialize(outcome.at(0).body).find("<@U333>"), std::string::npos);
    EXPECT_TRUE(has_collaborator(bot_->collaborators("my-dedicated-db"), "stranger@example.com"));
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(slack_.posts("respond/" + approved.envelope_id).size(), 1u) << "the card is the announcement";
}

}  // namespace
}  // namespace collab::slack::test
