// Confirmation tokens: issued for one person, one channel, one target, until a deadline.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "core/confirmation.hpp"
#include "test_signer.hpp"

namespace collab {
namespace {

using namespace std::chrono_literals;
using test_support::TestSigner;

const std::string invalid =
    "This confirmation token is not valid: it was altered, cut short, or issued by another bot.";
const std::string someone_else =
    "This confirmation was issued to someone else; only the person who asked can confirm it.";
const std::string other_channel = "This confirmation was issued in another channel; confirm it where it was proposed.";

const TimePoint issued_at = TimePoint{std::chrono::sys_days{std::chrono::year{2026} / 11 / 28}} + 12h + 44min + 32s;

ConfirmationClaims removal_claims() {
    return ConfirmationClaims{
        ConfirmAction::remove, "slack", "T1", "U1", "C-ops", "my-dedicated-db", "user2@example.com", "co-2",
        issued_at + 5min};
}

Actor proposer() {
    return Actor{"slack", "T1", "U1", "C-ops", "user1@example.com"};
}

class ConfirmationToken : public ::testing::Test {
protected:
    TestSigner signer_{"key-one"};
};

TEST_F(ConfirmationToken, ValidTokenGivesBackEveryClaim) {
    const std::string token = issue_token(signer_, removal_claims());
    auto claims = check_token(signer_, token, proposer(), issued_at + 1min);
    ASSERT_TRUE(claims.has_value()) << claims.error();
    EXPECT_EQ(claims->action, ConfirmAction::remove);
    EXPECT_EQ(claims->platform, "slack");
    EXPECT_EQ(claims->team, "T1");
    EXPECT_EQ(claims->user_id, "U1");
    EXPECT_EQ(claims->channel, "C-ops");
    EXPECT_EQ(claims->database, "my-dedicated-db");
    EXPECT_EQ(claims->target, "user2@example.com");
    EXPECT_EQ(claims->collaborator_id, "co-2");
    EXPECT_EQ(claims->expires_at, issued_at + 5min);
}

TEST_F(ConfirmationToken, AnOffboardingCarriesEachDatabaseWithItsCollaboratorRecord) {
    ConfirmationClaims offboarding{ConfirmAction::offboard,
                                   "slack",
                                   "T1",
                                   "U1",
                                   "C-ops",
                                   "",
                                   "user2@example.com",
                                   "",
                                   issued_at + 5min,
                                   {Seat{"my-dedicated-db", "co-2"}, Seat{"analytics-db", "co-7"}}};
    auto claims = check_token(signer_, issue_token(signer_, offboarding), proposer(), issued_at + 1min);
    ASSERT_TRUE(claims.has_value()) << claims.error();
    EXPECT_EQ(claims->action, ConfirmAction::offboard);
    EXPECT_EQ(claims->target, "user2@example.com");
    EXPECT_EQ(claims->seats, offboarding.seats);
    EXPECT_NE(use_key(*claims), use_key(removal_claims()));
    // A removal's token is what it was before offboardings existed: it names no seats.
    EXPECT_TRUE(check_token(signer_, issue_token(signer_, removal_claims()), proposer(), issued_at)->seats.empty());
}

TEST_F(ConfirmationToken, SeatsBelongToAnOffboardingOnly) {
    const std::string expiry =
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>((issued_at + 5min).time_since_epoch()).count());
    const std::string head = "c2\nremove\nslack\nT1\nU1\nC-ops\nmy-dedicated-db\nuser2@example.com\nco-2\n" + expiry;
    EXPECT_EQ(check_token(signer_, signer_.seal(head + "\nother-db\nco-3"), proposer(), issued_at).error(), invalid)
        << "a removal that would reach a second database";
    const std::string empty_offboarding = "c2\noffboard\nslack\nT1\nU1\nC-ops\n\nuser2@example.com\n\n" + expiry;
    EXPECT_EQ(check_token(signer_, signer_.seal(empty_offboarding), proposer(), issued_at).error(), invalid);
    EXPECT_EQ(check_token(signer_, signer_.seal(empty_offboarding + "\nother-db"), proposer(), issued_at).error(),
              invalid)
        << "a database without its collaborator record";
}

TEST_F(ConfirmationToken, ATokenWithoutTheCollaboratorIdIsRefused) {
    // The previous format named only the e-mail, which a later invitation of the same person shares.
    const std::string payload =
        "c1\nremove\nslack\nT1\nU1\nC-ops\nmy-dedicated-db\nuser2@example.com\n" +
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>((issued_at + 5min).time_since_epoch()).count());
    auto claims = check_token(signer_, signer_.seal(payload), proposer(), issued_at);
    ASSERT_FALSE(claims.has_value());
    EXPECT_EQ(claims.error(), invalid);
}

