// The gateway's send limit as a shard meets it: what waits, in which order, and that what waited is
// counted too.

#include "adapters/chat/discord/gateway_pacer.hpp"

#include <gtest/gtest.h>

#include "adapters/chat/discord/gateway_frames.hpp"

namespace collab::discord {
namespace {

using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

TEST(GatewayPacer, FramesPastTheLimitWaitAndLeaveInTheOrderSent) {
    GatewayPacer pacer(3, 60s, 1);
    const auto start = GatewayPacer::Clock::now();
    pacer.push("a", false);
    pacer.push("b", false);
    EXPECT_EQ(pacer.take_due(start), (Strings{"a", "b"}));
    pacer.push("c", false);
    pacer.push("d", false);
    EXPECT_EQ(pacer.take_due(start + 1s), Strings{}) << "the last send of the window is kept for a heartbeat";
    EXPECT_EQ(pacer.next_due(start + 1s), std::optional{std::chrono::milliseconds{59s}});
    EXPECT_EQ(pacer.take_due(start + 60s), (Strings{"c", "d"})) << "both sends of the window came back, in order";
}

TEST(GatewayPacer, AFrameSentWhileOthersWaitDoesNotOvertakeThem) {
    GatewayPacer pacer(2, 60s, 0);
    const auto start = GatewayPacer::Clock::now();
    pacer.push("a", false);
    pacer.push("b", false);
    pacer.push("c", false);
    EXPECT_EQ(pacer.take_due(start), (Strings{"a", "b"}));
    pacer.push("d", false);
    EXPECT_EQ(pacer.take_due(start + 60s), (Strings{"c", "d"}));
}

TEST(GatewayPacer, WhatWaitedIsCountedWhenItLeaves) {
    GatewayPacer pacer(2, 60s, 0);
    const auto start = GatewayPacer::Clock::now();
    for (const char* frame : {"a", "b", "c", "d", "e"}) pacer.push(frame, false);
    EXPECT_EQ(pacer.take_due(start).size(), 2u);
    EXPECT_EQ(pacer.take_due(start + 60s), (Strings{"c", "d"}));
    EXPECT_EQ(pacer.take_due(start + 61s), Strings{}) << "c and d used the window's sends";
    EXPECT_EQ(pacer.take_due(start + 120s), Strings{"e"});
}

TEST(GatewayPacer, AHeartbeatGoesFirstAndUsesTheSendsKeptForIt) {
    GatewayPacer pacer(3, 60s, 1);
    const auto start = GatewayPacer::Clock::now();
    pacer.push("a", false);
    pacer.push("b", false);
    pacer.push("c", false);
    EXPECT_EQ(pacer.take_due(start), (Strings{"a", "b"}));
    pacer.push("beat", true);
    EXPECT_EQ(pacer.take_due(start + 1s), Strings{"beat"}) << "before c, which waits for the window";
    EXPECT_EQ(pacer.waiting(), 1u);
}

TEST(GatewayPacer, DiscordsLimitIsNeverPassedInAnyMinute) {
    GatewayPacer pacer(max_sends, send_window, 3);
    const auto start = GatewayPacer::Clock::now();
    for (int i = 0; i < 300; ++i) pacer.push("frame", false);
    std::size_t sent = 0;
    for (auto at = start; at < start + 59s; at += 1s) {
        if (at == start + 30s)
            for (int beat = 0; beat < 4; ++beat) pacer.push("beat", true);
        sent += pacer.take_due(at).size();
    }
    EXPECT_EQ(sent, static_cast<std::size_t>(max_sends)) << "117 frames, then 3 of the 4 heartbeats";
    EXPECT_EQ(pacer.take_due(start + 60s).at(0), "beat") << "the fourth heartbeat is the first to leave next";
}

}  // namespace
}  // namespace collab::discord
