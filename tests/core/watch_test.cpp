// The watch's words and pacing: how long ago an invitation was sent, and the interval that keeps the
// watch within its share of the upstream's allowance.

#include <gtest/gtest.h>

#include "core/replies.hpp"
#include "core/watch.hpp"

namespace collab {
namespace {
using namespace std::chrono_literals;

TEST(TimeAgo, ReadsAsAPersonWouldSayIt) {
    EXPECT_EQ(replies::time_ago(20s), "less than a minute ago");
    EXPECT_EQ(replies::time_ago(5min + 10s), "5 min ago");
    EXPECT_EQ(replies::time_ago(2h + 59min), "2 h ago");
    EXPECT_EQ(replies::time_ago(47h), "47 h ago");
    EXPECT_EQ(replies::time_ago(24h * 9), "9 days ago");
}

TEST(InvitationNotice, NamesTheInviterAsTheirPlatformMentionsThem) {
    Invitation invitation{"my-dedicated-db", "user3@example.com", "co-1",
                          Actor{"slack", "T1", "U111", "C111", "user1@example.com", "user1"}, TimePoint{}};
    const Reply notice = replies::invitation_accepted(invitation, 2h);
    ASSERT_EQ(notice.lines.size(), 1u);
    ASSERT_TRUE(notice.lines[0].mention);
    EXPECT_EQ(notice.lines[0].mention->id, "U111");
    EXPECT_EQ(to_plain_text(notice),
              "-----> user3@example.com accepted the invitation to my-dedicated-db (invited by user1 2 h ago)\n");
    EXPECT_EQ(notice.kind, ReplyKind::change);
}

TEST(WatchInterval, StretchesBeyondAQuarterOfTheAllowance) {
    EXPECT_EQ(watch_interval(60s, 0, 60), 60s);
    EXPECT_EQ(watch_interval(60s, 15, 60), 60s);
    EXPECT_EQ(watch_interval(60s, 30, 60), 120s);
    EXPECT_EQ(watch_interval(5s, 1, 60), 5s);
    EXPECT_EQ(watch_interval(5s, 2, 60), 8s);
    EXPECT_EQ(watch_interval(60s, 1000, 0), 60s) << "no allowance: as configured";
}

}  // namespace
}  // namespace collab