TEST_F(ConfirmationToken, OneProposalIsOneUseKeyWhoeverSealedIt) {
    const ConfirmationClaims claims = removal_claims();
    ConfirmationClaims reinvited = claims;
    reinvited.collaborator_id = "co-9";
    EXPECT_EQ(use_key(claims), use_key(removal_claims()));
    EXPECT_NE(use_key(claims), use_key(reinvited)) << "a re-invited collaborator is another proposal";
    // The key holds no signature: it cannot be presented as a token.
    const std::string token = issue_token(signer_, claims);
    const std::string signature = token.substr(token.rfind('.') + 1);
    EXPECT_EQ(use_key(claims).find(signature), std::string::npos);
    EXPECT_FALSE(check_token(signer_, use_key(claims), proposer(), issued_at).has_value());
}

TEST_F(ConfirmationToken, LeaveActionSurvivesTheRoundTrip) {
    ConfirmationClaims leave = removal_claims();
    leave.action = ConfirmAction::leave;
    leave.target = "user1@example.com";
    auto claims = check_token(signer_, issue_token(signer_, leave), proposer(), issued_at);
    ASSERT_TRUE(claims.has_value()) << claims.error();
    EXPECT_EQ(claims->action, ConfirmAction::leave);
    EXPECT_EQ(claims->target, "user1@example.com");
}

TEST_F(ConfirmationToken, ValidUntilTheLastSecond) {
    const std::string token = issue_token(signer_, removal_claims());
    EXPECT_TRUE(check_token(signer_, token, proposer(), issued_at + 5min - 1s).has_value());
}

TEST_F(ConfirmationToken, ExpiredAtTheDeadlineWithTheUtcExpiryInTheMessage) {
    const std::string token = issue_token(signer_, removal_claims());
    for (TimePoint now : {issued_at + 5min, issued_at + 1h}) {
        auto claims = check_token(signer_, token, proposer(), now);
        ASSERT_FALSE(claims.has_value());
        EXPECT_EQ(claims.error(),
                  "This confirmation expired at 2026-11-28 12:49:32 UTC; run the command again to get a new one.");
    }
}

TEST_F(ConfirmationToken, OtherPersonIsRefused) {
    Actor other = proposer();
    other.user_id = "U2";
    other.email = "user2@example.com";
    auto claims = check_token(signer_, issue_token(signer_, removal_claims()), other, issued_at);
    ASSERT_FALSE(claims.has_value());
    EXPECT_EQ(claims.error(), someone_else);
}

TEST_F(ConfirmationToken, SameUserIdInAnotherTeamOrPlatformIsSomeoneElse) {
    // User ids are only unique within a workspace.
    const std::string token = issue_token(signer_, removal_claims());
    Actor other_team = proposer();
    other_team.team = "T2";
    Actor other_platform = proposer();
    other_platform.platform = "shell";
    for (const Actor& presenter : {other_team, other_platform}) {
        auto claims = check_token(signer_, token, presenter, issued_at);
        ASSERT_FALSE(claims.has_value());
        EXPECT_EQ(claims.error(), someone_else);
    }
}

