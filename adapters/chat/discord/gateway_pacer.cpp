#include "adapters/chat/discord/gateway_pacer.hpp"

#include <algorithm>

namespace collab::discord {

GatewayPacer::GatewayPacer(int capacity, std::chrono::milliseconds window, int reserved)
    : sends_(capacity, window), reserved_(reserved) {}

void GatewayPacer::push(std::string frame, bool heartbeat) {
    if (!heartbeat) {
        queue_.push_back(Frame{std::move(frame), false});
        return;
    }
    // After the heartbeats already waiting, before everything else.
    const auto first_other =
        std::find_if(queue_.begin(), queue_.end(), [](const Frame& each) { return !each.heartbeat; });
    queue_.insert(first_other, Frame{std::move(frame), true});
}

std::optional<std::chrono::milliseconds> GatewayPacer::wait_for(const Frame& frame, Clock::time_point now) {
    return sends_.try_take(now, frame.heartbeat ? 0 : reserved_);
}

std::vector<std::string> GatewayPacer::take_due(Clock::time_point now) {
    std::vector<std::string> due;
    while (!queue_.empty() && !wait_for(queue_.front(), now)) {
        due.push_back(std::move(queue_.front().text));
        queue_.pop_front();
    }
    return due;
}

std::optional<std::chrono::milliseconds> GatewayPacer::next_due(Clock::time_point now) {
    if (queue_.empty()) return std::nullopt;
    return sends_.until_available(now, queue_.front().heartbeat ? 0 : reserved_);
}

}  // namespace collab::discord
