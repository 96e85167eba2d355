#include "adapters/chat/mattermost/sign_in.hpp"

#include <random>

#include "adapters/net/backoff.hpp"

namespace collab::mattermost {

boost::asio::awaitable<SignInResult> sign_in(RestClient& rest, SignInSettings settings,
                                             std::shared_ptr<spdlog::logger> logger) {
    std::minstd_rand jitter{std::random_device{}()};
    for (int attempt = 0;; ++attempt) {
        auto me = co_await rest.bot_user();
        if (me) {
            logger->info("mattermost: MATTERMOST_BOT_TOKEN signs in as @{}", me->username);
            co_return SignInResult{SignIn::signed_in, std::move(*me)};
        }
        const MattermostError& error = me.error();
        if (error.status == 401) {
            logger->error(
                "mattermost: the server refused MATTERMOST_BOT_TOKEN (GET /api/v4/users/me answered 401): set it to "
                "the access token of the bot account (System Console > Integrations > Bot Accounts). Stopping.");
            co_return SignInResult{SignIn::token_refused, std::nullopt};
        }
        // An answer other than 401 will not change by asking again; only a server out of reach may.
        const bool out_of_reach = error.status == 0 || error.status >= 500;
        if (!out_of_reach || attempt >= settings.again.max_attempts) {
            logger->warn("mattermost: could not check MATTERMOST_BOT_TOKEN (GET /api/v4/users/me: {}); serving anyway",
                         error.message);
            co_return SignInResult{SignIn::unchecked, std::nullopt};
        }
        const auto wait = net::jittered_backoff(settings.again, attempt, jitter);
        logger->warn(
            "mattermost: could not check MATTERMOST_BOT_TOKEN (GET /api/v4/users/me: {}); asking again in {} s",
            error.message, std::chrono::duration_cast<std::chrono::seconds>(wait).count());
        co_await net::sleep_for(wait);
    }
}

}  // namespace collab::mattermost
