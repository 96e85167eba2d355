#pragma once
// How much of the platform's 3 s clock each acknowledgement used: from a request's arrival to the moment
// the platform has its answer (Slack's envelope ack, Discord's interaction callback, the HTTP response
// to Slack's or Mattermost's POST). One histogram for every platform, labelled with its name.

#include <chrono>
#include <string_view>

#include "adapters/observability/metrics.hpp"

namespace collab::chat {

class AckLatency {
public:
    // Observed into collab_ack_latency_seconds{platform} from now on; nothing is observed before. Called
    // before the requests begin to arrive.
    void measure_into(observability::Registry& metrics, std::string_view platform);
    // The acknowledgement of a request that arrived at `arrived` has just left. Any thread.
    void acknowledged(std::chrono::steady_clock::time_point arrived) const;

private:
    observability::Histogram* histogram_ = nullptr;
};

}  // namespace collab::chat
