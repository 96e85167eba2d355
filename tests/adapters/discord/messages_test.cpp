// Core replies as Discord messages and interaction callbacks.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "adapters/chat/discord/messages.hpp"

namespace collab::discord {
namespace {

namespace json = boost::json;
using chat::Visibility;

const std::string proposal_id(32, 'a');

Reply table_reply(std::size_t rows) {
    Reply reply;
    reply.lines.push_back({LineStyle::plain, "Collaborators of my-db:"});
    Table table{{"Email", "Status"}, {}, {}};
    for (std::size_t i = 0; i < rows; ++i)
        table.rows.push_back({"user" + std::to_string(i) + "@example.com", "accepted"});
    reply.table = table;
    return reply;
}

Reply proposal_reply() {
    Reply reply;
    reply.kind = ReplyKind::proposal;
    reply.proposal = Proposal{"Revoke bob@example.com's access to my-db?", "Revoke access", "token", TimePoint{}};
    return reply;
}

std::string content(const json::object& message) {
    return std::string(message.at("content").as_string());
}

TEST(Messages, EphemeralByVisibilityAndNeverAPing) {
    Reply reply;
    reply.lines.push_back({LineStyle::done, "@everyone <@&123> has been invited"});
    const json::object ephemeral = message_of(reply, Visibility::ephemeral);
    EXPECT_EQ(ephemeral.at("flags"), 64);
    EXPECT_EQ(ephemeral.at("allowed_mentions"), json::parse(R"({"parse":[]})"));
    const json::object in_channel = message_of(reply, Visibility::in_channel);
    EXPECT_FALSE(in_channel.contains("flags"));
    EXPECT_EQ(in_channel.at("allowed_mentions"), json::parse(R"({"parse":[]})"));
    // Echoed input is shown as typed: no mention syntax, no markdown left to read.
    EXPECT_EQ(content(in_channel), "`----->` \\@everyone \\<\\@&123\\> has been invited");
    EXPECT_EQ(replacement_of(reply).at("allowed_mentions"), json::parse(R"({"parse":[]})"));
}

TEST(Messages, TheTableIsTheBoxTableInACodeBlock) {
    const std::string text = content(message_of(table_reply(2), Visibility::ephemeral));
    EXPECT_EQ(text, "Collaborators of my\\-db\\:\n```\n" + render_table(*table_reply(2).table) + "```");
}

TEST(Messages, ALongTableIsCutWithACountOfWhatWasLeftOut) {
    const std::string text = content(message_of(table_reply(200), Visibility::ephemeral));
    EXPECT_LE(discord_length(text), max_content);
    const auto block_end = text.rfind("```");
    ASSERT_NE(block_end, std::string::npos);
    EXPECT_NE(text.find("└"), std::string::npos);  // the block is closed with its bottom border
    std::size_t shown = 0;
    for (std::size_t at = text.find("@example.com"); at != std::string::npos; at = text.find("@example.com", at + 1))
        ++shown;
    EXPECT_GT(shown, 10u);
    EXPECT_NE(text.find("*" + std::to_string(200 - shown) + " more rows are not shown here.*"), std::string::npos);
    // Exactly as many rows as fit: one row fewer than the limit would allow is not enough.
    EXPECT_GT(discord_length(text) + 2 * discord_length("│ user100@example.com │ accepted │\n"), max_content);
}

TEST(Messages, NothingEverExceedsTheLimit) {
    Reply reply = table_reply(5);
    for (int i = 0; i < 40; ++i) reply.lines.push_back({LineStyle::error, std::string(100, 'x')});
    EXPECT_LE(discord_length(content(message_of(reply, Visibility::ephemeral))), max_content);
}

TEST(Messages, BackticksCannotCloseTheCodeBlock) {
    Reply reply = table_reply(0);
    reply.table->rows.push_back({"a```b@example.com", "pending"});
    const std::string text = content(message_of(reply, Visibility::ephemeral));
    const auto opening = text.find("```");
    EXPECT_EQ(text.find("```", opening + 3), text.rfind("```"));  // the opening fence and the closing one, no other
}

TEST(Messages, AProposalHasADangerButtonAndCancel) {
    const json::object message = message_of(proposal_reply(), Visibility::ephemeral, proposal_id);
    const json::array& row = message.at("components").at(0).at("components").as_array();
    EXPECT_EQ(message.at("components").at(0).at("type"), 1);
    ASSERT_EQ(row.size(), 2u);
    EXPECT_EQ(row.at(0).at("type"), 2);
    EXPECT_EQ(row.at(0).at("style"), 4);
    EXPECT_EQ(row.at(0).at("label"), "Revoke access");
    EXPECT_EQ(row.at(1).at("style"), 2);
    EXPECT_EQ(row.at(1).at("label"), "Cancel");
    for (const auto& button : row) EXPECT_LE(button.at("custom_id").as_string().size(), max_custom_id);
    EXPECT_NE(content(message).find("Revoke bob\\@example.com's access to my\\-db?"), std::string::npos);
    EXPECT_NE(content(message).find("This button works until"), std::string::npos);
    // Without an id to click by, no buttons.
    EXPECT_FALSE(message_of(proposal_reply(), Visibility::ephemeral).contains("components"));
    // The click's outcome replaces the proposal, buttons and all.
    EXPECT_EQ(replacement_of(Reply{}).at("components"), json::array{});
}

TEST(Messages, AnAccessRequestCardHasApproveAndDeny) {
    Reply card = proposal_reply();
    card.proposal =
        Proposal{"Invite bob@example.com to my-db?", "Approve", "token", TimePoint{}, ProposalKind::access_request};
    const json::object message = message_of(card, Visibility::in_channel, proposal_id);
    const json::array& row = message.at("components").at(0).at("components").as_array();
    ASSERT_EQ(row.size(), 2u);
    EXPECT_EQ(row.at(0).at("style"), 1) << "approving takes nothing away: a primary button";
    EXPECT_EQ(row.at(0).at("label"), "Approve");
    EXPECT_EQ(row.at(1).at("label"), "Deny");
    // The same ids as a proposal's: a click comes back as a confirmation or a cancel of its token.
    EXPECT_EQ(row.at(0).at("custom_id").as_string(), confirm_custom_id(proposal_id));
    EXPECT_EQ(row.at(1).at("custom_id").as_string(), cancel_custom_id(proposal_id));
}

TEST(Messages, CustomIdsRoundTripAndForgeriesAreRefused) {
    const auto confirm = read_custom_id(confirm_custom_id(proposal_id));
    ASSERT_TRUE(confirm);
    EXPECT_EQ(confirm->proposal_id, proposal_id);
    EXPECT_FALSE(confirm->cancel);
    EXPECT_TRUE(read_custom_id(cancel_custom_id(proposal_id))->cancel);
    for (std::string forged :
         {std::string("collab:confirm:") + std::string(31, 'a'), std::string("collab:confirm:") + std::string(32, 'A'),
          std::string("collab:confirm:") + std::string(33, 'a'), std::string("collab:remove:") + proposal_id,
          std::string("other:confirm:") + proposal_id, std::string(101, 'a')})
        EXPECT_FALSE(read_custom_id(forged)) << forged;
}

TEST(Messages, Callbacks) {
    EXPECT_EQ(callback(CallbackType::pong), json::parse(R"({"type":1})"));
    EXPECT_EQ(deferral(Visibility::ephemeral), json::parse(R"({"type":5,"data":{"flags":64}})"));
    EXPECT_EQ(deferral(Visibility::in_channel), json::parse(R"({"type":5})"));
    const json::object update = callback(CallbackType::update, replacement_of(Reply{}));
    EXPECT_EQ(update.at("type"), 7);
    const json::object answer = callback(CallbackType::message, message_of(Reply{}, Visibility::ephemeral));
    EXPECT_EQ(answer.at("type"), 4);
    EXPECT_EQ(answer.at("data").at("flags"), 64);
}

TEST(Messages, ACallbackAroundAMessageKeptAsTextIsTheSameCallback) {
    const json::object message = message_of(Reply{}, Visibility::ephemeral);
    const std::string text = callback_text(CallbackType::message, json::serialize(message));
    EXPECT_EQ(json::parse(text), callback(CallbackType::message, message)) << text;
    EXPECT_EQ(json::parse(callback_text(CallbackType::update, R"({"content":"done"})")),
              json::parse(R"({"type":7,"data":{"content":"done"}})"));
}

TEST(Messages, SuggestionsAreTheNamesThatBeginWithWhatWasTypedAtMost25) {
    const std::vector<std::string> names{"my-dedicated-db", "My-Other-DB", "team-db"};
    EXPECT_EQ(suggestions(names, "MY-"),
              json::parse(R"({"type":8,"data":{"choices":[{"name":"my-dedicated-db","value":"my-dedicated-db"},)"
                          R"({"name":"My-Other-DB","value":"My-Other-DB"}]}})"));
    EXPECT_EQ(suggestions(names, "nothing"), json::parse(R"({"type":8,"data":{"choices":[]}})"))
        << "no choice is still an answer";
    EXPECT_EQ(suggestions({}, ""), json::parse(R"({"type":8,"data":{"choices":[]}})"));
    std::vector<std::string> many;
    for (int i = 0; i < 40; ++i) many.push_back("db-" + std::to_string(i));
    many.push_back(std::string(101, 'd'));  // longer than a choice may be
    const json::object all = suggestions(many, "");
    EXPECT_EQ(all.at("data").at("choices").as_array().size(), 25u);
    EXPECT_EQ(all.at("data").at("choices").at(0).at("name"), "db-0");
    EXPECT_EQ(suggestions(many, "ddd").at("data").at("choices").as_array().size(), 0u);
}

TEST(Messages, LengthsAreCountedInCodePoints) {
    EXPECT_EQ(discord_length("abc"), 3u);
    EXPECT_EQ(discord_length("é😀"), 2u);
}

}  // namespace
TEST(Messages, WhoActedIsMentionedAndNobodyElseCanBePinged) {
    Reply reply;
    Line line{LineStyle::done, "Removed *x* (by "};
    line.mention = Mention{"discord", "80351110224678912", "", "owner@example.com"};
    line.after = ")";
    reply.lines.push_back(line);
    reply.lines.push_back(Line{LineStyle::plain, "<@111111111111111111> @everyone"});
    reply.lines.push_back(line);
    const json::object message = message_of(reply, Visibility::in_channel);
    EXPECT_EQ(content(message),
              "`----->` Removed \\*x\\* \\(by <@80351110224678912>\\)\n\\<\\@111111111111111111\\> "
              "\\@everyone\n`----->` Removed \\*x\\* \\(by <@80351110224678912>\\)");
    EXPECT_EQ(message.at("allowed_mentions"), json::parse(R"({"parse":[],"users":["80351110224678912"]})"))
        << "the person named is pinged once; the echoed id and @everyone are not";
    reply.lines.resize(1);
    // Someone from another platform is named, not mentioned.
    reply.lines[0].mention = Mention{"slack", "U1", "", "owner@example.com"};
    EXPECT_EQ(content(message_of(reply, Visibility::in_channel)),
              "`----->` Removed \\*x\\* \\(by owner\\@example.com\\)");
}

TEST(Messages, AChannelNamedIsALinkToItThatPingsNobody) {
    Reply reply;
    reply.lines.push_back(Line{LineStyle::plain, "Posted in ", channel_mention("discord", "645027906669510667"), "."});
    const json::object message = message_of(reply, Visibility::in_channel);
    EXPECT_EQ(content(message), "Posted in <#645027906669510667>.");
    EXPECT_EQ(message.at("allowed_mentions"), json::parse(R"({"parse":[]})"));
}

}  // namespace collab::discord
