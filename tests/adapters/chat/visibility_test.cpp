// Who sees a reply, whatever the platform: by its kind, then by the command's own setting, a
// confirmation following what it confirms.

#include <gtest/gtest.h>

#include "adapters/chat/visibility.hpp"

namespace collab::chat {
namespace {

Outcome outcome_of(std::string_view command, ReplyKind kind, std::optional<ConfirmAction> confirms = std::nullopt) {
    Outcome outcome;
    outcome.command = command;
    Reply reply;
    reply.kind = kind;
    outcome.reply = std::move(reply);
    outcome.confirms = confirms;
    return outcome;
}

TEST(Visibility, OnlyChangesGoToTheChannelByDefault) {
    const VisibilityPolicy defaults;
    EXPECT_EQ(defaults.for_kind(ReplyKind::result), Visibility::ephemeral);
    EXPECT_EQ(defaults.for_kind(ReplyKind::change), Visibility::in_channel);
    EXPECT_EQ(defaults.for_kind(ReplyKind::proposal), Visibility::ephemeral);
    EXPECT_EQ(defaults.for_kind(ReplyKind::denied), Visibility::ephemeral);
    EXPECT_EQ(defaults.for_kind(ReplyKind::usage_error), Visibility::ephemeral);
    EXPECT_EQ(defaults.for_kind(ReplyKind::failure), Visibility::ephemeral);

    VisibilityPolicy loud;
    loud.set(ReplyKind::result, Visibility::in_channel).set(ReplyKind::change, Visibility::ephemeral);
    EXPECT_EQ(loud.of(outcome_of("list", ReplyKind::result)), Visibility::in_channel);
    EXPECT_EQ(loud.of(outcome_of("add", ReplyKind::change)), Visibility::ephemeral);
}

TEST(Visibility, ACommandsSettingCoversItsResultsAndChangesOnly) {
    VisibilityPolicy policy;
    policy.by_command["list"] = Visibility::in_channel;
    policy.by_command["add"] = Visibility::ephemeral;
    EXPECT_EQ(policy.of(outcome_of("list", ReplyKind::result)), Visibility::in_channel);
    EXPECT_EQ(policy.of(outcome_of("add", ReplyKind::change)), Visibility::ephemeral);
    EXPECT_EQ(policy.of(outcome_of("list", ReplyKind::denied)), Visibility::ephemeral) << "refusals stay private";
    EXPECT_EQ(policy.of(outcome_of("whoami", ReplyKind::result)), Visibility::ephemeral);
}

TEST(Visibility, AConfirmationFollowsWhatItConfirms) {
    VisibilityPolicy policy;
    policy.by_command["remove"] = Visibility::ephemeral;
    policy.by_command["leave"] = Visibility::in_channel;
    EXPECT_EQ(policy.of(outcome_of("confirm", ReplyKind::change, ConfirmAction::remove)), Visibility::ephemeral);
    EXPECT_EQ(policy.of(outcome_of("confirm", ReplyKind::result, ConfirmAction::leave)), Visibility::in_channel);
    EXPECT_EQ(policy.of(outcome_of("confirm", ReplyKind::change)), Visibility::in_channel) << "the default";
}

}  // namespace
}  // namespace collab::chat
