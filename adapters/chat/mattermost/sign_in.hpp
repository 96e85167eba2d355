#pragma once
// The bot token proved at start: GET /api/v4/users/me. A token the server refuses (401) can answer
// no one: the bot stops, saying to fix MATTERMOST_BOT_TOKEN. A server out of reach may only be
// starting: the bot serves anyway and asks again a bounded number of times, each after a jittered wait
// that grows (the REST client's own retries come first). The bot account it finds names the bot in
// mentions (event_socket.hpp).

#include <spdlog/logger.h>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>

#include "adapters/chat/mattermost/rest_client.hpp"
#include "adapters/net/retry_machine.hpp"

namespace collab::mattermost {

enum class SignIn {
    signed_in,      // the server knows the token
    token_refused,  // 401: logged, naming MATTERMOST_BOT_TOKEN
    unchecked,      // the server never answered, or answered something else (logged)
};

struct SignInResult {
    SignIn outcome = SignIn::unchecked;
    std::optional<BotUser> bot;  // whom the token signs in as, when signed_in
};

struct SignInSettings {
    // Asked again after a server out of reach: 5 more times, from about 5 s up to a minute apart.
    net::BackoffPolicy again{std::chrono::seconds{5}, std::chrono::seconds{60}, 5};
};

boost::asio::awaitable<SignInResult> sign_in(RestClient& rest, SignInSettings settings,
                                             std::shared_ptr<spdlog::logger> logger);

}  // namespace collab::mattermost
