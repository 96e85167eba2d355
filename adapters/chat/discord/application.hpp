#pragma once
// The application's id at start in HTTP mode (on the gateway, READY gives it): GET
// /v10/applications/@me, which the registration of /collab needs. A token Discord refuses (401) is
// the REST client's to report (on_token_refused names DISCORD_BOT_TOKEN). Discord out of reach or
// failing (no connection, a timeout, a 5xx, a 429 not waited out) may only be passing: it is asked
// again a bounded number of times, each after a jittered wait that grows (or Discord's retry_after).
// Without the id, /collab cannot be registered and nobody could use the bot: the caller stops, the
// reason logged with what to check.

#include <spdlog/logger.h>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "adapters/chat/discord/rest_client.hpp"
#include "adapters/net/retry_machine.hpp"

namespace collab::discord {

struct ApplicationLookup {
    // Asked again after Discord out of reach: 5 more times, from about 5 s up to a minute apart (the REST
    // client's own retries come first).
    net::BackoffPolicy again{std::chrono::seconds{5}, std::chrono::seconds{60}, 5};
};

// The application's id; nothing when it could not be learnt (logged as an error, naming what to check).
boost::asio::awaitable<std::optional<std::string>> learn_application_id(RestClient& rest, ApplicationLookup lookup,
                                                                        std::shared_ptr<spdlog::logger> logger);

}  // namespace collab::discord
