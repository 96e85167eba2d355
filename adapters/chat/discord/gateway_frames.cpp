#include "adapters/chat/discord/gateway_frames.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace collab::discord {
namespace json = boost::json;

namespace {

constexpr std::size_t max_received_frame = 1 << 20;

std::optional<std::int64_t> integer(const json::value* value) {
    if (value == nullptr || !value->is_int64()) return std::nullopt;
    return value->get_int64();
}

std::string string_at(const json::object& object, std::string_view key) {
    const json::value* value = object.if_contains(key);
    const json::string* text = value ? value->if_string() : nullptr;
    return text ? std::string(*text) : std::string();
}

// The frame is taken apart: its `d` is moved out, not copied (an interaction is dozens of nodes).
std::expected<GatewayFrame, std::string> dispatch(json::object& frame, GatewayFrame out) {
    out.dispatch_name = string_at(frame, "t");
    out.event.sequence = integer(frame.if_contains("s"));
    json::value* data = frame.if_contains("d");
    if (data && data->is_object()) out.data = std::move(data->get_object());
    if (out.dispatch_name == "READY") {
        if (!out.data) return std::unexpected("READY without data");
        out.event.kind = GatewayEventKind::ready;
        out.event.session =
            GatewaySession{string_at(*out.data, "session_id"), string_at(*out.data, "resume_gateway_url")};
        if (out.event.session.id.empty() || out.event.session.resume_url.empty())
            return std::unexpected("READY without session_id or resume_gateway_url");
        if (const json::value* application = out.data->if_contains("application");
            application && application->is_object())
            out.application_id = string_at(application->get_object(), "id");
    } else {
        out.event.kind = out.dispatch_name == "RESUMED" ? GatewayEventKind::resumed : GatewayEventKind::dispatch;
    }
    return out;
}

std::string serialized(int op, json::value data) {
    return json::serialize(json::object{{"op", op}, {"d", std::move(data)}});
}

json::value sequence_value(std::optional<std::int64_t> sequence) {
    return sequence ? json::value(*sequence) : json::value(nullptr);
}

}  // namespace

std::expected<GatewayFrame, std::string> decode_gateway_frame(std::string_view text) {
    if (text.size() > max_received_frame)
        return std::unexpected("a frame of " + std::to_string(text.size()) + " bytes");
    boost::system::error_code error;
    json::parse_options limits;
    limits.max_depth = 64;
    json::value value = json::parse(text, error, {}, limits);
    if (error) return std::unexpected("malformed JSON: " + error.message());
    json::object* frame = value.if_object();
    if (frame == nullptr) return std::unexpected("not a JSON object");
    const auto op = integer(frame->if_contains("op"));
    if (!op) return std::unexpected("a frame without a numeric op");
    GatewayFrame out;
    const json::value* data = frame->if_contains("d");
    switch (*op) {
        case 0: return dispatch(*frame, std::move(out));
        case 1: out.event.kind = GatewayEventKind::heartbeat_request; return out;
        case 7: out.event.kind = GatewayEventKind::reconnect; return out;
        case 9:
            out.event.kind = GatewayEventKind::invalid_session;
            out.event.resumable = data && data->is_bool() && data->get_bool();
            return out;
        case 10: {
            const json::object* hello = data ? data->if_object() : nullptr;
            const auto interval = hello ? integer(hello->if_contains("heartbeat_interval")) : std::nullopt;
            if (!interval || *interval <= 0) return std::unexpected("Hello without a positive heartbeat_interval");
            out.event.kind = GatewayEventKind::hello;
            out.event.heartbeat_interval = std::chrono::milliseconds{*interval};
            return out;
        }
        case 11: out.event.kind = GatewayEventKind::heartbeat_ack; return out;
        default: return std::unexpected("op " + std::to_string(*op) + ", which the bot does not use");
    }
}

std::string identify_frame(std::string_view token, Shard shard) {
    json::object data{
        {"token", token},
        {"intents", least_intents},
        {"properties", json::object{{"os", "linux"}, {"browser", "collab-bot"}, {"device", "collab-bot"}}}};
    if (shard.count > 1) data["shard"] = json::array{shard.id, shard.count};
    return serialized(2, std::move(data));
}

std::string resume_frame(std::string_view token, const GatewaySession& session, std::optional<std::int64_t> sequence) {
    return serialized(6, json::object{{"token", token}, {"session_id", session.id}, {"seq", sequence_value(sequence)}});
}

std::string heartbeat_frame(std::optional<std::int64_t> sequence) {
    return serialized(1, sequence_value(sequence));
}

std::string connect_url(std::string_view gateway_url) {
    std::string url(gateway_url);
    if (const auto query = url.find('?'); query != std::string::npos) url.resize(query);
    if (url.empty() || url.back() != '/') url += '/';
    return url + "?v=10&encoding=json";
}

}  // namespace collab::discord
