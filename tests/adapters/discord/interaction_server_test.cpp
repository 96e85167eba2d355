// Discord's interactions endpoint (HTTP mode) over a real loopback socket: requests signed by the
// emulated Discord with an Ed25519 key pair made for the test, the callbacks in the responses held
// to Discord's rules, what follows a deferral through the emulated webhook. And the database
// option's autocompletion, over the endpoint and over the gateway.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "application_key.hpp"
#include "bot_replies.hpp"
#include "discord_bot_harness.hpp"

namespace collab::discord::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::string_view unmapped_id = "53908232506189999";

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The first reply that took `route`; an empty one when none did.
BotReply by_route(const std::vector<BotReply>& replies, std::string_view route) {
    for (const auto& reply : replies)
        if (reply.route == route) return reply;
    return BotReply{};
}

std::vector<std::string> choice_names(const json::object& callback) {
    std::vector<std::string> names;
    for (const auto& choice : callback.at("data").at("choices").as_array())
        names.emplace_back(choice.at("name").as_string());
    return names;
}

class DiscordInteractionServerTest : public ::testing::Test {
protected:
    void start(HarnessOptions options = {}) {
        options.http_mode = true;
        bot_ = std::make_unique<DiscordBotHarness>(discord_, options);
        bot_->start();
    }

    EndpointAnswer post(json::object interaction) {
        return discord_.post_interaction(bot_->endpoint_url(), std::move(interaction));
    }

    std::vector<BotReply> replies_to(const std::string& id, std::size_t count) {
        return test::replies_to(discord_, id, count);
    }

    void TearDown() override { EXPECT_EQ(discord_.violations(), std::vector<std::string>{}); }

    DiscordEmulator discord_;
    std::unique_ptr<DiscordBotHarness> bot_;
};

TEST_F(DiscordInteractionServerTest, DiscordsPingIsAnsweredWithAPong) {
    start();
    const json::object ping{
        {"type", 1}, {"id", "5000"}, {"token", "ping-token"}, {"application_id", EmulatorOptions{}.application_id}};
    const EndpointAnswer pong = post(ping);
    EXPECT_EQ(pong.status, 200u) << pong.body << bot_->logs();
    EXPECT_EQ(pong.callback, json::parse(R"({"type":1})").as_object());
}

TEST_F(DiscordInteractionServerTest, WhatDiscordDidNotSignIsRefusedAndChangesNothing) {
    start();
    const std::string url = bot_->endpoint_url();
    const std::string body = json::serialize(
        slash_command("5001", "add", {{"database", "my-dedicated-db"}, {"emails", "forged@example.com"}}));
    const Headers genuine = discord_.signature_headers(body, now_seconds());
    const auto without = [&](std::string_view name) {
        Headers headers;
        for (const auto& header : genuine)
            if (header.first != name) headers.push_back(header);
        return headers;
    };
    // Signed with another application's key.
    const ApplicationKey stranger;
    Headers other_key = without("X-Signature-Ed25519");
    other_key.emplace_back("X-Signature-Ed25519", stranger.sign(std::to_string(now_seconds()), body));
    std::string altered = body;
    altered.replace(altered.find("forged@"), 7, "forgex@");
    // Genuine once, ten minutes ago: a request captured and played again.
    const Headers stale = discord_.signature_headers(body, now_seconds() - 600);

    const std::vector<std::pair<std::string, EndpointAnswer>> attempts{
        {"no signature", discord_.post(url, body, without("X-Signature-Ed25519"))},
        {"no timestamp", discord_.post(url, body, without("X-Signature-Timestamp"))},
        {"another key", discord_.post(url, body, other_key)},
        {"an altered body", discord_.post(url, altered, genuine)},
        {"a stale timestamp", discord_.post(url, body, stale)},
    };
    for (const auto& [what, answer] : attempts) {
        EXPECT_EQ(answer.status, 401u) << what << ": " << answer.body;
        EXPECT_EQ(answer.body, "invalid request signature\n") << what;
    }
    EXPECT_FALSE(has_collaborator(bot_->collaborators("my-dedicated-db"), "forged@example.com"));
    EXPECT_FALSE(has_collaborator(bot_->collaborators("my-dedicated-db"), "forgex@example.com"));
    EXPECT_TRUE(discord_.replies().empty()) << "nothing reached Discord";
    EXPECT_NE(bot_->logs().find("a signature that does not match"), std::string::npos) << bot_->logs();

    // The same request, signed now: carried out.
    const EndpointAnswer signed_now = discord_.post(url, body, discord_.signature_headers(body, now_seconds()));
    EXPECT_EQ(signed_now.status, 200u) << signed_now.body;
    EXPECT_TRUE(has_collaborator(bot_->collaborators("my-dedicated-db"), "forged@example.com"));
}

