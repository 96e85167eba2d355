// Replies as Slack messages: exact Block Kit for each kind of reply, the limits, and escaping.

#include "adapters/chat/slack/blocks.hpp"
#include "adapters/chat/slack/markup.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace collab::slack {
namespace {

namespace json = boost::json;

// Compared as JSON values (key order aside), printed as text when they differ.
void expect_json(const json::object& actual, std::string_view expected) {
    EXPECT_EQ(json::value(actual), json::parse(expected)) << "actual: " << json::serialize(actual);
}

std::vector<std::string> section_texts(const json::object& message) {
    std::vector<std::string> texts;
    for (const auto& block : message.at("blocks").as_array()) {
        if (block.at("type") == "section") texts.emplace_back(block.at("text").at("text").as_string());
    }
    return texts;
}

Reply list_reply() {
    Table table{
        {"EMAIL", "USERNAME", "STATUS", "ROLE"},
        {{"owner@example.com", "owner", "owner", "owner"}, {"bob@example.com", "n/a", "pending", "collaborator"}},
        {false, true}};
    return Reply{ReplyKind::result, {}, table, {}, {}};
}

TEST(SlackBlocks, ListReplyIsACodeBlock) {
    expect_json(to_message(list_reply()), R"({
        "response_type": "ephemeral",
        "text": "┌───────────────────┬──────────┬─────────┬──────────────┐\n│       EMAIL       │ USERNAME │ STATUS  │     ROLE     │\n├───────────────────┼──────────┼─────────┼──────────────┤\n│ owner@example.com │ owner    │ owner   │ owner        │\n│ bob@example.com   │ n/a      │ pending │ collaborator │\n└───────────────────┴──────────┴─────────┴──────────────┘",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "```\n┌───────────────────┬──────────┬─────────┬──────────────┐\n│       EMAIL       │ USERNAME │ STATUS  │     ROLE     │\n├───────────────────┼──────────┼─────────┼──────────────┤\n│ owner@example.com │ owner    │ owner   │ owner        │\n│ bob@example.com   │ n/a      │ pending │ collaborator │\n└───────────────────┴──────────┴─────────┴──────────────┘\n```"}}
        ]})");
}

TEST(SlackBlocks, AddReplyGoesToTheChannel) {
    Reply reply{ReplyKind::change,
                {{LineStyle::done, "alice@example.com has been invited to collaborate to my-db"},
                 {LineStyle::plain, "bob@example.com is already a collaborator of my-db (accepted)."}},
                {},
                {},
                {}};
    expect_json(to_message(reply), R"({
        "response_type": "in_channel",
        "text": "-----&gt; alice@example.com has been invited to collaborate to my-db\nbob@example.com is already a collaborator of my-db (accepted).",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "`-----&gt;` alice@example.com has been invited to collaborate to my-db\nbob@example.com is already a collaborator of my-db (accepted)."}}
        ]})");
}

TEST(SlackBlocks, ProposalHasADangerButtonBehindAConfirmDialog) {
    Reply reply{ReplyKind::proposal,
                {},
                {},
                Proposal{"Revoke access of bob@example.com to my-db?", "Revoke access", "tok.en",
                         TimePoint{std::chrono::seconds{1'795'000'000}}},
                {}};
    expect_json(to_message(reply), R"({
        "response_type": "ephemeral",
        "text": "Revoke access of bob@example.com to my-db?\nTo confirm, type before 2026-11-18 11:06:40 UTC:\n  /collab confirm tok.en",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "Revoke access of bob@example.com to my-db?\n_This button works until <!date^1795000000^{date_short_pretty} at {time}|2026-11-18 11:06:40 UTC>._"}},
            {"type": "actions", "elements": [
                {"type": "button", "action_id": "collab_confirm", "text": {"type": "plain_text", "text": "Revoke access"},
                 "value": "tok.en", "style": "danger",
                 "confirm": {"title": {"type": "plain_text", "text": "Revoke access?"},
                             "text": {"type": "plain_text", "text": "Revoke access of bob@example.com to my-db?"},
                             "confirm": {"type": "plain_text", "text": "Revoke access"},
                             "deny": {"type": "plain_text", "text": "Cancel"},
                             "style": "danger"}},
                {"type": "button", "action_id": "collab_cancel", "text": {"type": "plain_text", "text": "Cancel"},
                 "value": "tok.en"}
            ]}
        ]})");
}

