#pragma once
// HTTP mode: checking that a request really comes from Slack (the signing secret), and the
// form-encoded slash command it carries.

#include <chrono>
#include <expected>
#include <string>
#include <string_view>

#include "adapters/chat/slack/envelope.hpp"
#include "adapters/net/form.hpp"
#include "core/model.hpp"

namespace collab::slack {

enum class SignatureFailure {
    bad_format,  // a header missing or not of the form Slack sends
    stale,       // the timestamp is too far from now: possibly a replay
    mismatch,    // the signature does not match the body
};

struct SignatureError {
    SignatureFailure failure;
    std::string reason;  // short, for a log line; never contains the secret or the expected signature
};

inline constexpr std::chrono::seconds signature_window{300};  // Slack's SDKs reject beyond 5 minutes

// "v0=" + hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body)).
std::string compute_signature(std::string_view signing_secret, std::string_view timestamp, std::string_view body);

// `timestamp` and `signature` are the X-Slack-Request-Timestamp and X-Slack-Signature headers, `body`
// the raw request body. The signature is compared in constant time.
std::expected<void, SignatureError> verify_signature(std::string_view signing_secret, std::string_view timestamp,
                                                     std::string_view body, std::string_view signature, TimePoint now,
                                                     std::chrono::seconds window = signature_window);

// An application/x-www-form-urlencoded slash command ('+' is a space, %XX decoded; see
// adapters/net/form.hpp), into the same struct as a Socket Mode one; an error when it is not a form or
// lacks what is needed to answer.
std::expected<SlashCommand, DecodeError> decode_slash_command_form(std::string_view body);

// HTTP mode interactivity posts "payload=<json>": the block_actions in it.
std::expected<BlockAction, DecodeError> decode_block_actions_form(std::string_view body);

}  // namespace collab::slack
