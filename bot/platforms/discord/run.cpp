#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <optional>

#include "adapters/chat/desk.hpp"
#include "adapters/chat/discord/announcer.hpp"
#include "adapters/chat/discord/application.hpp"
#include "adapters/chat/discord/gateway_client.hpp"
#include "adapters/chat/discord/interaction_server.hpp"
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

// Discord, over the gateway or at the interactions endpoint, until SIGINT or SIGTERM, a fatal close or
// a refused token. Registered, with discord_section, in the table bot/platforms.cmake generates.
int run_discord(const RunOptions& options) {
    const Config& config = options.config;
    auto logger = make_logger(config.log_level, config.log_format, true);
    const auto& settings = config.settings<DiscordConfig>("discord");
    const std::string bot_token = discord_bot_token(settings, process_environment());
    const bool http_mode = settings.mode == DiscordMode::http;
    // Checked before anything starts: a key that cannot check a signature is a configuration mistake.
    std::optional<discord::InteractionVerifier> verifier;
    if (http_mode)
        verifier.emplace(
            starting("discord.public_key", [&] { return discord::InteractionVerifier(discord_public_key(settings)); }));
    observability::Registry metrics;
    asio::io_context io;
    Foundation base = lay_foundation(config, logger, io, &metrics);

    net::HttpClientOptions http_options = settings.http;
    http_options.user_agent = user_agent;
    auto http =
        starting("discord.ca_file", [&] { return std::make_unique<net::HttpClient>(io.get_executor(), http_options); });
    // How the transport is stopped: set below, once it exists.
    std::function<void()> stop;
    // A bot token Discord refuses cannot answer anyone: stop, exit code 1. So does HTTP mode when /collab
    // could not be registered.
    bool token_refused = false;
    bool unregistered = false;
    discord::RestSettings rest_settings = settings.rest;
    rest_settings.bot_token = bot_token;
    rest_settings.on_token_refused = [&](const std::string& message) {
        if (token_refused) return;
        token_refused = true;
        logger->error("discord: {}. Stopping.", message);
        if (stop) stop();
    };
    discord::RestClient rest(*http, rest_settings);

    directory::StaticDirectory directory(config.identities);
    CommandService service(*base.provider.api, directory, *base.audit, base.clock, *base.signer, *base.shared,
                           config.service, invitations_to_remember(config, base));
    discord::ProposalShelf shelf(*base.shared);
    discord::DiscordOutbox outbox(rest, shelf, logger);
    outbox.measure_into(metrics);
    chat::Desk desk(io.get_executor(), service, outbox, settings.desk, logger);
    desk.count_into(metrics, "discord");
    discord::DiscordAnnouncer announcer(rest, shelf);
    service.announce_through(announcer);
    InvitationWatching watching(io, config, base, announcer, "discord", logger);
    logger->info("audit trail and shared state: {}", base.store_description);
    const std::string registered_where =
        settings.gateway.guild_id.empty() ? "globally" : "in guild " + settings.gateway.guild_id;

    // The transport: the gateway (the bot connects out) or the interactions endpoint (Discord connects
    // in). Either way `serve` runs until `stop` is called, or until Discord makes the bot stop (status 1).
    std::optional<discord::GatewayClient> client;
    std::optional<discord::Reception> reception;
    std::optional<discord::InteractionServer> endpoint;
    std::function<asio::awaitable<int>()> serve;
    asio::steady_timer stopped(io, asio::steady_timer::time_point::max());
    PlatformLink discord_link{"discord", {}};
    if (!http_mode) {
        discord::GatewaySettings gateway_settings = settings.gateway;
        gateway_settings.bot_token = bot_token;
        gateway_settings.websocket.user_agent = user_agent;
        client.emplace(io.get_executor(), rest, outbox, desk, *base.shared, shelf, gateway_settings, logger);
        metrics.gauge_callback("collab_discord_shards_up", "Gateway shards with a ready session.", {},
                               [&client] { return static_cast<double>(client->shards_up()); });
        serve = [&client] { return client->run(); };
        stop = [&client] { client->stop(); };
        discord_link.down = [&client] { return client->link_down(); };
        logger->info("collab-bot {} on Discord (gateway, REST at {}, /collab registered {}) and {}; state in {}",
                     COLLAB_VERSION, rest_settings.api_url, registered_where, base.provider.description,
                     base.state_dir.string());
    } else {
        discord::ReceptionSettings reception_settings{.claims = settings.gateway.claims,
                                                      .late_after = settings.gateway.late_after,
                                                      .click_budget = settings.gateway.click_budget,
                                                      .transport = "discord http"};
        reception.emplace(io.get_executor(), outbox, desk, *base.shared, shelf, reception_settings, logger);
        endpoint.emplace(
            io.get_executor(), *reception, *verifier, settings.endpoint, [&base] { return base.clock.now(); }, logger);
        endpoint->measure_into(metrics, "discord");
        starting("discord.listen", [&] { endpoint->start(); });
        serve = [&]() -> asio::awaitable<int> {
            // The application's id, which the registration needs, comes with the token's check. Asked
            // for beside the wait for a stop, so that a signal ends its waits between attempts too.
            auto registration = [&]() -> asio::awaitable<void> {
                const discord::ApplicationLookup lookup;
                auto application = co_await discord::learn_application_id(rest, lookup, logger);
                if (application) {
                    co_await discord::register_commands(rest, *application, settings.gateway.guild_id, logger);
                    co_return;
                }
                unregistered = true;
                stop();
            };
            asio::co_spawn(io, std::move(registration), asio::detached);
            co_await stopped.async_wait(asio::as_tuple(asio::use_awaitable));
            co_return token_refused || unregistered ? 1 : 0;
        };
        // Expiring now ends the wait whether it has begun or not (a signal during the registration).
        stop = [&stopped] { stopped.expires_at(asio::steady_timer::time_point::min()); };
        // The listener is up for as long as the run lasts (start() throws otherwise): what can fail is the
        // way back to Discord, the REST API.
        discord_link.down = [&rest]() -> std::optional<std::string> {
            if (const auto& unreachable = rest.unreachable()) return "REST API: " + *unreachable;
            return std::nullopt;
        };
        logger->info(
            "collab-bot {} on Discord (interactions endpoint URL {}{}, REST at {}, /collab registered {}) and {}; "
            "state in {}",
            COLLAB_VERSION, endpoint->public_url(), settings.endpoint.path, rest_settings.api_url, registered_where,
            base.provider.description, base.state_dir.string());
    }

    HealthWatch health(io, config.health_listen, metrics, base, std::move(discord_link), logger);
    StopSignals signals(io, logger, [&stop] { stop(); });
    int status = 1;
    auto main_task = [&]() -> asio::awaitable<void> {
        status = co_await serve();
        if (token_refused) status = 1;
        watching.stop();
        co_await desk.drain(drain_limit);
        co_await watching.stopped(drain_limit);
        // Marked done in the shared state, so that no other instance answers them again.
        if (client) co_await client->settle(drain_limit);
        // The answers just computed still have to be written to their HTTP connections.
        if (endpoint) co_await endpoint->stop_gracefully(settings.endpoint.server.write_timeout);
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