TEST(SlackBlocks, AnAccessRequestCardHasApproveAndDenyWithoutADialog) {
    Reply reply{ReplyKind::change,
                {},
                {},
                Proposal{"Invite bob@example.com to my-db?", "Approve", "tok.en",
                         TimePoint{std::chrono::seconds{1'795'000'000}}, ProposalKind::access_request},
                {}};
    const json::object message = to_message(reply);
    expect_json(json::object(message.at("blocks").at(1).as_object()), R"({"type": "actions", "elements": [
                {"type": "button", "action_id": "collab_confirm", "text": {"type": "plain_text", "text": "Approve"},
                 "value": "tok.en", "style": "primary"},
                {"type": "button", "action_id": "collab_cancel", "text": {"type": "plain_text", "text": "Deny"},
                 "value": "tok.en"}
            ]})");
}

TEST(SlackBlocks, ConfirmDialogRespectsSlacksLimits) {
    const std::string label(40, 'L');
    const std::string question = "Revoke access of " + std::string(400, 'q') + "?";
    Reply reply{ReplyKind::proposal, {}, {}, Proposal{question, label, "t", TimePoint{}}, {}};
    const json::object message = to_message(reply);
    const auto& button = message.at("blocks").at(1).at("elements").at(0);
    const auto& dialog = button.at("confirm");
    EXPECT_EQ(slack_length(dialog.at("text").at("text").as_string()), 300u);
    EXPECT_TRUE(dialog.at("text").at("text").as_string().ends_with("…"));
    EXPECT_EQ(slack_length(dialog.at("confirm").at("text").as_string()), 30u);
    EXPECT_EQ(dialog.at("title").at("text").as_string(), label + "?");
    EXPECT_EQ(button.at("text").at("text").as_string(), label);  // buttons take up to 75
}

TEST(SlackBlocks, UsageError) {
    Reply reply{ReplyKind::usage_error,
                {{LineStyle::error, "Missing e-mail address."}},
                {},
                {},
                "Usage: /collab add <db> <email> [<email>…]"};
    expect_json(to_message(reply), R"({
        "response_type": "ephemeral",
        "text": " !     Missing e-mail address.\nUsage: /collab add &lt;db&gt; &lt;email&gt; [&lt;email&gt;…]",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "`!` Missing e-mail address."}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "Usage: `/collab add &lt;db&gt; &lt;email&gt; [&lt;email&gt;…]`"}}
        ]})");
}

TEST(SlackBlocks, ResponseTypeIsTheVisibilityAndDefaultsToThePolicys) {
    EXPECT_EQ(to_message(list_reply()).at("response_type"), "ephemeral");
    EXPECT_EQ(to_message(list_reply(), chat::Visibility::in_channel).at("response_type"), "in_channel");
    Reply change{ReplyKind::change, {{LineStyle::done, "done"}}, {}, {}, {}};
    EXPECT_EQ(to_message(change).at("response_type"), "in_channel");
    EXPECT_EQ(to_message(change, chat::Visibility::ephemeral).at("response_type"), "ephemeral");
}

TEST(SlackBlocks, AButtonsOutcomeReplacesTheProposal) {
    Reply outcome{
        ReplyKind::change, {{LineStyle::done, "bob@example.com no longer collaborates on my-db"}}, {}, {}, {}};
    expect_json(to_replacement(outcome), R"({
        "replace_original": true,
        "text": "-----&gt; bob@example.com no longer collaborates on my-db",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "`-----&gt;` bob@example.com no longer collaborates on my-db"}}]})");
}

Table long_table(std::size_t rows) {
    Table table{{"EMAIL", "USERNAME", "STATUS", "ROLE"}, {}, {}};
    for (std::size_t i = 0; i < rows; ++i) {
        table.rows.push_back(
            {"user-" + std::to_string(i) + "@example.com", "user" + std::to_string(i), "accepted", "collaborator"});
        table.dimmed.push_back(false);
    }
    return table;
}

