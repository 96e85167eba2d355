// The plain-text form of replies, compared byte for byte with what Scalingo's CLI prints.

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include "../seed_output.hpp"
#include "core/render.hpp"
#include "core/text.hpp"

namespace collab {
namespace {

using namespace std::chrono_literals;

Table seed_table() {
    return Table{{"EMAIL", "USERNAME", "STATUS", "ROLE"},
                 {{"user1@example.com", "user1", "owner", "owner"},
                  {"user2@example.com", "user2", "accepted", "collaborator"},
                  {"user3@example.com", "n/a", "pending", "collaborator"}},
                 {false, false, true}};
}

const std::string& seed_output = testing::seed_output;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

TimePoint at_utc(std::chrono::sys_days day, std::chrono::seconds time_of_day) {
    return TimePoint{day} + time_of_day;
}

// ---- Tables ------------------------------------------------------------------------------------------------

TEST(RenderTable, SeedTableByteForByte) {
    EXPECT_EQ(render_table(seed_table()), seed_output);
}

TEST(RenderTable, SeedTableThroughToPlainText) {
    Reply reply;
    reply.table = seed_table();
    EXPECT_EQ(to_plain_text(reply), seed_output);
}

TEST(RenderTable, EmptyListIsHeaderOnly) {
    Table table{{"EMAIL", "USERNAME", "STATUS", "ROLE"}, {}, {}};
    EXPECT_EQ(render_table(table),
              "┌───────┬──────────┬────────┬──────┐\n"
              "│ EMAIL │ USERNAME │ STATUS │ ROLE │\n"
              "├───────┼──────────┼────────┼──────┤\n"
              "└───────┴──────────┴────────┴──────┘\n");
}

TEST(RenderTable, OddSpareColumnGoesRightOfACentredHeader) {
    Table table{{"ID", "NAME"}, {{"abc", "a"}}, {false}};
    EXPECT_EQ(render_table(table),
              "┌─────┬──────┐\n"
              "│ ID  │ NAME │\n"
              "├─────┼──────┤\n"
              "│ abc │ a    │\n"
              "└─────┴──────┘\n");
}

Table wide_table() {
    return Table{{"EMAIL", "USERNAME", "STATUS", "ROLE"},
                 {{"jose@example.com", "Jos\u00E9", "accepted", "collaborator"},
                  {"tanaka@example.jp", "日本語ユーザー", "accepted", "collaborator"},
                  {"smile@example.com", "😀 smile", "pending", "collaborator"},
                  {"cafe@example.com", "Cafe\u0301", "accepted", "collaborator"}},
                 {false, false, true, false}};
}

TEST(RenderTable, WideCharactersKeepBordersAligned) {
    const auto lines = lines_of(render_table(wide_table()));
    ASSERT_EQ(lines.size(), 8u);
    const std::size_t width = text::display_width(lines.front());
    for (const auto& line : lines) EXPECT_EQ(text::display_width(line), width) << line;
    // 17 + 14 + 8 + 12 columns of content, 2 of padding each, 5 borders.
    EXPECT_EQ(width, 17u + 14 + 8 + 12 + 4 * 2 + 5);
}

TEST(RenderTable, WideCharactersArePaddedByDisplayWidthNotBytes) {
    const auto lines = lines_of(render_table(wide_table()));
    ASSERT_EQ(lines.size(), 8u);
    // The USERNAME column is 14 columns wide: seven CJK characters of two columns each.
    EXPECT_EQ(lines[1], "│       EMAIL       │    USERNAME    │  STATUS  │     ROLE     │");
    EXPECT_EQ(lines[3], "│ jose@example.com  │ José" + std::string(10, ' ') + " │ accepted │ collaborator │");
    EXPECT_EQ(lines[4], "│ tanaka@example.jp │ 日本語ユーザー │ accepted │ collaborator │");
    EXPECT_EQ(lines[5], "│ smile@example.com │ 😀 smile" + std::string(6, ' ') + " │ pending  │ collaborator │");
    // A combining accent takes no column of its own.
    EXPECT_EQ(lines[6], "│ cafe@example.com  │ Cafe\u0301" + std::string(10, ' ') + " │ accepted │ collaborator │");
}

TEST(DisplayWidth, ColumnsATerminalGivesEachKindOfCharacter) {
    EXPECT_EQ(text::display_width("user1"), 5u);
    EXPECT_EQ(text::display_width("Jos\u00E9"), 4u);
    EXPECT_EQ(text::display_width("Jose\u0301"), 4u);
    EXPECT_EQ(text::display_width("日本語"), 6u);
    EXPECT_EQ(text::display_width("😀"), 2u);
    EXPECT_EQ(text::display_width("─│┌"), 3u);
}

TEST(RenderTable, AnsiDimmingOnlyWhenAskedAndOnlyOnDimmedRows) {
    EXPECT_EQ(render_table(seed_table(), false).find('\x1b'), std::string::npos);

    const auto lines = lines_of(render_table(seed_table(), true));
    ASSERT_EQ(lines.size(), 7u);
    EXPECT_EQ(lines[3], "│ user1@example.com │ user1    │ owner    │ owner        │");
    EXPECT_EQ(lines[4], "│ user2@example.com │ user2    │ accepted │ collaborator │");
    EXPECT_EQ(lines[5],
              "│ \x1b[2muser3@example.com\x1b[22m │ \x1b[2mn/a     \x1b[22m │ \x1b[2mpending \x1b[22m │ "
              "\x1b[2mcollaborator\x1b[22m │");
}

TEST(RenderTable, AnsiDimmingFollowsPlainTextOptions) {
    Reply reply;
    reply.table = seed_table();
    EXPECT_EQ(to_plain_text(reply, PlainTextOptions{.ansi_dim = false}), seed_output);
    EXPECT_NE(to_plain_text(reply, PlainTextOptions{.ansi_dim = true}).find("\x1b[2muser3@example.com"),
              std::string::npos);
}

TEST(RenderTable, MissingDimFlagsMeanNotDimmed) {
    Table table = seed_table();
    table.dimmed.clear();
    EXPECT_EQ(render_table(table, true), seed_output);
}

TEST(RenderTable, ControlSequencesInACellAreShownInertAndTheColumnsStayAligned) {
    // A username as an upstream may send it: set the window title, clear the screen, reverse the text.
    Table table = seed_table();
    table.rows[1][1] = "\x1b]0;pwned\x07\x1b[2J\u202eevil";
    const std::string out = render_table(table, true);
    const auto lines = lines_of(out);
    ASSERT_EQ(lines.size(), 7u);
    EXPECT_EQ(lines[4], "│ user2@example.com │ \\x1b]0;pwned\\x07\\x1b[2J\\u202eevil │ accepted │ collaborator │");
    for (const auto& line : lines_of(render_table(table)))
        EXPECT_EQ(text::display_width(line), text::display_width(lines[0])) << line;
    // The only escapes left are the renderer's own dimming of the pending row.
    EXPECT_EQ(lines[4].find('\x1b'), std::string::npos);
    EXPECT_EQ(out.find("\u202e"), std::string::npos);
    EXPECT_NE(lines[5].find("\x1b[2m"), std::string::npos);
}

// ---- Replies as plain text ----------------------------------------------------------------------------------

TEST(ToPlainText, EachLineStyleHasTheCliPrefix) {
    Reply reply;
    reply.lines = {{LineStyle::plain, "Chat identity: shell user U1"},
                   {LineStyle::done, "user@example.com has been invited to collaborate to my-dedicated-db"},
                   {LineStyle::error, "Missing the database name."}};
    EXPECT_EQ(to_plain_text(reply),
              "Chat identity: shell user U1\n"
              "-----> user@example.com has been invited to collaborate to my-dedicated-db\n"
              " !     Missing the database name.\n");
}

TEST(ToPlainText, UsageLineComesAfterTheMessage) {
    Reply reply;
    reply.kind = ReplyKind::usage_error;
    reply.lines = {{LineStyle::error, "Missing the database name."}};
    reply.usage = "Usage: /collab list <db>";
    EXPECT_EQ(to_plain_text(reply), " !     Missing the database name.\nUsage: /collab list <db>\n");
}

TEST(ToPlainText, EveryTextOfAReplyIsMadePrintable) {
    Reply reply;
    reply.kind = ReplyKind::usage_error;
    reply.lines = {{LineStyle::error, "Unknown command \"\x1b[2J\u009b31m\x07\u202e\".\nSecond line"}};
    reply.usage = "Usage: \x1b[5m";
    reply.proposal = Proposal{"Revoke \u2066x\u2069?", "Revoke", "tok", TimePoint{}};
    const std::string out = to_plain_text(reply);
    EXPECT_EQ(out,
              " !     Unknown command \"\\x1b[2J\\x9b31m\\x07\\u202e\".\nSecond line\n"
              "Revoke \\u2066x\\u2069?\n"
              "To confirm, type before 1970-01-01 00:00:00 UTC:\n"
              "  /collab confirm tok\n"
              "Usage: \\x1b[5m\n");
}

TEST(ToPlainText, EmptyReplyIsEmptyText) {
    EXPECT_EQ(to_plain_text(Reply{}), "");
}

Reply proposal_reply() {
    Reply reply;
    reply.kind = ReplyKind::proposal;
    reply.proposal = Proposal{"Revoke access of user2@example.com to my-dedicated-db?", "Revoke access", "tok.123",
                              at_utc(std::chrono::sys_days{std::chrono::year{2026} / 11 / 28}, 12h + 49min + 32s)};
    return reply;
}

TEST(ToPlainText, ProposalNamesTheActionTheDeadlineAndTheCommandToType) {
    EXPECT_EQ(to_plain_text(proposal_reply()),
              "Revoke access of user2@example.com to my-dedicated-db?\n"
              "To confirm, type before 2026-11-28 12:49:32 UTC:\n"
              "  /collab confirm tok.123\n");
}

TEST(ToPlainText, ProposalUsesTheConfiguredCommandPrefix) {
    EXPECT_EQ(to_plain_text(proposal_reply(), PlainTextOptions{.ansi_dim = false, .command_prefix = "/db"}),
              "Revoke access of user2@example.com to my-dedicated-db?\n"
              "To confirm, type before 2026-11-28 12:49:32 UTC:\n"
              "  /db confirm tok.123\n");
}

TEST(ToPlainText, LinesThenTableThenUsage) {
    Reply reply;
    reply.lines = {{LineStyle::plain, "Most recent actions:"}};
    reply.table = Table{{"A"}, {{"b"}}, {false}};
    reply.usage = "Usage: /collab audit <db>";
    EXPECT_EQ(to_plain_text(reply),
              "Most recent actions:\n"
              "┌───┐\n"
              "│ A │\n"
              "├───┤\n"
              "│ b │\n"
              "└───┘\n"
              "Usage: /collab audit <db>\n");
}

// ---- Durations ----------------------------------------------------------------------------------------

TEST(FormatDuration, WholeMinutesInMinutesOtherwiseSeconds) {
    EXPECT_EQ(format_duration(300s), "5 minutes");
    EXPECT_EQ(format_duration(60s), "1 minute");
    EXPECT_EQ(format_duration(90s), "90 seconds");
    EXPECT_EQ(format_duration(59s), "59 seconds");
    EXPECT_EQ(format_duration(1s), "1 second");
    EXPECT_EQ(format_duration(0s), "0 seconds");
}

}  // namespace
// A line that names who acted: in plain text by their name, else e-mail, else qualified id, and
// never a way for what they typed to reach the terminal.
TEST(RenderMention, PlainTextNamesThePersonByNameElseEmailElseId) {
    Reply reply;
    Line line{LineStyle::done, "Removed user2@example.com from my-db (by "};
    line.after = ")";
    line.mention = Mention{"slack", "U1", "", "owner@example.com"};
    reply.lines.push_back(line);
    EXPECT_EQ(to_plain_text(reply), "-----> Removed user2@example.com from my-db (by owner@example.com)\n");
    reply.lines[0].mention = Mention{"mattermost", "abc", "alice\x1b[31m", "owner@example.com"};
    EXPECT_EQ(to_plain_text(reply).find('\x1b'), std::string::npos);
    reply.lines[0].mention = Mention{"discord", "42", "", ""};
    EXPECT_EQ(to_plain_text(reply), "-----> Removed user2@example.com from my-db (by discord:42)\n");
    EXPECT_EQ(mention_of(Actor{"slack", "T1", "U1", "C1", "a@example.com", "alice"}).shown(), "alice");
}

// A channel a line names: in plain text by its id as is, which is the shell's channel's name.
TEST(RenderMention, PlainTextNamesAChannelByItsId) {
    Reply reply;
    reply.lines.push_back(Line{LineStyle::plain, "Posted in ", channel_mention("shell", "ops"), "."});
    EXPECT_EQ(to_plain_text(reply), "Posted in ops.\n");
}

}  // namespace collab
