#pragma once
// Slack's HTTP mode, for workspaces that cannot use Socket Mode: Slack POSTs slash commands (a form)
// and interactivity (a form whose one `payload` field holds JSON) to the bot's request URLs.
//
// Every request is checked before anything is decoded: both signing headers present, the timestamp
// within the tolerance of now, the HMAC of the raw body right; otherwise 401 with a short reason that
// is the same whatever failed (the precise one goes to the log, never the secret or the signature).
// Then a slash command is answered 200 application/json with the acknowledgement's payload (see
// adapters/chat/desk.hpp: within about 2 s, later replies go through the response_url), a
// block_actions click with an empty 200 while the click is handled in the background, and any other
// interactive payload with an empty 200. Either path takes either kind: the form's `payload` field tells them
// apart, so one request URL may serve both. The Events API posts JSON instead (to any of the paths,
// the events path being the one the manifest names): its url_verification is answered with its
// challenge, a message event that addresses the bot with an empty 200 at once (its answer is posted
// in its thread, see interactions.hpp), and Slack's re-deliveries of an event (X-Slack-Retry-Num)
// are recognised by the event's id. Other paths are 404, other methods 405, a signed body
// that is no usable form 400. Request bodies and tokens are never logged.
//
// A signed request is taken once: the same signature again within its window (a request captured at
// a proxy or in a log, sent again) is refused with 409 and a warning, and changes nothing. What was
// taken is remembered in the store the instances share, so a replay to another instance is refused
// too. When the connection that should carry a slash command's answer is gone by the time the answer
// is ready (Slack gave up waiting, a proxy dropped it), the answer goes through the response_url.
// Commands and clicks go through the Intake as Socket Mode's envelopes do (adapters/chat/intake.hpp):
// the work of an instance that dies mid-request is taken over by another and answered through the
// response_url.

#include <spdlog/logger.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/http/status.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "adapters/chat/claims.hpp"
#include "adapters/chat/desk.hpp"
#include "adapters/chat/http_entry.hpp"
#include "adapters/chat/intake.hpp"
#include "adapters/chat/slack/envelope.hpp"
#include "adapters/chat/slack/signature.hpp"
#include "adapters/net/http_server.hpp"
#include "core/confirmation.hpp"
#include "core/model.hpp"

namespace collab::slack {

// The listener's defaults: on 127.0.0.1:3000, request bodies up to 1 MiB. Inline: the configuration
// reader holds them without the server's code.
inline net::HttpServerOptions http_mode_server_defaults() {
    net::HttpServerOptions server = chat::platform_listener("127.0.0.1:3000");
    // Slack's interactive payloads can carry a whole message.
    server.max_body_bytes = 1 << 20;
    return server;
}

struct HttpModeOptions {
    // Behind a reverse proxy that terminates TLS, or HTTPS directly with a certificate and key.
    net::HttpServerOptions server = http_mode_server_defaults();
    std::string commands_path = "/slack/commands";        // the slash command's Request URL
    std::string interactive_path = "/slack/interactive";  // the app's Interactivity Request URL
    std::string events_path = "/slack/events";            // the app's Event Subscriptions Request URL
    std::chrono::seconds tolerance = signature_window;    // how far the request timestamp may be from now
    chat::ClaimSettings claims;                           // of the requests taken in
};

// What a request asks for, decided without I/O.
struct HttpRefusal {
    boost::beast::http::status status;
    std::string answer;      // short plain text for the caller: nothing that helps an attacker
    std::string log_reason;  // the precise reason, for the log; never the secret, the signature or the body
};
struct IgnoredInteraction {
    std::string type;  // the payload's type ("shortcut", "view_submission", …)
};
using HttpModeRequest =
    std::variant<HttpRefusal, SlashCommand, BlockAction, IgnoredInteraction, UrlVerification, MessageEvent, OtherEvent>;

HttpModeRequest read_http_mode_request(const net::ServerRequest& request, std::string_view signing_secret,
                                       const HttpModeOptions& options, TimePoint now);

class HttpModeServer : public chat::IntakeServer {
public:
    using TimeSource = std::function<TimePoint()>;

    // `executor` is the one `desk` was made with: the Desk is called only there, so give a strand when
    // its io_context has several threads. Connections run on strands of it. The Desk must outlive the
    // server's io_context run; the server must be destroyed before that io_context. `shared` (the store
    // the instances share) remembers the signatures and claims the requests taken in; it must outlive
    // the server. Acknowledgements measured (measure_into): a command's answer or a click's 200 written.
    HttpModeServer(boost::asio::any_io_executor executor, chat::Desk& desk, store::SharedState& shared,
                   std::string signing_secret, HttpModeOptions options, TimeSource clock,
                   std::shared_ptr<spdlog::logger> logger);

    // The bot's own user id (auth.test's), once known: see SocketModeClient::identify.
    void identify(std::string bot_user_id);

private:
    struct State;
    explicit HttpModeServer(std::shared_ptr<State> state);

    std::shared_ptr<State> state_;
};

}  // namespace collab::slack
