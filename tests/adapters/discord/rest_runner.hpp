#pragma once
// Runs a coroutine with the Discord REST client pointed at the emulator, on an io_context of its own:
// the set-up the tests of the client and of what stands on it (the announcer) share.

#include <functional>

#include "adapters/chat/discord/rest_client.hpp"
#include "discord_emulator.hpp"
#include "with_http_client.hpp"

namespace collab::discord::test {

// `settings`: the emulator's address always, its bot token unless they name one.
template <typename T>
T with_client(DiscordEmulator& discord, std::function<boost::asio::awaitable<T>(RestClient&)> body,
              RestSettings settings = {}) {
    settings.api_url = discord.api_url();
    if (settings.bot_token.empty()) settings.bot_token = discord.options().bot_token;
    return collab::testing::with_http_client<T>([&](net::HttpClient& http) -> boost::asio::awaitable<T> {
        RestClient client(http, settings);
        co_return co_await body(client);
    });
}

}  // namespace collab::discord::test
