// Slack HTTP mode's untrusted parts: the request signature check (timestamp and signature headers,
// raw body) and the form decoders for slash commands and interactive payloads.
//
// Input: the X-Slack-Request-Timestamp value, a newline, the X-Slack-Signature value, a newline, then
// the body. The body is also decoded as it would be once signed, and checked with its true signature.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "adapters/chat/slack/signature.hpp"

namespace {

constexpr std::string_view secret = "8f742231b10e8888abcd99yyyzzz85a5";
const collab::TimePoint now{std::chrono::seconds{1'531'420'618}};

// The next line of `text`, taken off its front; the rest when there is no newline.
std::string_view take_line(std::string_view& text) {
    const auto newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace collab::slack;
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    const std::string_view timestamp = take_line(rest);
    const std::string_view signature = take_line(rest);
    const std::string_view body = rest;

    (void)verify_signature(secret, timestamp, body, signature, now);
    // A body signed right, at the right time, must pass.
    const std::string stamp =
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
    if (!verify_signature(secret, stamp, body, compute_signature(secret, stamp, body), now)) std::abort();

    (void)collab::net::form_fields(body);
    (void)decode_slash_command_form(body);
    (void)decode_block_actions_form(body);
    return 0;
}
