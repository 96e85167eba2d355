// Socket Mode frames as Slack's SDKs and documentation record them, and frames that must be refused.

#include "adapters/chat/slack/envelope.hpp"

#include <tuple>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "adapters/chat/slack/interactions.hpp"
#include "adapters/json/append.hpp"
#include "tests/adapters/slack/fixtures.hpp"

namespace collab::slack {
namespace {

using testing::fixture;

template <typename T>
T decoded_as(const std::string& text) {
    auto frame = decode_frame(text);
    if (!frame) ADD_FAILURE() << "decode error: " << frame.error().reason;
    if (!frame || !std::holds_alternative<T>(*frame)) {
        ADD_FAILURE() << "not the expected kind of frame";
        return T{};
    }
    return std::get<T>(*frame);
}

Envelope envelope(const std::string& name) {
    return decoded_as<Envelope>(fixture(name));
}

TEST(SlackEnvelope, EventsApiMessageEventsFromTheSdks) {
    const Envelope mention = envelope("py-sdk_events_api_app_mention.json");
    EXPECT_EQ(mention.type, EnvelopeType::events_api);
    ASSERT_TRUE(mention.message_event);
    EXPECT_EQ(mention.message_event->type, "app_mention");
    EXPECT_EQ(mention.message_event->event_id, "Ev111");
    EXPECT_EQ(mention.message_event->user_id, "U222");
    EXPECT_EQ(mention.message_event->channel_id, "C111");
    EXPECT_EQ(mention.message_event->ts, "1610241741.000200");
    EXPECT_EQ(mention.message_event->text, "<@U111>");

    // Slack's re-delivery: the same event id, whatever the envelope.
    const Envelope retried = envelope("node-socket-mode_events_api_app_mention_retry2.json");
    EXPECT_EQ(retried.retry_attempt, 2);
    EXPECT_EQ(retried.retry_reason, "timeout");
    EXPECT_EQ(event_claim_key(*retried.message_event, retried.envelope_id),
              event_claim_key(*mention.message_event, mention.envelope_id));

    const Envelope message = envelope("bolt-python_events_api_message_retry1_timeout.json");
    ASSERT_TRUE(message.message_event);
    EXPECT_EQ(message.message_event->channel_type, "channel");
    // A channel message that is no mention of the bot is left alone: app_mention brings those.
    EXPECT_FALSE(message_request(*message.message_event, "W111", "k"));
}

TEST(SlackEnvelope, AMessageAddressedToTheBotLosesItsMentionAndMarkup) {
    MessageEvent direct{"Ev1", "T1", "message", "", "D1", "im", "U1", "", "list my-db &amp; <mailto:a@b.c|a@b.c>",
                        "1.2", ""};
    auto request = message_request(direct, "UBOT", "k");
    ASSERT_TRUE(request);
    EXPECT_EQ(request->text, "list my-db & a@b.c");
    EXPECT_TRUE(request->origin.direct);
    EXPECT_EQ(request->origin.thread, "") << "a direct message is answered where it was written";

    MessageEvent mention{"Ev2", "T1", "app_mention", "", "C1", "", "U1", "", "<@UBOT|collab-bot>  whoami", "1.2", ""};
    request = message_request(mention, "UBOT", "k");
    ASSERT_TRUE(request);
    EXPECT_EQ(request->text, "  whoami");
    EXPECT_EQ(request->origin.thread, "1.2");
    EXPECT_FALSE(request->origin.direct);
    EXPECT_EQ(request->origin.actor.user_id, "U1");

    // The bot's own message, and another bot's.
    MessageEvent own = direct;
    own.user_id = "UBOT";
    EXPECT_FALSE(message_request(own, "UBOT", "k"));
    MessageEvent edited = direct;
    edited.subtype = "message_changed";
    EXPECT_FALSE(message_request(edited, "UBOT", "k"));
}

TEST(SlackEnvelope, TheEventsUrlsChallengeAndCallbacks) {
    auto check = decode_event_request(R"({"token":"x","challenge":"abc123","type":"url_verification"})");
    ASSERT_TRUE(check);
    EXPECT_EQ(std::get<UrlVerification>(*check).challenge, "abc123");
    const std::string payload =
        boost::json::serialize(boost::json::parse(fixture("py-sdk_events_api_message.json")).at("payload"));
    auto event = decode_event_request(payload);
    ASSERT_TRUE(event);
    EXPECT_EQ(std::get<MessageEvent>(*event).text, "<@U111> Hi here!");
    auto other = decode_event_request(R"({"type":"event_callback","event":{"type":"reaction_added"}})");
    ASSERT_TRUE(other);
    EXPECT_EQ(std::get<OtherEvent>(*other).type, "reaction_added");
    EXPECT_FALSE(decode_event_request("{not json"));
}

TEST(SlackEnvelope, HelloFromThePythonSdk) {
    Hello hello = decoded_as<Hello>(fixture("py-sdk_hello.json"));
    EXPECT_EQ(hello.num_connections, 2);
    EXPECT_EQ(hello.app_id, "A111");
}

TEST(SlackEnvelope, TheHelloPublishedInSlacksDocumentationIsNotJson) {
    auto frame = decode_frame(fixture("slackdocs_socket_mode_hello_AS_PUBLISHED_invalid_json.txt"));
    ASSERT_FALSE(frame);
    EXPECT_TRUE(frame.error().reason.starts_with("malformed JSON")) << frame.error().reason;
    EXPECT_EQ(frame.error().envelope_id, "");
}

TEST(SlackEnvelope, DisconnectReasons) {
    Disconnect too_many = decoded_as<Disconnect>(fixture("py-sdk_disconnect_too_many_websockets.json"));
    EXPECT_EQ(too_many.reason, DisconnectReason::too_many_websockets);
    EXPECT_EQ(too_many.reason_text, "too_many_websockets");
    EXPECT_EQ(decoded_as<Disconnect>(fixture("slackdocs_socket_mode_disconnect_link_disabled.json")).reason,
              DisconnectReason::link_disabled);
    EXPECT_EQ(decoded_as<Disconnect>(fixture("slackdocs_socket_mode_disconnect_refresh_requested.json")).reason,
              DisconnectReason::refresh_requested);
    EXPECT_EQ(decoded_as<Disconnect>(fixture("slackdocs_socket_mode_disconnect_warning.json")).reason,
              DisconnectReason::warning);
    Disconnect other = decoded_as<Disconnect>(R"({"type":"disconnect","reason":"maintenance"})");
    EXPECT_EQ(other.reason, DisconnectReason::other);
    EXPECT_EQ(other.reason_text, "maintenance");
}

TEST(SlackEnvelope, SlashCommandFromThePythonSdk) {
    Envelope e = envelope("py-sdk_slash_commands.json");
    EXPECT_EQ(e.envelope_id, "1d3c79ab-0ffb-41f3-a080-d19e85f53649");
    EXPECT_EQ(e.type, EnvelopeType::slash_commands);
    EXPECT_TRUE(e.accepts_response_payload);
    EXPECT_EQ(e.retry_attempt, 0);
    EXPECT_EQ(e.retry_reason, "");
    EXPECT_FALSE(e.block_action);
    ASSERT_TRUE(e.slash_command);
    const SlashCommand& c = *e.slash_command;
    EXPECT_EQ(c.team_id, "T111");
    EXPECT_EQ(c.channel_id, "C111");
    EXPECT_EQ(c.user_id, "U111");
    EXPECT_EQ(c.user_name, "testxyz");
    EXPECT_EQ(c.command, "/hello-socket-mode");
    EXPECT_EQ(c.text, "");
    EXPECT_EQ(c.response_url, "https://hooks.slack.com/commands/T111/111/xxx");
    EXPECT_EQ(c.trigger_id, "111.222.xxx");
    EXPECT_EQ(c.enterprise_id, "");
    EXPECT_FALSE(c.is_enterprise_install);
}

TEST(SlackEnvelope, SlashCommandFromTheNodeSdk) {
    Envelope e = envelope("node-socket-mode_slash_commands.json");
    EXPECT_EQ(e.envelope_id, "1d3c79ab-0ffb-41f3-a080-d19e85f53649");
    EXPECT_EQ(e.type, EnvelopeType::slash_commands);
    EXPECT_TRUE(e.accepts_response_payload);
    ASSERT_TRUE(e.slash_command);
    EXPECT_EQ(e.slash_command->user_name, "seratch");
    EXPECT_EQ(e.slash_command->team_id, "T111");
    EXPECT_EQ(e.slash_command->user_id, "U111");
    EXPECT_EQ(e.slash_command->command, "/hello-socket-mode");
    EXPECT_EQ(e.slash_command->response_url, "https://hooks.slack.com/commands/T111/111/xxx");
}

TEST(SlackEnvelope, SlashCommandFromSlacksDocumentation) {
    Envelope e = envelope("slackdocs_socket_mode_slash_commands_envelope.json");
    EXPECT_EQ(e.envelope_id, "dbdd0ef3-1543-4f94-bfb4-133d0e6c1545");
    EXPECT_EQ(e.type, EnvelopeType::slash_commands);
    EXPECT_TRUE(e.accepts_response_payload);
    ASSERT_TRUE(e.slash_command);
    const SlashCommand& c = *e.slash_command;
    EXPECT_EQ(c.team_id, "T123ABC456");
    EXPECT_EQ(c.channel_id, "C123ABC456");
    EXPECT_EQ(c.user_id, "U123ABC456");
    EXPECT_EQ(c.user_name, "rainer");
    EXPECT_EQ(c.command, "/randorilke");
    EXPECT_EQ(c.text, "");
    EXPECT_EQ(c.response_url, "https://rilke.slack.com/commands/T0SNL8S4S/37053613554/YMB2ZESDLNjNLqSFZ1quhNAh");
    EXPECT_EQ(c.trigger_id, "37053613634.26768298162.440952c06ef4de2653466a48fe495f93");
}

TEST(SlackEnvelope, EnterpriseInstallFlagAsStringOrBoolean) {
    const std::string head =
        R"({"envelope_id":"e1","type":"slash_commands","accepts_response_payload":true,"payload":{"team_id":"T1",)"
        R"("channel_id":"C1","user_id":"U1","command":"/collab","text":"list my-db","enterprise_id":"E1",)"
        R"("response_url":"https://hooks.slack.com/x","is_enterprise_install":)";
    for (auto [flag, expected] : {std::pair{"\"false\"", false}, std::pair{"false", false}, std::pair{"\"true\"", true},
                                  std::pair{"true", true}}) {
        Envelope e = decoded_as<Envelope>(head + flag + "}}");
        ASSERT_TRUE(e.slash_command);
        EXPECT_EQ(e.slash_command->is_enterprise_install, expected) << flag;
        EXPECT_EQ(e.slash_command->enterprise_id, "E1");
        EXPECT_EQ(e.slash_command->text, "list my-db");
    }
}

TEST(SlackEnvelope, EventsApiEnvelopes) {
    Envelope mention = envelope("py-sdk_events_api_app_mention.json");
    EXPECT_EQ(mention.envelope_id, "cda4159a-72a5-4744-aba3-4d66eb52682b");
    EXPECT_EQ(mention.type, EnvelopeType::events_api);
    EXPECT_FALSE(mention.accepts_response_payload);
    EXPECT_EQ(mention.retry_attempt, 0);
    EXPECT_EQ(mention.retry_reason, "");
    EXPECT_FALSE(mention.slash_command);

    Envelope message = envelope("py-sdk_events_api_message.json");
    EXPECT_EQ(message.envelope_id, "ac2cfd40-6f8c-4d5e-a1ad-646e532baa19");
    EXPECT_EQ(message.type, EnvelopeType::events_api);
    EXPECT_EQ(message.retry_attempt, 0);
}

TEST(SlackEnvelope, RedeliveredEventsCarryTheirRetry) {
    Envelope bolt = envelope("bolt-python_events_api_message_retry1_timeout.json");
    EXPECT_EQ(bolt.envelope_id, "08cfc559-d933-402e-a5c1-79e135afaae4");
    EXPECT_EQ(bolt.type, EnvelopeType::events_api);
    EXPECT_FALSE(bolt.accepts_response_payload);
    EXPECT_EQ(bolt.retry_attempt, 1);
    EXPECT_EQ(bolt.retry_reason, "timeout");

    for (const char* name :
         {"node-socket-mode_events_api_app_mention_retry2.json", "node-socket-mode_events_api_message_retry2.json"}) {
        Envelope node = envelope(name);
        EXPECT_EQ(node.envelope_id, "cda4159a-72a5-4744-aba3-4d66eb52682b") << name;
        EXPECT_EQ(node.type, EnvelopeType::events_api) << name;
        EXPECT_EQ(node.retry_attempt, 2) << name;
        EXPECT_EQ(node.retry_reason, "timeout") << name;
    }
}

TEST(SlackEnvelope, ShortcutsAreInteractiveButNotBlockActions) {
    for (const char* name : {"py-sdk_interactive_shortcut.json", "node-socket-mode_interactive_shortcut.json"}) {
        Envelope e = envelope(name);
        EXPECT_EQ(e.envelope_id, "57d6a792-4d35-4d0b-b6aa-3361493e1caf") << name;
        EXPECT_EQ(e.type, EnvelopeType::interactive) << name;
        EXPECT_EQ(e.interactive_type, "shortcut") << name;
        EXPECT_FALSE(e.accepts_response_payload) << name;
        EXPECT_FALSE(e.block_action) << name;
    }
}

TEST(SlackEnvelope, TheLargeBlockActionsFrameDecodes) {
    const std::string text = fixture("py-sdk_interactive_block_actions_large_static_select.json");
    ASSERT_GT(text.size(), 65'000u);
    Envelope e = decoded_as<Envelope>(text);
    EXPECT_EQ(e.envelope_id, "dfb98ec6-45a8-4200-98af-7d05fb6fb44f");
    EXPECT_EQ(e.type, EnvelopeType::interactive);
    EXPECT_EQ(e.interactive_type, "block_actions");
    ASSERT_TRUE(e.block_action);
    const BlockAction& a = *e.block_action;
    EXPECT_EQ(a.user_id, "U12345678");
    EXPECT_EQ(a.team_id, "T12345678");
    EXPECT_EQ(a.action_id, "a");
    EXPECT_EQ(a.value, std::string(75, 'a'));  // the selected option's value
    // A click in a modal: no channel, no message, no response_url.
    EXPECT_EQ(a.channel_id, "");
    EXPECT_EQ(a.response_url, "");
    EXPECT_EQ(a.message_ts, "");
}

TEST(SlackEnvelope, AButtonClickPayloadFromBoltPython) {
    auto action = decode_block_actions(fixture("bolt-python_block_actions_button_payload.json"));
    ASSERT_TRUE(action) << action.error().reason;
    EXPECT_EQ(action->user_id, "U111");
    EXPECT_EQ(action->team_id, "T0G9PQBBK");
    EXPECT_EQ(action->channel_id, "C111");
    EXPECT_EQ(action->response_url, "http://localhost:8888/webhook");
    EXPECT_EQ(action->action_id, "button");
    EXPECT_EQ(action->value, "clicked");
    EXPECT_EQ(action->message_ts, "1678252213.679169");
}

TEST(SlackEnvelope, AButtonClickInsideAnEnvelope) {
    const std::string text = R"({"envelope_id":"b1","type":"interactive","accepts_response_payload":false,"payload":)" +
                             fixture("bolt-python_block_actions_button_payload.json") + "}";
    Envelope e = decoded_as<Envelope>(text);
    ASSERT_TRUE(e.block_action);
    EXPECT_EQ(e.block_action->value, "clicked");
    EXPECT_EQ(e.block_action->channel_id, "C111");
}

TEST(SlackEnvelope, AnUnknownEnvelopeTypeIsStillAnEnvelopeToAcknowledge) {
    Envelope e = decoded_as<Envelope>(R"({"envelope_id":"x1","type":"something_new","payload":{}})");
    EXPECT_EQ(e.type, EnvelopeType::other);
    EXPECT_EQ(e.type_text, "something_new");
    EXPECT_EQ(e.envelope_id, "x1");
}

TEST(SlackEnvelope, AnIncompleteSlashCommandIsAnErrorThatKeepsTheEnvelopeId) {
    auto frame = decode_frame(
        R"({"envelope_id":"e2","type":"slash_commands","payload":{"team_id":"T1","channel_id":"C1","command":"/collab","text":"","response_url":"https://x"}})");
    ASSERT_FALSE(frame);
    EXPECT_EQ(frame.error().reason, "slash command without user_id");
    EXPECT_EQ(frame.error().envelope_id, "e2");

    auto no_payload = decode_frame(R"({"envelope_id":"e3","type":"slash_commands"})");
    ASSERT_FALSE(no_payload);
    EXPECT_EQ(no_payload.error().envelope_id, "e3");

    auto no_text = decode_frame(
        R"({"envelope_id":"e4","type":"slash_commands","payload":{"team_id":"T1","channel_id":"C1","user_id":"U1","command":"/collab","response_url":"https://x"}})");
    ASSERT_FALSE(no_text);
    EXPECT_EQ(no_text.error().reason, "slash command without text");
}

TEST(SlackEnvelope, ASlashCommandsFirstFieldOfANameCountsAndOnlyStringsAreText) {
    Envelope e = decoded_as<Envelope>(
        R"({"envelope_id":"e5","type":"slash_commands","payload":{"user_id":"U1","team_id":"T1","user_id":"U2",)"
        R"("channel_id":"C1","command":"/collab","text":"list db","text":"remove db a@example.com",)"
        R"("response_url":"https://x","trigger_id":42,"is_enterprise_install":true,"is_enterprise_install":false}})");
    ASSERT_TRUE(e.slash_command);
    EXPECT_EQ(e.slash_command->user_id, "U1");
    EXPECT_EQ(e.slash_command->text, "list db");
    EXPECT_EQ(e.slash_command->trigger_id, "") << "a number is not a trigger id";
    EXPECT_TRUE(e.slash_command->is_enterprise_install);

    auto text_not_a_string = decode_frame(
        R"({"envelope_id":"e6","type":"slash_commands","payload":{"team_id":"T1","channel_id":"C1","user_id":"U1",)"
        R"("command":"/collab","text":null,"text":"list","response_url":"https://x"}})");
    ASSERT_FALSE(text_not_a_string);
    EXPECT_EQ(text_not_a_string.error().reason, "slash command without text");
}

TEST(SlackEnvelope, UnknownFramesAreErrors) {
    auto unknown = decode_frame(R"({"type":"goodbye"})");
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().reason, "unknown frame type 'goodbye'");
    auto untyped = decode_frame(R"({"hello":1})");
    ASSERT_FALSE(untyped);
    EXPECT_EQ(untyped.error().reason, "frame without a type or an envelope_id");
}

TEST(SlackEnvelope, GarbageNeverCrashes) {
    for (std::string garbage : {std::string(), std::string("{"), std::string("[]"), std::string("null"),
                                std::string("\"hello\""), std::string("\xff\xfe\x00\x01", 4),
                                std::string("{\"type\":\"hello\"}}"), std::string("{\"type\":\"hel\xc3\x28lo\"}")}) {
        EXPECT_FALSE(decode_frame(garbage)) << garbage;
    }
}

TEST(SlackEnvelope, EveryTruncationOfAFrameIsAnError) {
    std::string text = fixture("py-sdk_slash_commands.json");
    while (!text.empty() && text.back() == '\n') text.pop_back();  // the file ends with one
    ASSERT_TRUE(decode_frame(text));
    for (std::size_t length = 0; length < text.size(); ++length)
        EXPECT_FALSE(decode_frame(std::string_view(text).substr(0, length))) << length;
    const std::string large = fixture("py-sdk_interactive_block_actions_large_static_select.json");
    EXPECT_FALSE(decode_frame(std::string_view(large).substr(0, large.size() / 2)));
}

TEST(SlackEnvelope, DeepNestingIsRefused) {
    const std::string arrays = std::string(100'000, '[') + std::string(100'000, ']');
    auto frame = decode_frame(arrays);
    ASSERT_FALSE(frame);
    EXPECT_EQ(frame.error().reason, "JSON nested deeper than 64");

    std::string nested = R"({"envelope_id":"e5","type":"events_api","payload":)";
    for (int i = 0; i < 200; ++i) nested += R"({"a":)";
    nested += "1" + std::string(200, '}') + "}";
    EXPECT_FALSE(decode_frame(nested));
}

TEST(SlackEnvelope, OversizeFramesAreRefused) {
    const std::string text = fixture("py-sdk_interactive_block_actions_large_static_select.json");
    auto frame = decode_frame(text, DecodeLimits{.max_bytes = 60'000});
    ASSERT_FALSE(frame);
    EXPECT_EQ(frame.error().reason, "frame of 67343 bytes exceeds 60000");
}

TEST(SlackConnectionsOpen, TheUrlFromSlacksDocumentation) {
    auto url = decode_connections_open(fixture("slackdocs_apps_connections_open_response.json"));
    ASSERT_TRUE(url) << url.error().error;
    EXPECT_EQ(*url, "wss://wss.slack.com/link/?ticket=1234-5678");
}

TEST(SlackConnectionsOpen, ErrorsSayWhetherRetryingHelps) {
    auto invalid = decode_connections_open(R"({"ok":false,"error":"invalid_auth"})");
    ASSERT_FALSE(invalid);
    EXPECT_EQ(invalid.error().error, "invalid_auth");
    EXPECT_TRUE(invalid.error().permanent);
    auto limited = decode_connections_open(R"({"ok":false,"error":"ratelimited"})");
    ASSERT_FALSE(limited);
    EXPECT_EQ(limited.error().error, "ratelimited");
    EXPECT_FALSE(limited.error().permanent);
    EXPECT_FALSE(decode_connections_open("<html>502</html>"));
}

TEST(SlackAck, PlainAcknowledgement) {
    EXPECT_EQ(encode_ack("1d3c79ab-0ffb-41f3-a080-d19e85f53649"),
              R"({"envelope_id":"1d3c79ab-0ffb-41f3-a080-d19e85f53649"})");
}

TEST(SlackAck, AcknowledgementWithBlocksAsInSlacksDocumentation) {
    const boost::json::value documented =
        boost::json::parse(fixture("slackdocs_socket_mode_slash_commands_ack_with_blocks.json"));
    const auto& payload = documented.at("payload").as_object();
    const std::string ack = encode_ack("dbdd0ef3-1543-4f94-bfb4-133d0e6c1545", payload);
    EXPECT_EQ(boost::json::parse(ack), documented);
    EXPECT_TRUE(ack.starts_with(R"({"envelope_id":"dbdd0ef3-1543-4f94-bfb4-133d0e6c1545","payload":{"blocks":[)"));
}

TEST(SlackAck, APayloadAlreadyWrittenAsJsonIsCarriedAsItIs) {
    const boost::json::object payload{{"response_type", "ephemeral"}, {"text", "a \"quoted\" <word>"}};
    EXPECT_EQ(encode_ack_with_json("e-1", boost::json::serialize(payload)), encode_ack("e-1", payload));
}

TEST(SlackAck, AnIdThatNeedsEscapesStaysValidJson) {
    const std::string id = "quote\" backslash\\ tab\t bell\x07 é";
    const std::string ack = encode_ack(id);
    EXPECT_EQ(ack, boost::json::serialize(boost::json::object{{"envelope_id", id}}));
    EXPECT_EQ(boost::json::parse(ack).at("envelope_id").as_string(), id);
}

// The acknowledgement's strings are written without Boost.JSON's serializer, byte for byte as it would.
TEST(SlackAck, EveryByteIsWrittenAsBoostJsonWritesIt) {
    std::string every_byte;
    for (int c = 1; c < 256; ++c) every_byte += static_cast<char>(c);
    for (const std::string& id : {every_byte, std::string("\0x", 2), std::string("plain"), std::string()})
        EXPECT_EQ(encode_ack(id), boost::json::serialize(boost::json::object{{"envelope_id", id}}));
}

TEST(SlackAck, StringsWrittenOntoAGrowingMessageAreWholeAndInOrder) {
    std::string out = "[";
    std::string expected = "[";
    for (int round = 0; round < 200; ++round) {
        const std::string text = std::string(static_cast<std::size_t>(round * 7), 'a' + round % 26) + "\"\n" +
                                 std::string(static_cast<std::size_t>(round), 'z');
        json_out::append_string(out, text);
        expected += boost::json::serialize(boost::json::string(text));
    }
    EXPECT_EQ(out, expected);
}
// What a claim leaves for another instance reads back as the same command, whatever its text holds.
TEST(SlackWork, ASlashCommandReadsBackFromItsWork) {
    Envelope taken;
    taken.envelope_id = "e-1";
    taken.type = EnvelopeType::slash_commands;
    SlashCommand& command = taken.slash_command.emplace();
    command = SlashCommand{"T1",
                           "C1",
                           "U1",
                           "ann",
                           "/collab",
                           "add db \"x\"\\\n<mailto:a@b.c|a@b.c>",
                           "https://hooks.slack.com/commands/T1/1/abc",
                           "trig",
                           "E1",
                           true};
    auto frame = decode_frame(work_of(taken));
    ASSERT_TRUE(frame);
    const auto& back = std::get<Envelope>(*frame);
    EXPECT_EQ(back.envelope_id, "e-1");
    ASSERT_TRUE(back.slash_command);
    const SlashCommand& read = *back.slash_command;
    EXPECT_EQ(
        std::tie(read.team_id, read.channel_id, read.user_id, read.user_name, read.command, read.text,
                 read.response_url, read.trigger_id, read.enterprise_id, read.is_enterprise_install),
        std::tie(command.team_id, command.channel_id, command.user_id, command.user_name, command.command, command.text,
                 command.response_url, command.trigger_id, command.enterprise_id, command.is_enterprise_install));
}

TEST(SlackWork, AClickReadsBackFromItsWork) {
    Envelope taken;
    taken.envelope_id = "e-2";
    taken.type = EnvelopeType::interactive;
    taken.block_action = BlockAction{"U1",
                                     "T1",
                                     "C1",
                                     "https://hooks.slack.com/actions/x",
                                     "collab_confirm",
                                     "token\"with\\escapes",
                                     "1700000000.000100"};
    auto frame = decode_frame(work_of(taken));
    ASSERT_TRUE(frame);
    const auto& back = std::get<Envelope>(*frame);
    ASSERT_TRUE(back.block_action);
    const BlockAction& read = *back.block_action;
    const BlockAction& sent = *taken.block_action;
    EXPECT_EQ(std::tie(read.user_id, read.team_id, read.channel_id, read.response_url, read.action_id, read.value,
                       read.message_ts),
              std::tie(sent.user_id, sent.team_id, sent.channel_id, sent.response_url, sent.action_id, sent.value,
                       sent.message_ts));
}

}  // namespace
}  // namespace collab::slack
