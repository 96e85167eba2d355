#include "adapters/chat/ack_latency.hpp"

#include <string>

namespace collab::chat {

void AckLatency::measure_into(observability::Registry& metrics, std::string_view platform) {
    histogram_ = &metrics.histogram("collab_ack_latency_seconds",
                                    "From a request's arrival to its acknowledgement, by platform.",
                                    observability::ack_latency_buckets, {{"platform", std::string(platform)}});
}

void AckLatency::acknowledged(std::chrono::steady_clock::time_point arrived) const {
    if (histogram_) histogram_->observe(std::chrono::steady_clock::now() - arrived);
}

}  // namespace collab::chat
