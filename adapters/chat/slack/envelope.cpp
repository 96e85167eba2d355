#include "adapters/chat/slack/envelope.hpp"

#include <cctype>

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <bit>
#include <bitset>
#include <optional>
#include <utility>

#include "adapters/json/append.hpp"

namespace collab::slack {
namespace {

using simdjson::dom::element;

std::unexpected<DecodeError> fail(std::string reason, std::string envelope_id = {}) {
    return std::unexpected(DecodeError{std::move(reason), std::move(envelope_id)});
}

// The envelope id of a frame too large to parse, found without parsing it: such an envelope must
// still be acknowledged, or Slack delivers it again and again. Slack writes the id near the start
// and without escapes (it is a UUID), so only the first kilobytes are searched.
std::string envelope_id_of_oversize(std::string_view text) {
    constexpr std::string_view key = "\"envelope_id\"";
    const std::string_view head = text.substr(0, 4096);
    auto at = head.find(key);
    if (at == std::string_view::npos) return {};
    at = head.find('"', head.find(':', at + key.size()));
    if (at == std::string_view::npos) return {};
    const auto end = head.find('"', at + 1);
    if (end == std::string_view::npos || end - at - 1 > 128) return {};
    const std::string_view id = head.substr(at + 1, end - at - 1);
    const bool plain = std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
    return plain ? std::string(id) : std::string();
}

// Whether `text` is within the limits; the depth limit is the parser's own (deeply nested garbage
// stops the parse, not the stack).
std::optional<DecodeError> over_limits(std::string_view text, const DecodeLimits& limits) {
    if (text.size() <= limits.max_bytes) return std::nullopt;
    return DecodeError{"frame of " + std::to_string(text.size()) + " bytes exceeds " + std::to_string(limits.max_bytes),
                       envelope_id_of_oversize(text)};
}

std::expected<element, DecodeError> root_object(simdjson::simdjson_result<element> parsed, const DecodeLimits& limits) {
    element root;
    if (auto error = std::move(parsed).get(root); error != simdjson::SUCCESS) {
        if (error == simdjson::DEPTH_ERROR) return fail("JSON nested deeper than " + std::to_string(limits.max_depth));
        return fail(std::string("malformed JSON: ") + simdjson::error_message(error));
    }
    if (!root.is_object()) return fail("not a JSON object");
    return root;
}

// The root object of `text`, parsed within the limits; it lives as long as `parser`.
std::expected<element, DecodeError> parse_object(simdjson::dom::parser& parser, std::string_view text,
                                                 const DecodeLimits& limits) {
    if (auto error = over_limits(text, limits)) return std::unexpected(std::move(*error));
    if (parser.allocate(std::max<std::size_t>(text.size(), 64), limits.max_depth) != simdjson::SUCCESS)
        return fail("out of memory");
    return root_object(parser.parse(simdjson::padded_string(text)), limits);
}

// A parser and its padded input, kept by each thread from one frame to the next: decoding a frame
// then allocates nothing. What a rare large frame made them grow to is let go after it.
class FrameReader {
public:
    template <typename T, typename F>
    std::expected<T, DecodeError> read(std::string_view text, const DecodeLimits& limits, F&& read) {
        if (auto error = over_limits(text, limits)) return std::unexpected(std::move(*error));
        if ((parser_.capacity() < text.size() || parser_.max_depth() != limits.max_depth) &&
            parser_.allocate(std::bit_ceil(std::max<std::size_t>(text.size(), 4096)), limits.max_depth) !=
                simdjson::SUCCESS)
            return fail("out of memory");
        padded_.reserve(text.size() + simdjson::SIMDJSON_PADDING);
        padded_.assign(text);
        auto root = root_object(parser_.parse(padded_.data(), padded_.size(), false), limits);
        std::expected<T, DecodeError> result =
            root ? std::expected<T, DecodeError>(read(*root)) : std::unexpected(std::move(root.error()));
        if (parser_.capacity() > kept_bytes) {
            parser_ = simdjson::dom::parser{};
            padded_ = std::string{};
        }
        return result;
    }

private:
    static constexpr std::size_t kept_bytes = 64 * 1024;
    simdjson::dom::parser parser_;
    std::string padded_;
};

// Parses `text` and hands the root object to `read`; what it reads must be copied out.
template <typename T, typename F>
std::expected<T, DecodeError> with_document(std::string_view text, const DecodeLimits& limits, F&& read) {
    thread_local FrameReader reader;
    return reader.read<T>(text, limits, std::forward<F>(read));
}

// The string at `key`, or empty when absent, null or not a string.
std::string string_at(element object, std::string_view key) {
    std::string_view value;
    if (object[key].get_string().get(value) != simdjson::SUCCESS) return {};
    return std::string(value);
}

// A path of keys into nested objects: {"user":{"id":…}} is string_in(root, {"user", "id"}).
std::string string_in(element object, std::initializer_list<std::string_view> path) {
    element at = object;
    for (auto key : path) {
        if (!at.is_object() || at[key].get(at) != simdjson::SUCCESS) return {};
    }
    std::string_view value;
    if (at.get_string().get(value) != simdjson::SUCCESS) return {};
    return std::string(value);
}

// Slack sends is_enterprise_install as a boolean or as the string "true"/"false".
bool flag_of(element value) {
    bool flag = false;
    if (value.get_bool().get(flag) == simdjson::SUCCESS) return flag;
    std::string_view text;
    return value.get_string().get(text) == simdjson::SUCCESS && text == "true";
}

std::expected<SlashCommand, std::string> slash_command_from(element payload) {
    static constexpr std::array<std::pair<std::string_view, std::string SlashCommand::*>, 9> text_fields{{
        {"team_id", &SlashCommand::team_id},
        {"channel_id", &SlashCommand::channel_id},
        {"user_id", &SlashCommand::user_id},
        {"user_name", &SlashCommand::user_name},
        {"command", &SlashCommand::command},
        {"text", &SlashCommand::text},
        {"response_url", &SlashCommand::response_url},
        {"trigger_id", &SlashCommand::trigger_id},
        {"enterprise_id", &SlashCommand::enterprise_id},
    }};
    constexpr std::size_t text_field = 5;  // "text": it must be there, even empty
    static_assert(text_fields[text_field].first == "text");
    constexpr std::size_t flag_field = text_fields.size();
    simdjson::dom::object fields;
    if (payload.get_object().get(fields) != simdjson::SUCCESS)
        return std::unexpected(std::string("slash command payload is not an object"));
    SlashCommand command;
    // One pass over the payload (a lookup by name would scan it again for every field). As such a
    // lookup does, the first of a repeated name counts, and a value that is not a string is empty.
    std::bitset<text_fields.size() + 1> seen;
    std::bitset<text_fields.size()> strings;
    for (auto [key, value] : fields) {
        if (key == "is_enterprise_install") {
            if (!seen.test(flag_field)) command.is_enterprise_install = flag_of(value);
            seen.set(flag_field);
            continue;
        }
        const auto field = std::find_if(text_fields.begin(), text_fields.end(),
                                        [key = key](const auto& named) { return named.first == key; });
        if (field == text_fields.end()) continue;
        const auto index = static_cast<std::size_t>(field - text_fields.begin());
        if (seen.test(index)) continue;
        seen.set(index);
        std::string_view text;
        if (value.get_string().get(text) != simdjson::SUCCESS) continue;
        command.*(field->second) = text;
        strings.set(index);
    }
    // Without these nobody can be identified or answered; `text` may be empty but must be there.
    for (auto [name, value] : {std::pair{"team_id", &command.team_id}, std::pair{"channel_id", &command.channel_id},
                               std::pair{"user_id", &command.user_id}, std::pair{"command", &command.command},
                               std::pair{"response_url", &command.response_url}}) {
        if (value->empty()) return std::unexpected(std::string("slash command without ") + name);
    }
    if (!strings.test(text_field)) return std::unexpected(std::string("slash command without text"));
    return command;
}

std::expected<BlockAction, std::string> block_action_from(element payload) {
    simdjson::dom::array actions;
    element first;
    if (payload["actions"].get(actions) != simdjson::SUCCESS || actions.at(0).get(first) != simdjson::SUCCESS ||
        !first.is_object())
        return std::unexpected(std::string("block_actions without actions"));
    BlockAction action;
    action.user_id = string_in(payload, {"user", "id"});
    action.team_id = string_in(payload, {"team", "id"});
    // Enterprise installs may send "team": null; the user still names the team.
    if (action.team_id.empty()) action.team_id = string_in(payload, {"user", "team_id"});
    action.channel_id = string_in(payload, {"channel", "id"});
    if (action.channel_id.empty()) action.channel_id = string_in(payload, {"container", "channel_id"});
    action.response_url = string_at(payload, "response_url");
    action.action_id = string_at(first, "action_id");
    action.value = string_at(first, "value");
    if (action.value.empty()) action.value = string_in(first, {"selected_option", "value"});
    action.message_ts = string_in(payload, {"container", "message_ts"});
    if (action.message_ts.empty()) action.message_ts = string_in(payload, {"message", "ts"});
    if (action.user_id.empty()) return std::unexpected(std::string("block_actions without user.id"));
    if (action.action_id.empty()) return std::unexpected(std::string("block_actions without action_id"));
    return action;
}

// The event of an event_callback payload, when it is a message event; an OtherEvent otherwise.
std::variant<MessageEvent, OtherEvent> event_of(element payload) {
    const std::string callback = string_at(payload, "type");
    element event;
    if (callback != "event_callback" || payload["event"].get(event) != simdjson::SUCCESS || !event.is_object())
        return OtherEvent{callback};
    std::string type = string_at(event, "type");
    if (type != "app_mention" && type != "message") return OtherEvent{std::move(type)};
    MessageEvent message{
        string_at(payload, "event_id"), string_at(payload, "team_id"), std::move(type),
        string_at(event, "subtype"),    string_at(event, "channel"),   string_at(event, "channel_type"),
        string_at(event, "user"),       string_at(event, "bot_id"),    string_at(event, "text"),
        string_at(event, "ts"),         string_at(event, "thread_ts")};
    // Enterprise installs name the workspace on the event only.
    if (message.team_id.empty()) message.team_id = string_at(event, "team");
    return message;
}

EnvelopeType envelope_type(std::string_view text) {
    if (text == "slash_commands") return EnvelopeType::slash_commands;
    if (text == "interactive") return EnvelopeType::interactive;
    if (text == "events_api") return EnvelopeType::events_api;
    return EnvelopeType::other;
}

DisconnectReason disconnect_reason(std::string_view text) {
    if (text == "warning") return DisconnectReason::warning;
    if (text == "refresh_requested") return DisconnectReason::refresh_requested;
    if (text == "link_disabled") return DisconnectReason::link_disabled;
    if (text == "too_many_websockets") return DisconnectReason::too_many_websockets;
    return DisconnectReason::other;
}

std::expected<Frame, DecodeError> envelope_from(element root, std::string envelope_id) {
    Envelope envelope;
    envelope.envelope_id = std::move(envelope_id);
    envelope.type_text = string_at(root, "type");
    envelope.type = envelope_type(envelope.type_text);
    if (root["accepts_response_payload"].get_bool().get(envelope.accepts_response_payload) != simdjson::SUCCESS)
        envelope.accepts_response_payload = false;
    int64_t attempt = 0;
    if (root["retry_attempt"].get_int64().get(attempt) == simdjson::SUCCESS && attempt >= 0 && attempt < 1000)
        envelope.retry_attempt = static_cast<int>(attempt);
    envelope.retry_reason = string_at(root, "retry_reason");

    if (envelope.type == EnvelopeType::events_api) {
        element payload;
        if (root["payload"].get(payload) != simdjson::SUCCESS || !payload.is_object()) return envelope;
        auto event = event_of(payload);
        if (auto* message = std::get_if<MessageEvent>(&event)) envelope.message_event = std::move(*message);
        return envelope;
    }
    if (envelope.type != EnvelopeType::slash_commands && envelope.type != EnvelopeType::interactive) return envelope;
    element payload;
    if (root["payload"].get(payload) != simdjson::SUCCESS || !payload.is_object())
        return fail(envelope.type_text + " envelope without a payload object", envelope.envelope_id);
    if (envelope.type == EnvelopeType::slash_commands) {
        auto command = slash_command_from(payload);
        if (!command) return fail(command.error(), envelope.envelope_id);
        envelope.slash_command = std::move(*command);
        return envelope;
    }
    envelope.interactive_type = string_at(payload, "type");
    if (envelope.interactive_type == "block_actions") {
        auto action = block_action_from(payload);
        if (!action) return fail(action.error(), envelope.envelope_id);
        envelope.block_action = std::move(*action);
    }
    return envelope;
}

}  // namespace

std::expected<Frame, DecodeError> decode_frame(std::string_view text, const DecodeLimits& limits) {
    return with_document<Frame>(text, limits, [](element root) -> std::expected<Frame, DecodeError> {
        std::string envelope_id = string_at(root, "envelope_id");
        if (!envelope_id.empty()) return envelope_from(root, std::move(envelope_id));
        const std::string type = string_at(root, "type");
        if (type == "hello") {
            Hello hello;
            int64_t connections = 0;
            if (root["num_connections"].get_int64().get(connections) == simdjson::SUCCESS && connections >= 0 &&
                connections <= 1000)
                hello.num_connections = static_cast<int>(connections);
            hello.app_id = string_in(root, {"connection_info", "app_id"});
            return hello;
        }
        if (type == "disconnect") {
            std::string reason = string_at(root, "reason");
            return Disconnect{disconnect_reason(reason), std::move(reason)};
        }
        if (type.empty()) return fail("frame without a type or an envelope_id");
        return fail("unknown frame type '" + type.substr(0, 40) + "'");
    });
}

std::expected<BlockAction, DecodeError> decode_block_actions(std::string_view json, const DecodeLimits& limits) {
    return with_document<BlockAction>(json, limits, [](element root) -> std::expected<BlockAction, DecodeError> {
        if (string_at(root, "type") != "block_actions") return fail("not a block_actions payload");
        auto action = block_action_from(root);
        if (!action) return fail(action.error());
        return std::move(*action);
    });
}

std::expected<EventRequest, DecodeError> decode_event_request(std::string_view json, const DecodeLimits& limits) {
    return with_document<EventRequest>(json, limits, [](element root) -> std::expected<EventRequest, DecodeError> {
        if (string_at(root, "type") == "url_verification") {
            std::string challenge = string_at(root, "challenge");
            if (challenge.empty()) return fail("url_verification without a challenge");
            return UrlVerification{std::move(challenge)};
        }
        return std::visit([](auto event) { return EventRequest(std::move(event)); }, event_of(root));
    });
}

std::expected<std::string, OpenFailure> decode_connections_open(std::string_view body) {
    simdjson::dom::parser parser;
    auto root = parse_object(parser, body, {});
    if (!root) return std::unexpected(OpenFailure{root.error().reason, false});
    bool ok = false;
    if ((*root)["ok"].get_bool().get(ok) != simdjson::SUCCESS)
        return std::unexpected(OpenFailure{"answer without ok", false});
    if (ok) {
        std::string url = string_at(*root, "url");
        if (url.empty()) return std::unexpected(OpenFailure{"answer without a url", false});
        return url;
    }
    std::string error = string_at(*root, "error");
    if (error.empty()) error = "unknown_error";
    const bool fatal = token_refused(error);
    return std::unexpected(OpenFailure{std::move(error), fatal});
}

bool token_refused(std::string_view error) {
    // not_allowed_token_type: a bot or user token where the app-level one belongs, or the reverse.
    static constexpr std::string_view refusals[] = {"not_authed",    "invalid_auth",          "token_revoked",
                                                    "token_expired", "account_inactive",      "user_removed_from_team",
                                                    "team_disabled", "not_allowed_token_type"};
    return std::find(std::begin(refusals), std::end(refusals), error) != std::end(refusals);
}

std::string encode_ack(std::string_view envelope_id) {
    std::string ack;
    ack.reserve(envelope_id.size() + 20);
    ack += '{';
    json_out::append_member(ack, "envelope_id", envelope_id);
    ack += '}';
    return ack;
}

std::string encode_ack(std::string_view envelope_id, const boost::json::object& payload) {
    std::string ack;
    ack.reserve(envelope_id.size() + 1024);
    ack += '{';
    json_out::append_member(ack, "envelope_id", envelope_id);
    ack += ",\"payload\":";
    json_out::append_value(ack, payload);
    ack += '}';
    return ack;
}

std::string encode_ack_with_json(std::string_view envelope_id, std::string_view payload_json) {
    std::string ack;
    ack.reserve(envelope_id.size() + payload_json.size() + 32);
    ack += '{';
    json_out::append_member(ack, "envelope_id", envelope_id);
    ack += ",\"payload\":";
    ack += payload_json;
    ack += '}';
    return ack;
}

}  // namespace collab::slack
