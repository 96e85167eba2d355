#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <functional>
#include <optional>

#include "adapters/chat/desk.hpp"
#include "adapters/chat/discord/gateway_client.hpp"
#include "adapters/chat/discord/outbox.hpp"
#include "adapters/chat/discord/proposal_shelf.hpp"
#include "adapters/chat/discord/rest_client.hpp"
#include "adapters/directory/static_directory.hpp"
#include "adapters/observability/metrics.hpp"
#include "bot/app.hpp"
#include "bot/logging.hpp"
#include "bot/platforms/discord/section.hpp"
#include "bot/service_life.hpp"
#include "bot/wiring.hpp"

namespace collab::bot {
namespace asio = boost::asio;

// How long a stop waits for the commands in progress to be answered.
constexpr std::chrono::seconds drain_limit{10};

// Discord's gateway, until SIGINT or SIGTERM, a fatal close or a refused token. Registered, with
// discord_section, in the table bot/platforms.cmake generates.
int run_discord(const RunOptions& options) {
    const Config& config = options.config;
    auto logger = make_logger(config.log_level, config.log_format, true);
    const auto& settings = config.settings<DiscordConfig>("discord");
    const std::string bot_token = discord_bot_token(settings, process_environment());
    observability::Registry metrics;
    asio::io_context io;
    Foundation base = lay_foundation(config, logger, io, &metrics);

    net::HttpClientOptions http_options = settings.http;
    http_options.user_agent = user_agent;
    auto http =
        starting("discord.ca_file", [&] { return std::make_unique<net::HttpClient>(io.get_executor(), http_options); });
    std::optional<discord::GatewayClient> client;
    // A bot token Discord refuses cannot answer anyone: stop, exit code 1.
    bool token_refused = false;
    discord::RestSettings rest_settings = settings.rest;
    rest_settings.bot_token = bot_token;
    rest_settings.on_token_refused = [&](const std::string& message) {
        if (token_refused) return;
        token_refused = true;
        logger->error("discord: {}. Stopping.", message);
        if (client) client->stop();
    };
    discord::RestClient rest(*http, rest_settings);

    directory::StaticDirectory directory(config.identities);
    CommandService service(*base.provider.api, directory, *base.audit, base.clock, *base.signer, *base.shared,
                           config.service);
    discord::ProposalShelf shelf(*base.shared);
    discord::DiscordOutbox outbox(rest, shelf, logger);
    outbox.measure_into(metrics);
    chat::Desk desk(io.get_executor(), service, outbox, settings.desk, logger);
    desk.count_into(metrics, "discord");

    discord::GatewaySettings gateway_settings = settings.gateway;
    gateway_settings.bot_token = bot_token;
    gateway_settings.websocket.user_agent = user_agent;
    client.emplace(io.get_executor(), rest, outbox, desk, *base.shared, shelf, gateway_settings, logger);
    metrics.gauge_callback("collab_discord_shards_up", "Gateway shards with a ready session.", {},
                           [&client] { return static_cast<double>(client->shards_up()); });
    logger->info("audit trail and shared state: {}", base.store_description);
    logger->info("collab-bot {} on Discord (gateway, REST at {}, /collab registered {}) and {}; state in {}",
                 COLLAB_VERSION, rest_settings.api_url,
                 gateway_settings.guild_id.empty() ? "globally" : "in guild " + gateway_settings.guild_id,
                 base.provider.description, base.state_dir.string());

    PlatformLink discord_link{"discord", [&client] { return client->link_down(); }};
    HealthWatch health(io, config.health_listen, metrics, base, std::move(discord_link), logger);
    StopSignals signals(io, logger, [&client] { client->stop(); });
    int status = 1;
    auto main_task = [&]() -> asio::awaitable<void> {
        status = co_await client->run();
        if (token_refused) status = 1;
        co_await desk.drain(drain_limit);
        // Marked done in the shared state, so that no other instance answers them again.
        co_await client->settle(drain_limit);
        health.stop();
        io.stop();
    };
    asio::co_spawn(io, std::move(main_task), asio::detached);
    io.run();
    logger->info("stopped");
    logger->flush();
    return status;
}

}  // namespace collab::bot