TEST_F(DiscordInteractionServerTest, ACommandIsAnsweredInTheResponse) {
    start();
    const EndpointAnswer list = post(slash_command("5002", "list", {{"database", "my-dedicated-db"}}));
    ASSERT_EQ(list.status, 200u) << list.body << bot_->logs();
    ASSERT_TRUE(list.callback);
    EXPECT_EQ(list.callback->at("type"), 4);
    const json::object& message = list.callback->at("data").as_object();
    EXPECT_TRUE(ephemeral(message));
    EXPECT_NE(content_of(message).find("user2@example.com"), std::string::npos) << content_of(message);
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(replies_to("5002", 1).size(), 1u) << "the response only: no REST callback besides";
}

TEST_F(DiscordInteractionServerTest, ASlowCommandIsDeferredThenTheOriginalEdited) {
    start({.answer_budget = 200ms});
    bot_->upstream().set_delay(500ms);
    const EndpointAnswer deferred = post(slash_command("5003", "list", {{"database", "my-dedicated-db"}}));
    ASSERT_EQ(deferred.status, 200u) << deferred.body << bot_->logs();
    EXPECT_EQ(deferred.callback, json::parse(R"({"type":5,"data":{"flags":64}})").as_object());
    const BotReply edit = by_route(replies_to("5003", 2), "edit_original");
    EXPECT_NE(content_of(edit.body).find("user2@example.com"), std::string::npos) << bot_->logs();
}

TEST_F(DiscordInteractionServerTest, ARemovalIsConfirmedByTheProposersClickAndRefusedToAnyoneElse) {
    start();
    const EndpointAnswer proposal =
        post(slash_command("5004", "remove", {{"database", "my-dedicated-db"}, {"email", "user2@example.com"}}));
    ASSERT_EQ(proposal.status, 200u) << proposal.body << bot_->logs();
    const std::string button = confirm_button(BotReply{"response", "5004", *proposal.callback});
    ASSERT_TRUE(button.starts_with("collab:confirm:")) << proposal.body;

    const EndpointAnswer stranger = post(button_click("5005", button, colleague_id));
    ASSERT_EQ(stranger.status, 200u) << stranger.body;
    EXPECT_EQ(stranger.callback->at("type"), 4);
    EXPECT_TRUE(ephemeral(stranger.callback->at("data").as_object())) << "the refusal is for the clicker alone";
    EXPECT_TRUE(has_collaborator(bot_->collaborators("my-dedicated-db"), "user2@example.com"));

    const EndpointAnswer confirmed = post(button_click("5006", button));
    ASSERT_EQ(confirmed.status, 200u) << confirmed.body << bot_->logs();
    EXPECT_EQ(confirmed.callback->at("type"), 7) << "the proposal is replaced";
    const json::object& outcome = confirmed.callback->at("data").as_object();
    EXPECT_NE(content_of(outcome).find("user2@example.com"), std::string::npos) << content_of(outcome);
    EXPECT_TRUE(!outcome.contains("components") || outcome.at("components").as_array().empty())
        << "no button left to click";
    EXPECT_FALSE(has_collaborator(bot_->collaborators("my-dedicated-db"), "user2@example.com"));
    const BotReply announcement = by_route(replies_to("5006", 2), "follow_up");
    ASSERT_EQ(announcement.route, "follow_up") << bot_->logs();
    EXPECT_FALSE(ephemeral(announcement.body)) << "the team sees the change";
}

TEST_F(DiscordInteractionServerTest, AClickSlowerThanItsBudgetIsDeferredThenTheMessageEdited) {
    start({.click_budget = 200ms});
    const EndpointAnswer proposal =
        post(slash_command("5007", "remove", {{"database", "my-dedicated-db"}, {"email", "user2@example.com"}}));
    const std::string button = confirm_button(BotReply{"response", "5007", *proposal.callback});
    ASSERT_FALSE(button.empty()) << proposal.body;
    bot_->upstream().set_delay(500ms);
    const EndpointAnswer click = post(button_click("5008", button));
    ASSERT_EQ(click.status, 200u) << click.body << bot_->logs();
    EXPECT_EQ(click.callback, json::parse(R"({"type":6})").as_object());
    const BotReply edit = by_route(replies_to("5008", 2), "edit_original");
    EXPECT_EQ(edit.route, "edit_original") << "the outcome replaces the proposal\n" << bot_->logs();
    EXPECT_FALSE(has_collaborator(bot_->collaborators("my-dedicated-db"), "user2@example.com"));
}

