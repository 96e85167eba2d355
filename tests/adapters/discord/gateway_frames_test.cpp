// Gateway frames against Discord's documented examples (tests/fixtures/discord).

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "adapters/chat/discord/gateway_frames.hpp"
#include "adapters/net/backoff.hpp"
#include "fixtures.hpp"

namespace collab::discord {
namespace {

using testing::fixture;
namespace json = boost::json;

TEST(GatewayFrames, DecodeDiscordsExamples) {
    auto hello = decode_gateway_frame(fixture("discord_gateway_hello_op10.json"));
    ASSERT_TRUE(hello) << hello.error();
    EXPECT_EQ(hello->event.kind, GatewayEventKind::hello);
    EXPECT_EQ(hello->event.heartbeat_interval, std::chrono::milliseconds{45'000});

    auto ack = decode_gateway_frame(fixture("discord_gateway_heartbeat_ack_op11.json"));
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->event.kind, GatewayEventKind::heartbeat_ack);

    auto request = decode_gateway_frame(fixture("discord_gateway_heartbeat_op1.json"));
    ASSERT_TRUE(request);
    EXPECT_EQ(request->event.kind, GatewayEventKind::heartbeat_request);

    auto reconnect = decode_gateway_frame(fixture("discord_gateway_reconnect_op7.json"));
    ASSERT_TRUE(reconnect);
    EXPECT_EQ(reconnect->event.kind, GatewayEventKind::reconnect);

    auto invalid = decode_gateway_frame(fixture("discord_gateway_invalid_session_op9.json"));
    ASSERT_TRUE(invalid);
    EXPECT_EQ(invalid->event.kind, GatewayEventKind::invalid_session);
    EXPECT_FALSE(invalid->event.resumable);
    EXPECT_TRUE(decode_gateway_frame(R"({"op":9,"d":true})")->event.resumable);
}

TEST(GatewayFrames, DispatchesCarryTheirSequenceAndData) {
    auto ready = decode_gateway_frame(
        R"({"op":0,"s":1,"t":"READY","d":{"v":10,"session_id":"abc","resume_gateway_url":"wss://resume.discord.gg",)"
        R"("application":{"id":"777","flags":0},"user":{"id":"777"},"guilds":[]}})");
    ASSERT_TRUE(ready) << ready.error();
    EXPECT_EQ(ready->event.kind, GatewayEventKind::ready);
    EXPECT_EQ(ready->event.session, (GatewaySession{"abc", "wss://resume.discord.gg"}));
    EXPECT_EQ(ready->event.sequence, 1);
    EXPECT_EQ(ready->application_id, "777");

    const std::string interaction = fixture("discord_interaction_slash_command_cardsearch.json");
    auto create = decode_gateway_frame(R"({"op":0,"s":42,"t":"INTERACTION_CREATE","d":)" + interaction + "}");
    ASSERT_TRUE(create) << create.error();
    EXPECT_EQ(create->event.kind, GatewayEventKind::dispatch);
    EXPECT_EQ(create->event.sequence, 42);
    EXPECT_EQ(create->dispatch_name, "INTERACTION_CREATE");
    ASSERT_TRUE(create->data);
    EXPECT_EQ(create->data->at("id").as_string(), "786008729715212338");

    EXPECT_EQ(decode_gateway_frame(R"({"op":0,"s":9,"t":"RESUMED","d":{}})")->event.kind, GatewayEventKind::resumed);
}

TEST(GatewayFrames, BadFramesSayWhatIsWrong) {
    EXPECT_EQ(decode_gateway_frame("{").error().substr(0, 14), "malformed JSON");
    EXPECT_EQ(decode_gateway_frame("[]").error(), "not a JSON object");
    EXPECT_EQ(decode_gateway_frame(R"({"d":null})").error(), "a frame without a numeric op");
    EXPECT_EQ(decode_gateway_frame(R"({"op":10,"d":{"heartbeat_interval":0}})").error(),
              "Hello without a positive heartbeat_interval");
    EXPECT_EQ(decode_gateway_frame(R"({"op":4,"d":{}})").error(), "op 4, which the bot does not use");
    EXPECT_EQ(decode_gateway_frame(R"({"op":0,"s":1,"t":"READY","d":{"session_id":"abc"}})").error(),
              "READY without session_id or resume_gateway_url");
}

// The frames the bot sends have the shape of Discord's examples, with the least intents.
TEST(GatewayFrames, SentFramesFollowDiscordsExamples) {
    const json::value identify = json::parse(identify_frame("my_token", {}));
    const json::value example = json::parse(fixture("discord_gateway_identify_op2_minimal.json"));
    EXPECT_EQ(identify.at("op"), example.at("op"));
    EXPECT_EQ(identify.at("d").at("token"), example.at("d").at("token"));
    EXPECT_EQ(identify.at("d").at("intents"), 0);
    EXPECT_EQ(identify.at("d").at("properties").at("os"), "linux");
    EXPECT_FALSE(identify.at("d").as_object().contains("shard"));
    EXPECT_EQ(json::parse(identify_frame("t", {2, 3})).at("d").at("shard"), json::parse("[2,3]"));

    EXPECT_EQ(json::parse(resume_frame("my_token", {"session_id_i_stored", "wss://x"}, 1337)),
              json::parse(fixture("discord_gateway_resume_op6.json")));
    EXPECT_EQ(json::parse(heartbeat_frame(251)), json::parse(fixture("discord_gateway_heartbeat_op1.json")));
    EXPECT_EQ(json::parse(heartbeat_frame(std::nullopt)), json::parse(R"({"op":1,"d":null})"));
    EXPECT_LE(identify_frame(std::string(1'000, 't'), {}).size(), max_sent_frame);
}

// The 121st frame within a minute waits until the first one is a minute old.
TEST(GatewayFrames, TheSendLimitIsDiscords) {
    net::TokenBucket sends(max_sends, send_window);
    const auto start = net::TokenBucket::Clock::now();
    for (int i = 0; i < 120; ++i) EXPECT_EQ(sends.try_take(start), std::nullopt);
    EXPECT_EQ(sends.try_take(start + std::chrono::seconds{1}), std::chrono::seconds{59});
}

TEST(GatewayFrames, ConnectUrlsCarryVersionAndEncoding) {
    EXPECT_EQ(connect_url("wss://gateway.discord.gg/"), "wss://gateway.discord.gg/?v=10&encoding=json");
    EXPECT_EQ(connect_url("wss://gateway-us-east1-b.discord.gg"),
              "wss://gateway-us-east1-b.discord.gg/?v=10&encoding=json");
    EXPECT_EQ(connect_url("ws://127.0.0.1:5000/gateway?v=9"), "ws://127.0.0.1:5000/gateway/?v=10&encoding=json");
}

}  // namespace
}  // namespace collab::discord
