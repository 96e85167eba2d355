// HTTP mode: the signing-secret check with the Python SDK's vector, and form-encoded slash commands.

#include "adapters/chat/slack/signature.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "tests/adapters/slack/fixtures.hpp"

namespace collab::slack {
namespace {

using testing::fixture;

struct Vector {
    std::string secret, timestamp, signature, body;
    TimePoint at;
};

Vector vector() {
    const auto json = boost::json::parse(fixture("py-sdk_signature_verifier_vector.json")).as_object();
    Vector v{std::string(json.at("signing_secret").as_string()),
             std::string(json.at("x_slack_request_timestamp").as_string()),
             std::string(json.at("x_slack_signature").as_string()),
             std::string(json.at("body").as_string()),
             {}};
    v.at = TimePoint{std::chrono::seconds{std::stoll(v.timestamp)}};
    return v;
}

TEST(SlackSignature, ThePythonSdkVectorPasses) {
    const Vector v = vector();
    EXPECT_EQ(compute_signature(v.secret, v.timestamp, v.body),
              "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503");
    auto verified = verify_signature(v.secret, v.timestamp, v.body, v.signature, v.at);
    EXPECT_TRUE(verified) << verified.error().reason;
    // Within the window on either side.
    EXPECT_TRUE(verify_signature(v.secret, v.timestamp, v.body, v.signature, v.at + std::chrono::seconds{300}));
    EXPECT_TRUE(verify_signature(v.secret, v.timestamp, v.body, v.signature, v.at - std::chrono::seconds{300}));
}

TEST(SlackSignature, ATamperedBodyOrSecretIsAMismatch) {
    const Vector v = vector();
    std::string body = v.body;
    body.replace(body.find("roadrunner"), 10, "coyote0000");
    auto tampered = verify_signature(v.secret, v.timestamp, body, v.signature, v.at);
    ASSERT_FALSE(tampered);
    EXPECT_EQ(tampered.error().failure, SignatureFailure::mismatch);
    auto wrong_secret = verify_signature("another-secret", v.timestamp, v.body, v.signature, v.at);
    ASSERT_FALSE(wrong_secret);
    EXPECT_EQ(wrong_secret.error().failure, SignatureFailure::mismatch);
    // The timestamp is signed too: moving it (within the window) breaks the signature.
    const std::string moved = std::to_string(std::stoll(v.timestamp) + 1);
    auto replayed = verify_signature(v.secret, moved, v.body, v.signature, v.at);
    ASSERT_FALSE(replayed);
    EXPECT_EQ(replayed.error().failure, SignatureFailure::mismatch);
}

TEST(SlackSignature, AnOldOrFutureTimestampIsStale) {
    const Vector v = vector();
    for (auto offset : {std::chrono::seconds{301}, std::chrono::seconds{-301}, std::chrono::seconds{86400}}) {
        auto stale = verify_signature(v.secret, v.timestamp, v.body, v.signature, v.at + offset);
        ASSERT_FALSE(stale) << offset.count();
        EXPECT_EQ(stale.error().failure, SignatureFailure::stale) << offset.count();
    }
}

TEST(SlackSignature, ATimestampBeyondWhatAClockHoldsIsStale) {
    // 11 and 12 digits are more seconds than a TimePoint holds: converted unchecked, they wrapped to
    // some other time, and a request signed with such a timestamp passed when the clock read that time.
    const Vector v = vector();
    for (std::string timestamp : {"99999999999", "999999999999", "9223372037"}) {
        const auto seconds = static_cast<std::uint64_t>(std::stoll(timestamp));
        const auto wrapped = static_cast<std::int64_t>(seconds * 1'000'000'000u);
        const TimePoint clock_at_wrapped_time{TimePoint::duration{wrapped}};
        const std::string signature = compute_signature(v.secret, timestamp, v.body);
        for (TimePoint now : {v.at, clock_at_wrapped_time}) {
            auto result = verify_signature(v.secret, timestamp, v.body, signature, now);
            ASSERT_FALSE(result) << timestamp;
            EXPECT_EQ(result.error().failure, SignatureFailure::stale) << timestamp;
        }
    }
}

TEST(SlackSignature, AFarTimestampDoesNotWrapOntoThePresent) {
    // Found by fuzzing: 18446744074 s after the vector's time is 2^64 ns plus 0.29 s, so in nanoseconds
    // it wrapped onto the present, and a request signed with it passed as fresh.
    const Vector v = vector();
    const std::string far = std::to_string(std::stoll(v.timestamp) + 18'446'744'074);
    auto verified = verify_signature(v.secret, far, v.body, compute_signature(v.secret, far, v.body), v.at);
    ASSERT_FALSE(verified);
    EXPECT_EQ(verified.error().failure, SignatureFailure::stale);
    for (std::string_view twelve_digits : {"999999999999", "100000000000"}) {
        auto refused =
            verify_signature(v.secret, twelve_digits, v.body, compute_signature(v.secret, twelve_digits, v.body), v.at);
        ASSERT_FALSE(refused) << twelve_digits;
        EXPECT_EQ(refused.error().failure, SignatureFailure::stale) << twelve_digits;
    }
}

TEST(SlackSignature, MalformedHeadersAreRefused) {
    const Vector v = vector();
    for (std::string timestamp : {"", "abc", "-1531420618", "1531420618.5", " 1531420618", "99999999999999999999"}) {
        auto result = verify_signature(v.secret, timestamp, v.body, v.signature, v.at);
        ASSERT_FALSE(result) << timestamp;
        EXPECT_EQ(result.error().failure, SignatureFailure::bad_format) << timestamp;
    }
    for (std::string signature : {std::string(), std::string("v1=") + v.signature.substr(3), v.signature.substr(0, 66),
                                  v.signature + "0", v.signature.substr(3)}) {
        auto result = verify_signature(v.secret, v.timestamp, v.body, signature, v.at);
        ASSERT_FALSE(result) << signature;
        EXPECT_EQ(result.error().failure, SignatureFailure::bad_format) << signature;
    }
}

TEST(SlackForm, TheSignedVectorBodyIsASlashCommand) {
    auto command = decode_slash_command_form(vector().body);
    ASSERT_TRUE(command) << command.error().reason;
    EXPECT_EQ(command->team_id, "T1DC2JH3J");
    EXPECT_EQ(command->channel_id, "G8PSS9T3V");
    EXPECT_EQ(command->user_id, "U2CERLKJA");
    EXPECT_EQ(command->user_name, "roadrunner");
    EXPECT_EQ(command->command, "/webhook-collect");
    EXPECT_EQ(command->text, "");
    EXPECT_EQ(command->response_url,
              "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN");
    EXPECT_EQ(command->trigger_id, "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c");
    EXPECT_EQ(command->enterprise_id, "");
    EXPECT_FALSE(command->is_enterprise_install);
}

TEST(SlackForm, BoltJsEnterpriseBody) {
    auto command = decode_slash_command_form(fixture("bolt-js_slash_command_form_body_enterprise.txt"));
    ASSERT_TRUE(command) << command.error().reason;
    EXPECT_EQ(command->team_id, "T111");
    EXPECT_EQ(command->channel_id, "C111");
    EXPECT_EQ(command->user_id, "W111");
    EXPECT_EQ(command->user_name, "primary-owner");
    EXPECT_EQ(command->command, "/hello-bolt-js");
    EXPECT_EQ(command->text, "");
    EXPECT_EQ(command->response_url, "https://hooks.slack.com/commands/T111/111/xxx");
    EXPECT_EQ(command->trigger_id, "111.222.xxx");
    EXPECT_EQ(command->enterprise_id, "E111");
    EXPECT_FALSE(command->is_enterprise_install);
}

TEST(SlackForm, PlusIsASpaceAndEscapesAreDecoded) {
    auto command = decode_slash_command_form(
        "team_id=T1&channel_id=C1&user_id=U1&command=%2Fcollab&response_url=https%3A%2F%2Fx"
        "&text=add+my-db+%3Cmailto%3Aa%2Bb%40x.com%7Ca%2Bb%40x.com%3E&is_enterprise_install=true");
    ASSERT_TRUE(command) << command.error().reason;
    EXPECT_EQ(command->text, "add my-db <mailto:a+b@x.com|a+b@x.com>");
    EXPECT_TRUE(command->is_enterprise_install);
}

TEST(SlackForm, NothingIsReadPastTheEndOfTheBody) {
    // The body as a view into a longer buffer, as a parser's buffer may hold more than one request.
    const std::string buffer =
        "team_id=T1&channel_id=C1&user_id=U1&command=%2Fcollab&response_url=r&text=list+db&trigger_id=t1"
        "&user_id=U666";
    const auto end = buffer.find("&user_id=U666");
    auto command = decode_slash_command_form(std::string_view(buffer).substr(0, end));
    ASSERT_TRUE(command) << command.error().reason;
    EXPECT_EQ(command->trigger_id, "t1");
    EXPECT_EQ(command->user_id, "U1");
    EXPECT_EQ(command->text, "list db");
}

TEST(SlackForm, IncompleteOrMalformedBodiesAreErrors) {
    auto missing = decode_slash_command_form("team_id=T1&channel_id=C1&command=%2Fcollab&text=&response_url=x");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().reason, "slash command without user_id");
    auto no_text = decode_slash_command_form("team_id=T1&channel_id=C1&user_id=U1&command=%2Fcollab&response_url=x");
    ASSERT_FALSE(no_text);
    EXPECT_EQ(no_text.error().reason, "slash command without text");
    auto bad_escape = decode_slash_command_form("team_id=T1&text=%zz");
    ASSERT_FALSE(bad_escape);
    EXPECT_EQ(bad_escape.error().reason, "not a form-encoded body");
    EXPECT_FALSE(decode_slash_command_form(""));
}

TEST(SlackForm, InteractivityPayloadField) {
    const std::string json = fixture("bolt-python_block_actions_button_payload.json");
    std::string encoded = "payload=";
    for (unsigned char c : json) {
        static constexpr char hex[] = "0123456789ABCDEF";
        if (std::isalnum(c)) {
            encoded += static_cast<char>(c);
        } else {
            encoded += '%';
            encoded += hex[c >> 4];
            encoded += hex[c & 15];
        }
    }
    auto action = decode_block_actions_form(encoded);
    ASSERT_TRUE(action) << action.error().reason;
    EXPECT_EQ(action->action_id, "button");
    EXPECT_EQ(action->value, "clicked");
    EXPECT_EQ(action->user_id, "U111");
    EXPECT_FALSE(decode_block_actions_form("token=x"));
}

}  // namespace
}  // namespace collab::slack
