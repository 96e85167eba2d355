#pragma once
// Mattermost's slash commands and button clicks, served over HTTP: the server POSTs a command to the
// slash command's Request URL (POST /mattermost/command) and a click to the button's integration URL
// (POST /mattermost/action), and shows what the bot answers.
//
// A command is checked before anything is decoded: `Authorization: Token <command token>`, compared in
// constant time; anything else is refused with 401 and a short answer that is the same whatever was
// wrong (the precise reason goes to the log, never the token or the body), and changes nothing. Then
// it is answered 200 application/json within the answer budget (the Desk's), or with the placeholder
// and later through its response_url (outbox.hpp). A click carries no credential: what proves it is
// the sealed token in its context, which the core checks; it is answered with the update of the
// proposal or the refusal for the clicker (the server waits for it). Other paths are 404, other
// methods 405, a body that is no command or click 400.
//
// Both go through the Intake (adapters/chat/intake.hpp): claimed in the store the instances share, so
// that a request delivered twice (a proxy retrying) is carried out once, and the work of an instance
// that dies mid-request is taken over by another and answered through the response_url or the REST
// API. A request is named in the claims and the log by a digest of its body (each carries its own
// trigger id).

#include <spdlog/logger.h>
#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <string>
#include <string_view>

#include "adapters/chat/claims.hpp"
#include "adapters/chat/desk.hpp"
#include "adapters/chat/http_entry.hpp"
#include "adapters/chat/mattermost/outbox.hpp"
#include "adapters/net/http_server.hpp"
#include "adapters/store/shared_state.hpp"

namespace collab::mattermost {

struct CommandServerOptions {
    // Behind a reverse proxy that terminates TLS, or HTTPS directly with a certificate and key. On
    // 127.0.0.1:3001, request bodies up to 64 KiB.
    net::HttpServerOptions server = chat::platform_listener("127.0.0.1:3001");
    std::string command_path = "/mattermost/command";
    std::string action_path = "/mattermost/action";
    chat::ClaimSettings claims;
};

class CommandServer : public chat::IntakeServer {
public:
    // `executor` is the one `desk` was made with (a strand when its io_context has several threads);
    // `outbox` is the Desk's. `shared` claims the requests taken in; it, the Desk and the outbox must
    // outlive the server's io_context run; the server must be destroyed before that io_context. Once
    // listening, the server tells the outbox where the buttons post (the public URL's action path).
    // Acknowledgements measured (measure_into): a command's or a click's answer written.
    CommandServer(boost::asio::any_io_executor executor, chat::Desk& desk, MattermostOutbox& outbox,
                  store::SharedState& shared, std::string command_token, CommandServerOptions options,
                  std::shared_ptr<spdlog::logger> logger);

private:
    struct State;
    explicit CommandServer(std::shared_ptr<State> state);
    void listening() override;

    std::shared_ptr<State> state_;
};

}  // namespace collab::mattermost
