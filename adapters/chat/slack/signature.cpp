#include "adapters/chat/slack/signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>

#include "core/epoch.hpp"

namespace collab::slack {

namespace {

std::unexpected<SignatureError> reject(SignatureFailure failure, std::string reason) {
    return std::unexpected(SignatureError{failure, std::move(reason)});
}

std::unexpected<DecodeError> fail(std::string reason) {
    return std::unexpected(DecodeError{std::move(reason), {}});
}

}  // namespace

std::string compute_signature(std::string_view signing_secret, std::string_view timestamp, std::string_view body) {
    std::string base = "v0:";
    base.append(timestamp).append(":").append(body);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), signing_secret.data(), static_cast<int>(signing_secret.size()),
         reinterpret_cast<const unsigned char*>(base.data()), base.size(), digest, &length);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "v0=";
    for (unsigned int i = 0; i < length; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0x0F];
    }
    return out;
}

std::expected<void, SignatureError> verify_signature(std::string_view signing_secret, std::string_view timestamp,
                                                     std::string_view body, std::string_view signature, TimePoint now,
                                                     std::chrono::seconds window) {
    // Only digits: a sign, blanks or a fraction would let two spellings of one time sign differently.
    int64_t seconds = 0;
    const auto [end, error] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), seconds);
    if (timestamp.empty() || timestamp.size() > 12 || error != std::errc{} ||
        end != timestamp.data() + timestamp.size() || timestamp.front() == '-')
        return reject(SignatureFailure::bad_format, "the request timestamp is not a number of seconds");
    if (!signature.starts_with("v0=") || signature.size() != 3 + 64)
        return reject(SignatureFailure::bad_format, "the signature is not of the form v0=<64 hex digits>");
    // Twelve digits can be more seconds than a TimePoint holds: so far away is stale, not arithmetic.
    const auto sent = from_epoch_seconds(seconds);
    if (!sent) return reject(SignatureFailure::stale, "the request timestamp is more than 5 minutes away");
    const auto skew = *sent > now ? *sent - now : now - *sent;
    if (skew > window) return reject(SignatureFailure::stale, "the request timestamp is more than 5 minutes away");
    const std::string expected = compute_signature(signing_secret, timestamp, body);
    // Constant time, so that the comparison reveals nothing about the right signature.
    if (CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) != 0)
        return reject(SignatureFailure::mismatch, "the signature does not match the request");
    return {};
}

std::expected<SlashCommand, DecodeError> decode_slash_command_form(std::string_view body) {
    auto fields = net::form_fields(body);
    if (!fields) return fail("not a form-encoded body");
    auto field = [&](std::string_view name) {
        auto it = fields->find(name);
        return it == fields->end() ? std::string{} : it->second;
    };
    SlashCommand command{field("team_id"),       field("channel_id"),
                         field("user_id"),       field("user_name"),
                         field("command"),       field("text"),
                         field("response_url"),  field("trigger_id"),
                         field("enterprise_id"), field("is_enterprise_install") == "true"};
    for (std::string_view name : {"team_id", "channel_id", "user_id", "command", "response_url", "text"}) {
        // `text` may be empty, but it is always sent.
        if (name == "text" ? !fields->contains(name) : field(name).empty())
            return fail("slash command without " + std::string(name));
    }
    return command;
}

std::expected<BlockAction, DecodeError> decode_block_actions_form(std::string_view body) {
    auto fields = net::form_fields(body);
    if (!fields) return fail("not a form-encoded body");
    auto payload = fields->find("payload");
    if (payload == fields->end()) return fail("interactive request without a payload");
    return decode_block_actions(payload->second);
}

}  // namespace collab::slack