TEST(SlackBlocks, ALongTableIsSplitOnRowBoundaries) {
    const Table table = long_table(120);
    const std::string rendered = render_table(table);
    std::vector<std::string> lines;
    for (std::size_t start = 0; start < rendered.size();) {
        const auto end = rendered.find('\n', start);
        lines.push_back(rendered.substr(start, end - start + 1));
        start = end + 1;
    }
    const std::string head = lines[0] + lines[1] + lines[2];
    const std::string foot = lines.back() + "```";

    const auto texts = section_texts(to_message(Reply{ReplyKind::result, {}, table, {}, {}}));
    ASSERT_GT(texts.size(), 1u);
    std::size_t next_row = 3;
    for (std::size_t s = 0; s < texts.size(); ++s) {
        const std::string& text = texts[s];
        EXPECT_LE(slack_length(text), max_section_text);
        // Every part is a whole box table: fence, header, some rows in order, bottom border, fence.
        ASSERT_TRUE(text.starts_with("```\n" + head)) << s;
        ASSERT_TRUE(text.ends_with(foot)) << s;
        std::string body = text.substr(4 + head.size(), text.size() - 4 - head.size() - foot.size());
        std::size_t rows_here = 0;
        while (!body.empty()) {
            ASSERT_TRUE(body.starts_with(lines.at(next_row))) << "section " << s << " row " << next_row;
            body.erase(0, lines[next_row].size());
            ++next_row;
            ++rows_here;
        }
        EXPECT_GT(rows_here, 0u);
        // Parts are as full as they can be: the next row would not have fitted.
        if (s + 1 < texts.size()) {
            EXPECT_GT(slack_length(text) + slack_length(lines[next_row]), max_section_text);
        }
    }
    EXPECT_EQ(next_row, lines.size() - 1);  // every row shown once
}

TEST(SlackBlocks, AHugeTableStaysWithinFiftyBlocks) {
    const std::size_t total = 5000;
    Reply reply{ReplyKind::result, {{LineStyle::plain, "All of them:"}}, long_table(total), {}, {}};
    const json::object message = to_message(reply);
    const auto& blocks = message.at("blocks").as_array();
    ASSERT_EQ(blocks.size(), max_blocks);
    const auto texts = section_texts(message);
    std::size_t shown = 0;
    for (std::size_t i = 1; i + 1 < texts.size(); ++i) {
        EXPECT_LE(slack_length(texts[i]), max_section_text);
        shown +=
            static_cast<std::size_t>(std::count(texts[i].begin(), texts[i].end(), '\n')) - 5;  // 4 frame lines + fence
    }
    EXPECT_EQ(texts.back(), "_" + std::to_string(total - shown) + " more rows are not shown here._");
    // The fallback text still has every row.
    EXPECT_NE(std::string(message.at("text").as_string()).find("user-4999@example.com"), std::string::npos);
}

TEST(SlackBlocks, ManyLinesShareSectionsAndStayWithinLimits) {
    Reply reply{ReplyKind::change, {}, {}, {}, {}};
    for (int i = 0; i < 200; ++i)
        reply.lines.push_back({LineStyle::done, "user-" + std::to_string(i) + "@example.com invited"});
    const auto texts = section_texts(to_message(reply));
    ASSERT_LT(texts.size(), 5u);
    for (const auto& text : texts) EXPECT_LE(slack_length(text), max_section_text);
    EXPECT_TRUE(texts.front().starts_with("`-----&gt;` user-0@example.com invited\n`-----&gt;` user-1@example.com"));

    Reply wide{ReplyKind::change, {}, {}, {}, {}};
    for (int i = 0; i < 80; ++i) wide.lines.push_back({LineStyle::plain, std::string(2500, 'x')});
    EXPECT_LE(to_message(wide).at("blocks").as_array().size(), max_blocks);
}

// Every mrkdwn text and the fallback, which Slack parses for mentions and links.
std::vector<std::string> parsed_texts(const json::object& message) {
    std::vector<std::string> texts{std::string(message.at("text").as_string())};
    for (const auto& text : section_texts(message)) texts.push_back(text);
    return texts;
}

TEST(SlackBlocks, UserSuppliedTextCannotMentionOrLink) {
    const std::string database = "<!channel>";
    const std::string email = "<https://evil.example|x>@example.com";
    Reply reply{ReplyKind::change,
                {{LineStyle::done, email + " has been invited to collaborate to " + database}},
                Table{{"EMAIL"}, {{email}, {"a&b@x.com"}}, {false, false}},
                Proposal{"Revoke access of " + email + " to " + database + "?", "Revoke access", "t", TimePoint{}},
                "Usage: /collab list " + database};
    const json::object message = to_message(reply);
    // The one markup the bot writes itself: the proposal's deadline, in Slack's date formatting.
    const std::string deadline = "<!date^0^{date_short_pretty} at {time}|1970-01-01 00:00:00 UTC>";
    for (auto text : parsed_texts(message)) {
        if (const auto at = text.find(deadline); at != std::string::npos) text.erase(at, deadline.size());
        EXPECT_EQ(text.find('<'), std::string::npos) << text;
        EXPECT_EQ(text.find('>'), std::string::npos) << text;
    }
    const auto texts = section_texts(message);
    EXPECT_EQ(
        texts[0],
        "`-----&gt;` &lt;https://evil.example|x&gt;@example.com has been invited to collaborate to &lt;!channel&gt;");
    EXPECT_NE(texts[1].find("│ &lt;https://evil.example|x&gt;@example.com │"), std::string::npos);
    EXPECT_NE(texts[1].find("a&amp;b@x.com"), std::string::npos);
    EXPECT_TRUE(
        texts[2].starts_with("Revoke access of &lt;https://evil.example|x&gt;@example.com to &lt;!channel&gt;?"));
    EXPECT_EQ(texts[3], "Usage: `/collab list &lt;!channel&gt;`");
}