TEST_F(DiscordInteractionServerTest, TheSameSignedInteractionAgainIsNotCarriedOutTwice) {
    start();
    const std::string body = json::serialize(
        slash_command("5009", "add", {{"database", "my-dedicated-db"}, {"emails", "once@example.com"}}));
    const Headers headers = discord_.signature_headers(body, now_seconds());
    const EndpointAnswer first = discord_.post(bot_->endpoint_url(), body, headers);
    EXPECT_EQ(first.status, 200u) << first.body;
    const EndpointAnswer again = discord_.post(bot_->endpoint_url(), body, headers);
    EXPECT_EQ(again.status, 409u) << again.body;
    const auto all = bot_->collaborators("my-dedicated-db");
    EXPECT_EQ(std::count_if(all.begin(), all.end(),
                            [](const Collaborator& collaborator) { return collaborator.email == "once@example.com"; }),
              1);
}

TEST_F(DiscordInteractionServerTest, TheDatabaseOptionSuggestsWhatThePersonMayManage) {
    start();
    const EndpointAnswer all = post(autocomplete("5010", "list", {{"database", ""}}, "database"));
    ASSERT_EQ(all.status, 200u) << all.body << bot_->logs();
    EXPECT_EQ(all.callback->at("type"), 8);
    EXPECT_EQ(choice_names(*all.callback), (std::vector<std::string>{"analytics-db", "my-dedicated-db"}))
        << "user1 collaborates on the first and owns the second";

    const EndpointAnswer typed = post(autocomplete("5011", "remove", {{"database", "MY-"}}, "database"));
    EXPECT_EQ(choice_names(*typed.callback), std::vector<std::string>{"my-dedicated-db"});

    const EndpointAnswer stranger = post(autocomplete("5012", "list", {{"database", ""}}, "database", unmapped_id));
    ASSERT_EQ(stranger.status, 200u) << stranger.body;
    EXPECT_EQ(stranger.callback, json::parse(R"({"type":8,"data":{"choices":[]}})").as_object())
        << "someone unmapped gets no choice, and no message";

    const EndpointAnswer email =
        post(autocomplete("5013", "remove", {{"database", "my-dedicated-db"}, {"email", "us"}}, "email"));
    EXPECT_EQ(email.callback, json::parse(R"({"type":8,"data":{"choices":[]}})").as_object())
        << "only the database option is suggested";
    EXPECT_EQ(bot_->logs().find("decision platform="), std::string::npos) << "a suggestion is no command:\n"
                                                                          << bot_->logs();
}

TEST(DiscordGatewayAutocomplete, TheDatabaseOptionIsRegisteredForAndAnsweredWithSuggestions) {
    DiscordEmulator discord;
    DiscordBotHarness bot(discord);
    bot.start();
    ASSERT_TRUE(discord.wait_for_sessions_ready(1)) << bot.logs();
    discord.dispatch_interaction(autocomplete("5020", "list", {{"database", "analytics"}}, "database"));
    ASSERT_TRUE(discord.wait_for_replies(1)) << bot.logs();
    const BotReply reply = discord.replies().at(0);
    EXPECT_EQ(reply.route, "callback");
    EXPECT_EQ(reply.status, 204u);
    EXPECT_EQ(type_of(reply), 8);
    EXPECT_EQ(choice_names(reply.body), std::vector<std::string>{"analytics-db"});

    for (int i = 0; i < 100 && discord.command_sets().empty(); ++i) std::this_thread::sleep_for(10ms);
    ASSERT_EQ(discord.command_sets().size(), 1u);
    const json::array registered = discord.command_sets()[0].second;
    for (const auto& sub : registered.at(0).at("options").as_array())
        for (const auto& option : sub.as_object().if_contains("options") ? sub.at("options").as_array() : json::array{})
            EXPECT_EQ(option.as_object().contains("autocomplete"), option.at("name") == "database")
                << json::serialize(option);
    EXPECT_EQ(discord.violations(), std::vector<std::string>{});
}

}  // namespace
}  // namespace collab::discord::test
