// Slack's Socket Mode frames, apps.connections.open answers and block_actions payloads, decoded from
// any bytes: a value or a DecodeError, never a crash or a throw.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "adapters/chat/slack/envelope.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace collab::slack;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // Small limits as well as the defaults, so that the limit paths are reached by small inputs.
    for (const DecodeLimits limits : {DecodeLimits{}, DecodeLimits{256, 4}}) {
        if (auto frame = decode_frame(text, limits)) {
            if (const auto* envelope = std::get_if<Envelope>(&*frame)) (void)encode_ack(envelope->envelope_id);
        } else {
            (void)encode_ack(frame.error().envelope_id);
        }
        (void)decode_block_actions(text, limits);
    }
    (void)decode_connections_open(text);
    return 0;
}