// A list seen again while its database is unchanged is the same message, not rendered again; the
// channel's form and the asker's never mix, and a change shows at once.
TEST(SlackBlocks, MessageFormsAreKeptPerVersionAndVisibility) {
    MessageForms forms;
    Reply listed = list_reply();
    listed.key = ReplyKey{"list my-dedicated-db", 7};
    const auto first = forms.message(listed, chat::Visibility::ephemeral);
    EXPECT_EQ(*first, encode_message(listed, chat::Visibility::ephemeral));
    EXPECT_EQ(forms.message(listed, chat::Visibility::ephemeral), first) << "the same message, kept";
    EXPECT_EQ(*forms.message(listed, chat::Visibility::in_channel),
              encode_message(listed, chat::Visibility::in_channel));

    Reply changed = list_reply();
    changed.table->rows.pop_back();
    changed.table->dimmed.pop_back();
    changed.key = ReplyKey{"list my-dedicated-db", 8};
    const auto after = forms.message(changed, chat::Visibility::ephemeral);
    EXPECT_EQ(*after, encode_message(changed, chat::Visibility::ephemeral));
    EXPECT_EQ(after->find("bob@example.com"), std::string::npos) << "the removed row is gone";
}

}  // namespace
TEST(SlackBlocks, WhoActedIsAMention) {
    Reply reply;
    Line line{LineStyle::done, "Removed <x> (by "};
    line.mention = Mention{"slack", "U024BE7LH", "", "owner@example.com"};
    line.after = ")";
    reply.lines.push_back(line);
    EXPECT_EQ(section_texts(to_message(reply))[0], "`-----&gt;` Removed &lt;x&gt; (by <@U024BE7LH>)");
    EXPECT_EQ(to_message(reply).at("text"), "-----&gt; Removed &lt;x&gt; (by <@U024BE7LH>)")
        << "the notification names them too";
    // An id that is not Slack's is never written inside <@…>.
    reply.lines[0].mention = Mention{"slack", "U1> <!channel", "", "owner@example.com"};
    EXPECT_EQ(section_texts(to_message(reply))[0], "`-----&gt;` Removed &lt;x&gt; (by owner@example.com)");
    EXPECT_EQ(to_message(reply).at("text"), "-----&gt; Removed &lt;x&gt; (by owner@example.com)");
}

TEST(SlackBlocks, WithoutMentionsTheFallbackIsThePlainFormEscaped) {
    Reply reply{ReplyKind::proposal,
                {{LineStyle::plain, "a line with \x1b[2J, \u202e and <&>"},
                 {LineStyle::done, "done\n"},
                 {LineStyle::error, "failed"}},
                Table{{"EMAIL"}, {{"a&b@x.com"}}, {false}},
                Proposal{"Revoke access of bob@example.com to my-db?", "Revoke access", "t", TimePoint{}},
                "Usage: /collab list <db>"};
    std::string plain = to_plain_text(reply);
    while (!plain.empty() && plain.back() == '\n') plain.pop_back();
    EXPECT_EQ(to_message(reply).at("text").as_string(), escape_mrkdwn(plain));
    EXPECT_NE(escape_mrkdwn(plain).find("\\x1b[2J, \\u202e and &lt;&amp;&gt;"), std::string::npos) << plain;
}

TEST(SlackBlocks, AChannelNamedIsALinkToIt) {
    Reply reply;
    reply.lines.push_back(Line{LineStyle::plain, "Posted in ", channel_mention("slack", "C0OPS0001"), "."});
    EXPECT_EQ(section_texts(to_message(reply))[0], "Posted in <#C0OPS0001>.");
    EXPECT_EQ(to_message(reply).at("text"), "Posted in <#C0OPS0001>.")
        << "a notification shows the channel's name, which Slack puts in place of the link";
    // An id that is not Slack's is never written inside <#…>.
    reply.lines[0].mention = channel_mention("slack", "C1> <!channel");
    EXPECT_EQ(section_texts(to_message(reply))[0], "Posted in C1&gt; &lt;!channel.");
    EXPECT_EQ(to_message(reply).at("text"), "Posted in C1&gt; &lt;!channel.");
}

}  // namespace collab::slack
