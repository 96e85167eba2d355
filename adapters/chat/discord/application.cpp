#include "adapters/chat/discord/application.hpp"

#include <algorithm>
#include <random>

#include "adapters/net/backoff.hpp"

namespace collab::discord {

boost::asio::awaitable<std::optional<std::string>> learn_application_id(RestClient& rest, ApplicationLookup lookup,
                                                                        std::shared_ptr<spdlog::logger> logger) {
    std::minstd_rand jitter{std::random_device{}()};
    for (int attempt = 0;; ++attempt) {
        auto application = co_await rest.application_id();
        if (application) co_return std::move(*application);
        const DiscordError& error = application.error();
        // Refused: the REST client said so, naming DISCORD_BOT_TOKEN.
        if (error.status == 401) co_return std::nullopt;
        // Only Discord out of reach, failing or busy may answer later; another answer will not change.
        const bool passing = error.status == 0 || error.status >= 500 || error.status == 429;
        if (!passing || attempt >= lookup.again.max_attempts) {
            logger->error(
                "discord: could not learn the application's id to register /collab (GET /applications/@me: {}); {}. "
                "Stopping.",
                error.message,
                passing
                    ? "still failing after " + std::to_string(attempt + 1) +
                          " attempts: check DISCORD_API_URL and that Discord can be reached from here"
                    : std::string("check DISCORD_API_URL, and that DISCORD_BOT_TOKEN is the application's bot token"));
            co_return std::nullopt;
        }
        const auto backoff = net::jittered_backoff(lookup.again, attempt, jitter);
        const auto wait =
            error.retry_after ? std::max<std::chrono::milliseconds>(*error.retry_after, backoff) : backoff;
        logger->warn("discord: could not learn the application's id (GET /applications/@me: {}); asking again in {} ms",
                     error.message, wait.count());
        co_await net::sleep_for(wait);
    }
}

}  // namespace collab::discord
