#pragma once
// What the platforms that POST their requests to the bot share around their own decoding (Mattermost's
// commands and clicks, Discord's interactions endpoint): the routing refusals, the refusals' answers
// and log lines, and a JSON answer.

#include <spdlog/logger.h>
#include <boost/beast/http/status.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/net/http_server.hpp"

namespace collab::chat {

// The target without its query.
std::string_view path_of(std::string_view target);

// A refusal as the caller sees it (`answer`: short plain text, nothing that helps an attacker), and
// the log line with the precise reason (never a secret, a signature or the body): a warning for what
// deserves attention (401, 400), a debug line for stray requests.
net::ServerResponse refuse(spdlog::logger& logger, std::string_view transport, const net::ServerRequest& request,
                           boost::beast::http::status status, std::string_view answer, std::string_view log_reason);

// 404 for a path not among `paths`, 405 (Allow: POST) for another method than POST; nothing when the
// request may go on.
std::optional<net::ServerResponse> refuse_route(spdlog::logger& logger, std::string_view transport,
                                                const net::ServerRequest& request,
                                                std::initializer_list<std::string_view> paths);

// 200 application/json.
net::ServerResponse json_ok(std::string body);

}  // namespace collab::chat
