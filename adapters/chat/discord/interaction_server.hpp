#pragma once
// Discord's interactions endpoint, the alternative to the gateway: Discord POSTs every interaction to
// the application's Interactions Endpoint URL (POST /discord/interactions here) and takes the
// interaction's callback as the response (docs: interactions/overview, "Setting Up an Endpoint";
// interactions/receiving-and-responding).
//
// Every request is checked before anything is decoded: X-Signature-Ed25519 over X-Signature-Timestamp
// and the raw body, with the application's public key, the timestamp within the window of now
// (signature.hpp); otherwise 401 with a short answer that is the same whatever failed (the precise
// reason goes to the log, never the signature or the body), and nothing changes. Discord checks the
// endpoint with such requests, unsigned and wrongly signed, when it is saved. Then a PING (type 1) is
// answered {"type":1}, and everything else goes through the Reception (reception.hpp), as the
// gateway's interactions do: its callback is the response (a command's answer or deferral, a click's
// update, refusal or deferred update, suggestions), and what follows a deferral goes through the
// webhook. A signed request the Reception gives no callback (the same interaction again, an
// interaction the bot does not take) is answered 409; one whose callback is not ready within the
// answer limit (the store or the Desk stalled) 503, its answer following through the webhook if it
// still can. Other paths are 404, other methods 405, a signed body that is no interaction 400.

#include <spdlog/logger.h>
#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/chat/discord/reception.hpp"
#include "adapters/chat/discord/signature.hpp"
#include "adapters/chat/http_entry.hpp"
#include "core/model.hpp"

namespace collab::discord {

struct InteractionServerOptions {
    // Behind a reverse proxy that terminates TLS (Discord calls only https:// URLs), or HTTPS directly.
    // On 127.0.0.1:3002 (Slack's HTTP mode takes 3000, Mattermost 3001).
    net::HttpServerOptions server = chat::platform_listener("127.0.0.1:3002");
    std::string path = "/discord/interactions";
    std::chrono::seconds window = signature_window;  // how far the request timestamp may be from now
    // No callback this long after the request arrived: 503 (Discord stops waiting at 3 s).
    std::chrono::milliseconds answer_limit{2'800};
};

class InteractionServer : public chat::IntakeServer {
public:
    using TimeSource = std::function<TimePoint()>;

    // `executor` is the one the Reception (and its Desk) was made with: a strand when its io_context
    // has several threads. The Reception must outlive the server's io_context run; the server must be
    // destroyed before that io_context. Acknowledgements measured (measure_into): an interaction's
    // callback written as the response.
    InteractionServer(boost::asio::any_io_executor executor, Reception& reception, InteractionVerifier verifier,
                      InteractionServerOptions options, TimeSource clock, std::shared_ptr<spdlog::logger> logger);

private:
    struct State;
};

}  // namespace collab::discord
