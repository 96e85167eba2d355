// Slack's markup undone on the way in and applied on the way out.

#include "adapters/chat/slack/markup.hpp"

#include <gtest/gtest.h>

namespace collab::slack {
namespace {

TEST(SlackMarkup, EntitiesAreDecodedOnce) {
    EXPECT_EQ(unescape_command_text("add my-db a&amp;b@x.com"), "add my-db a&b@x.com");
    EXPECT_EQ(unescape_command_text("&lt;db&gt;"), "<db>");
    // What the user typed as "&lt;" arrives as "&amp;lt;": it must stay "&lt;", not become "<".
    EXPECT_EQ(unescape_command_text("&amp;lt;"), "&lt;");
    EXPECT_EQ(unescape_command_text("AT&T &quot;"), "AT&T &quot;");
}

TEST(SlackMarkup, MailtoLinksBecomeTheAddress) {
    EXPECT_EQ(unescape_command_text("add my-db <mailto:alice@example.com|alice@example.com>"),
              "add my-db alice@example.com");
    EXPECT_EQ(unescape_command_text("add my-db <mailto:bob@example.com>"), "add my-db bob@example.com");
    EXPECT_EQ(unescape_command_text("add db <mailto:a@x.com|a@x.com> <mailto:b@x.com|b@x.com>"),
              "add db a@x.com b@x.com");
}

TEST(SlackMarkup, LinksBecomeTheirAddressNotTheirLabel) {
    EXPECT_EQ(unescape_command_text("<http://my-db.example|my-db.example>"), "http://my-db.example");
    EXPECT_EQ(unescape_command_text("<https://x.io/a?b=1&amp;c=2>"), "https://x.io/a?b=1&c=2");
    EXPECT_EQ(unescape_command_text("<https://evil.example|trusted-db>"), "https://evil.example");
}

TEST(SlackMarkup, UsersAndChannelsKeepAReadableForm) {
    EXPECT_EQ(unescape_command_text("whoami <@U123|alice>"), "whoami @alice");
    EXPECT_EQ(unescape_command_text("<@U123>"), "@U123");
    EXPECT_EQ(unescape_command_text("<#C123|general>"), "#general");
    EXPECT_EQ(unescape_command_text("<#C123>"), "#C123");
    EXPECT_EQ(unescape_command_text("<!here> <!channel>"), "@here @channel");
    EXPECT_EQ(unescape_command_text("<!subteam^S1|@ops>"), "@ops");
}

TEST(SlackMarkup, AnUnclosedBracketIsKept) {
    EXPECT_EQ(unescape_command_text("list <my-db"), "list <my-db");
    EXPECT_EQ(unescape_command_text("list my-db >"), "list my-db >");
}

TEST(SlackMarkup, EscapingForMrkdwn) {
    EXPECT_EQ(escape_mrkdwn("<!channel>"), "&lt;!channel&gt;");
    EXPECT_EQ(escape_mrkdwn("<https://evil|x>"), "&lt;https://evil|x&gt;");
    EXPECT_EQ(escape_mrkdwn("a&b"), "a&amp;b");
    EXPECT_EQ(escape_mrkdwn("plain *bold* é"), "plain *bold* é");
}

TEST(SlackMarkup, EscapeThenUnescapeIsTheIdentity) {
    for (std::string text : {"<!channel>", "a&amp;b", "<@U1|x> & <#C1>", "&&&<<>>"})
        EXPECT_EQ(unescape_command_text(escape_mrkdwn(text)), text);
}

TEST(SlackMarkup, ControlAndBidiCharactersAreMadeVisibleInMessages) {
    // A username an upstream sent, or what someone typed, echoed into a message.
    EXPECT_EQ(escape_mrkdwn("x\x1b]0;t\x07 \u202eevil <b>\nnext"), "x\\x1b]0;t\\x07 \\u202eevil &lt;b&gt;\nnext");
}

}  // namespace
}  // namespace collab::slack
