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
#include "adapters/chat/slack/announcer.hpp"
#include "adapters/chat/slack/http_mode.hpp"
#include "adapters/chat/slack/interactions.hpp"
#include "adapters/chat/slack/slack_directory.hpp"
#include "adapters/chat/slack/socket_mode.hpp"
#include "adapters/chat/slack/web_api.hpp"
#include "adapters/observability/metrics.hpp"
#include "bot/app.hpp"
#include "bot/logging.hpp"
#include "bot/platforms/slack/section.hpp"
#include "bot/service_life.hpp"
#include "bot/wiring.hpp"

namespace collab::bot {
namespace asio = boost::asio;
namespace fs = std::filesystem;

// How long a stop waits for the commands in progress to be answered.
constexpr std::chrono::seconds drain_limit{10};

// Slack, in Socket Mode or HTTP mode, until SIGINT or SIGTERM. Registered, with slack_section, in the
// table bot/platforms.cmake generates.
int run_slack(const RunOptions& options) {
    const Config& config = options.config;
    auto logger = make_logger(config.log_level, config.log_format, true);
    const auto& settings = config.settings<SlackConfig>("slack");
    const SlackSecrets secrets = slack_secrets(settings, process_environment());
    observability::Registry metrics;
    asio::io_context io;
    Foundation base = lay_foundation(config, logger, io, &metrics);
    const fs::path& state_dir = base.state_dir;
    Provider& provider = base.provider;
    AuditLog& audit = *base.audit;
    const security::HmacSigner& signer = *base.signer;
    const SystemClock& clock = base.clock;

    net::HttpClientOptions http_options = settings.http;
    http_options.user_agent = user_agent;
    auto http =
        starting("slack.ca_file", [&] { return std::make_unique<net::HttpClient>(io.get_executor(), http_options); });
    // How the transport is stopped: set below, once it exists.
    std::function<void()> stop;
    // A bot token Slack refuses (revoked, its workspace gone) cannot answer anyone: stop, exit code 1.
    bool token_refused = false;
    slack::WebApiSettings web_settings = settings.web;
    web_settings.app_token = secrets.app_token;
    web_settings.bot_token = secrets.bot_token;
    web_settings.on_bot_token_refused = [&](const std::string& error) {
        if (token_refused) return;
        token_refused = true;
        logger->error(
            "Slack refused the bot token SLACK_BOT_TOKEN ({}): it must be the app's Bot User OAuth Token "
            "(xoxb-), installed in the workspace. Stopping.",
            error);
        if (stop) stop();
    };
    slack::WebApi web(*http, web_settings);

    slack::DirectorySettings directory_settings = settings.directory;
    directory_settings.overrides = config.identities;
    slack::SlackDirectory directory(web, directory_settings, logger);
    CommandService service(*provider.api, directory, audit, clock, signer, *base.shared, config.service,
                           invitations_to_remember(config, base));

    slack::SlackOutbox outbox(web, logger);
    chat::Desk desk(io.get_executor(), service, outbox, settings.desk, logger);
    desk.count_into(metrics, "slack");
    slack::SlackAnnouncer announcer(web);
    service.announce_through(announcer);
    InvitationWatching watching(io, config, base, announcer, "slack", logger);

    logger->info("audit trail and shared state: {}", base.store_description);
    // The transport: Socket Mode (the bot connects out) or HTTP mode (Slack connects in). Either way
    // `serve` runs until `stop` is called, or until Slack makes the bot stop (status 1).
    std::optional<slack::SocketModeClient> client;
    std::optional<slack::HttpModeServer> listener;
    std::function<asio::awaitable<int>()> serve;
    asio::steady_timer stopped(io, asio::steady_timer::time_point::max());
    if (settings.mode == SlackMode::socket) {
        slack::SocketModeSettings socket_settings = settings.socket;
        socket_settings.websocket.user_agent = user_agent;
        client.emplace(io.get_executor(), web, desk, *base.shared, socket_settings, logger);
        client->measure_into(metrics);
        metrics.gauge_callback("collab_open_sockets", "Socket Mode sockets connected to Slack.", {},
                               [&client] { return static_cast<double>(client->sockets_up()); });
        metrics.gauge_callback("collab_reconnects", "Sockets opened beyond the configured number: reconnections.", {},
                               [&client, wanted = settings.socket.connections] {
                                   return static_cast<double>(std::max(0L, client->counters().connects - wanted));
                               });
        serve = [&client] { return client->run(); };
        stop = [&client] { client->stop(); };
        logger->info("collab-bot {} on Slack (Socket Mode, {} socket(s), Web API at {}) and {}; state in {}",
                     COLLAB_VERSION, socket_settings.connections, web_settings.api_url, provider.description,
                     state_dir.string());
    } else {
        const slack::HttpModeOptions& http_mode = settings.http_mode;
        listener.emplace(
            io.get_executor(), desk, *base.shared, secrets.signing_secret, http_mode, [&clock] { return clock.now(); },
            logger);
        listener->measure_into(metrics, "slack");
        starting("slack.http_listen", [&] { listener->start(); });
        serve = [&stopped]() -> asio::awaitable<int> {
            co_await stopped.async_wait(asio::as_tuple(asio::use_awaitable));
            co_return 0;
        };
        // The listener stays open until the commands in progress are answered (see main_task).
        stop = [&stopped, &listener] {
            listener->stop_taking_over();
            stopped.cancel();
        };
        logger->info(
            "collab-bot {} on Slack (HTTP mode: request URLs {}{}, {}{} and {}{}, Web API at {}) and {}; "
            "state in {}",
            COLLAB_VERSION, listener->public_url(), http_mode.commands_path, listener->public_url(),
            http_mode.interactive_path, listener->public_url(), http_mode.events_path, web_settings.api_url,
            provider.description, state_dir.string());
    }

    // Health and metrics, when configured: the Slack link and the store.
    PlatformLink slack_link{"slack", [&client]() -> std::optional<std::string> {
                                if (!client || client->sockets_up() > 0) return std::nullopt;
                                return "no socket connected to Slack";
                            }};
    HealthWatch health(io, config.health_listen, metrics, base, std::move(slack_link), logger);
    StopSignals signals(io, logger, [&stop] { stop(); });
    int status = 1;
    auto main_task = [&]() -> asio::awaitable<void> {
        // A refused bot token shows now, not at the first command. Slack out of reach is no reason to
        // stay down: the transport retries, and the token is checked again by every call.
        auto identity = co_await web.auth_test();
        if (identity) {
            logger->info("bot token accepted: user {} ({}) in workspace {} ({})", identity->user, identity->user_id,
                         identity->team, identity->team_id);
            if (client) client->identify(identity->user_id);
            if (listener) listener->identify(identity->user_id);
        } else if (!token_refused)
            logger->warn("could not check the bot token with auth.test ({}); going on", identity.error().error);
        if (!token_refused) status = co_await serve();
        if (token_refused) status = 1;
        watching.stop();
        co_await desk.drain(drain_limit);
        co_await watching.stopped(drain_limit);
        // Marked done in the shared state, so that no other instance answers them again.
        if (client) co_await client->settle(drain_limit);
        // The answers just computed still have to be written to their HTTP connections.
        if (listener) co_await listener->stop_gracefully(settings.http_mode.server.write_timeout);
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
