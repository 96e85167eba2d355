// The Intake that claims a request before handing it to the Desk: run once, re-deliveries
// acknowledged bare, and an answer its acknowledgement did not carry sent through the Outbox.

#include "adapters/chat/intake.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "desk_fixture.hpp"

namespace collab::chat {
namespace {

using IntakeTest = DeskTest;

TEST_F(IntakeTest, TheIntakeRunsARequestOnceAndSendsAnAnswerNotAcknowledgedThroughTheOutbox) {
    IntakeSettings settings{.claims = ClaimSettings{"this-instance"}, .transport = "test"};
    Intake::ReadWork unreadable = [](const store::Orphan&) { return std::optional<Request>(); };
    Intake intake(io_.get_executor(), desk_, shared_, settings, unreadable,
                  std::make_shared<spdlog::logger>("intake-test", std::make_shared<spdlog::sinks::null_sink_mt>()));
    auto take = [&](const char* key) -> asio::awaitable<std::optional<Taken>> {
        Arrival arrival{key, "the envelope"};
        CommandRequest request{from("U1", key), "list my-dedicated-db"};
        co_return co_await intake.command(std::move(arrival), std::move(request));
    };
    std::vector<Delivery> claimed;
    auto scenario = [&]() -> asio::awaitable<void> {
        std::optional<Taken> taken = co_await take("env-1");
        EXPECT_TRUE(taken.has_value());
        if (!taken) co_return;
        EXPECT_EQ(taken->answer.reply->kind, ReplyKind::result);
        EXPECT_FALSE(taken->late);
        EXPECT_FALSE((co_await take("env-1")).has_value()) << "a re-delivery while it runs is acknowledged bare";
        // Its connection closed before the acknowledgement left: the answer goes through the Outbox.
        co_await intake.finish(std::move(*taken), false);
        EXPECT_FALSE((co_await take("env-1")).has_value()) << "answered: a later re-delivery is not run again";

        for (int i = 0; i < 2; ++i) {
            Arrival arrival{"env-2", "the click"};
            std::function<void(Delivery)> acknowledge = [&](Delivery delivery) { claimed.push_back(delivery); };
            std::optional<ClickRequest> nothing_to_do;
            co_await intake.click(std::move(arrival), std::move(nothing_to_do), std::move(acknowledge));
        }
    };
    on_desk(scenario());
    ASSERT_EQ(outbox_.sent.size(), 1u);
    EXPECT_EQ(outbox_.sent[0].route, "deliver");
    EXPECT_EQ(outbox_.sent[0].id, "env-1");
    EXPECT_EQ(desk_.counters().commands, 1) << "run once";
    EXPECT_EQ(claimed, (std::vector<Delivery>{Delivery::first, Delivery::repeat}))
        << "every delivery is acknowledged once claimed, a repeat too";
}

}  // namespace
}  // namespace collab::chat