TEST_F(ConfirmationToken, OtherChannelIsRefused) {
    Actor elsewhere = proposer();
    elsewhere.channel = "C-random";
    auto claims = check_token(signer_, issue_token(signer_, removal_claims()), elsewhere, issued_at);
    ASSERT_FALSE(claims.has_value());
    EXPECT_EQ(claims.error(), other_channel);
}

TEST_F(ConfirmationToken, TamperedPayloadIsRefused) {
    const std::string token = issue_token(signer_, removal_claims());
    const auto dot = token.rfind('.');
    std::string payload = *TestSigner::unhex(token.substr(0, dot));
    const auto at = payload.find("user2@example.com");
    ASSERT_NE(at, std::string::npos);
    payload.replace(at, 5, "user4");
    const std::string forged = TestSigner::hex(payload) + token.substr(dot);

    auto claims = check_token(signer_, forged, proposer(), issued_at);
    ASSERT_FALSE(claims.has_value());
    EXPECT_EQ(claims.error(), invalid);
}

TEST_F(ConfirmationToken, AlteredOrTruncatedSealIsRefused) {
    const std::string token = issue_token(signer_, removal_claims());
    std::string altered = token;
    altered.back() = altered.back() == '0' ? '1' : '0';
    for (const std::string& bad : {altered, token.substr(0, token.size() - 4), token.substr(4)}) {
        auto claims = check_token(signer_, bad, proposer(), issued_at);
        ASSERT_FALSE(claims.has_value());
        EXPECT_EQ(claims.error(), invalid);
    }
}

TEST_F(ConfirmationToken, GarbageIsRefused) {
    for (std::string_view garbage : {"", "hello", "abc.def", "."}) {
        auto claims = check_token(signer_, garbage, proposer(), issued_at);
        ASSERT_FALSE(claims.has_value()) << garbage;
        EXPECT_EQ(claims.error(), invalid);
    }
}

TEST_F(ConfirmationToken, TokenFromAnotherKeyIsRefused) {
    const TestSigner other_bot{"key-two"};
    auto claims = check_token(signer_, issue_token(other_bot, removal_claims()), proposer(), issued_at);
    ASSERT_FALSE(claims.has_value());
    EXPECT_EQ(claims.error(), invalid);
}

TEST_F(ConfirmationToken, GenuinelySealedButNotAConfirmationIsRefused) {
    // The key may seal other things one day; only well-formed claims count.
    const std::string genuine = *signer_.open(issue_token(signer_, removal_claims()));
    for (const std::string& payload :
         {std::string("hello"), genuine + "\nextra", genuine.substr(0, genuine.rfind('\n'))}) {
        auto claims = check_token(signer_, signer_.seal(payload), proposer(), issued_at);
        ASSERT_FALSE(claims.has_value());
        EXPECT_EQ(claims.error(), invalid);
    }
}

TEST_F(ConfirmationToken, AnExpiryBeyondTheClockIsRefused) {
    // Found by fuzzing: 99999999999999 seconds overflowed the clock's nanoseconds and came out as some
    // other time.
    const std::string genuine = *signer_.open(issue_token(signer_, removal_claims()));
    const std::string far = genuine.substr(0, genuine.rfind('\n') + 1) + "99999999999999";
    EXPECT_FALSE(read_token(signer_, signer_.seal(far)));
    auto claims = check_token(signer_, signer_.seal(far), proposer(), issued_at);
    ASSERT_FALSE(claims.has_value());
    EXPECT_EQ(claims.error(), invalid);
}

TEST_F(ConfirmationToken, IdentityIsCheckedBeforeExpiry) {
    // Someone else learns nothing about a token that is not theirs, not even its deadline.
    Actor other = proposer();
    other.user_id = "U2";
    auto claims = check_token(signer_, issue_token(signer_, removal_claims()), other, issued_at + 1h);
    ASSERT_FALSE(claims.has_value());
    EXPECT_EQ(claims.error(), someone_else);
}

}  // namespace
}  // namespace collab
