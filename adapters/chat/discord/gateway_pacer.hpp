#pragma once
// The frames a shard sends, paced to the gateway's send limit (120 per 60 s; past it Discord closes
// the connection with 4008). Pure: the client asks what may leave now and how long the rest waits.
//
// Frames leave in the order they were sent, each counted once, whether it left at once or waited.
// Heartbeats go before any frame waiting and may use the few sends kept back from the others: a
// heartbeat that waits a minute would cost the connection (docs: gateway, rate limiting).

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "adapters/net/backoff.hpp"

namespace collab::discord {

class GatewayPacer {
public:
    using Clock = std::chrono::steady_clock;

    // `reserved`: sends of each window only heartbeats may use.
    GatewayPacer(int capacity, std::chrono::milliseconds window, int reserved);

    void push(std::string frame, bool heartbeat);
    // The frames that may leave at `now`, in order; each one taken from the allowance.
    std::vector<std::string> take_due(Clock::time_point now = Clock::now());
    // How long until the first frame waiting may leave; nothing when none waits.
    std::optional<std::chrono::milliseconds> next_due(Clock::time_point now = Clock::now());
    std::size_t waiting() const { return queue_.size(); }

private:
    struct Frame {
        std::string text;
        bool heartbeat;
    };
    std::optional<std::chrono::milliseconds> wait_for(const Frame& frame, Clock::time_point now);

    net::TokenBucket sends_;
    int reserved_;
    std::deque<Frame> queue_;
};

}  // namespace collab::discord
