#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "adapters/chat/desk.hpp"
#include "adapters/chat/mattermost/announcer.hpp"
#include "adapters/chat/mattermost/command_server.hpp"
#include "adapters/chat/mattermost/directory.hpp"
#include "adapters/chat/mattermost/event_socket.hpp"
#include "adapters/chat/mattermost/outbox.hpp"
#include "adapters/chat/mattermost/rest_client.hpp"
#include "adapters/chat/mattermost/sign_in.hpp"
#include "adapters/observability/metrics.hpp"
#include "bot/app.hpp"
#include "bot/logging.hpp"
#include "bot/platforms/mattermost/section.hpp"
#include "bot/service_life.hpp"
#include "bot/wiring.hpp"

namespace collab::bot {
namespace asio = boost::asio;

// How long a stop waits for the commands in progress to be answered.
constexpr std::chrono::seconds drain_limit{10};

// Mattermost: its slash command and buttons POST to [mattermost] listen, and mentions of the bot come
// over the websocket (unless [mattermost] websocket = false), until SIGINT or SIGTERM, or until the
// server refuses the bot token.
// Registered, with mattermost_section, in the table bot/platforms.cmake generates.
int run_mattermost(const RunOptions& options) {
    const Config& config = options.config;
    auto logger = make_logger(config.log_level, config.log_format, true);
    const auto& settings = config.settings<MattermostConfig>("mattermost");
    const MattermostSecrets secrets = mattermost_secrets(settings, process_environment());
    observability::Registry metrics;
    asio::io_context io;
    Foundation base = lay_foundation(config, logger, io, &metrics);

    net::HttpClientOptions http_options = settings.http;
    http_options.user_agent = user_agent;
    auto http = starting("mattermost.ca_file",
                         [&] { return std::make_unique<net::HttpClient>(io.get_executor(), http_options); });
    mattermost::RestSettings rest_settings = settings.rest;
    rest_settings.bot_token = secrets.bot_token;
    mattermost::RestClient rest(*http, rest_settings);

    mattermost::MattermostDirectory directory(rest, config.identities);
    CommandService service(*base.provider.api, directory, *base.audit, base.clock, *base.signer, *base.shared,
                           config.service, invitations_to_remember(config, base));
    mattermost::MattermostOutbox outbox(rest, logger);
    chat::Desk desk(io.get_executor(), service, outbox, settings.desk, logger);
    desk.count_into(metrics, "mattermost");

    mattermost::CommandServer server(io.get_executor(), desk, outbox, *base.shared, secrets.command_token,
                                     settings.commands, logger);
    server.measure_into(metrics, "mattermost");
    starting("mattermost.listen", [&] { server.start(); });
    // Cards posted in another channel carry the same buttons as the server's own: known once it listens.
    mattermost::MattermostAnnouncer announcer(rest, outbox.action_url());
    service.announce_through(announcer);
    InvitationWatching watching(io, config, base, announcer, "mattermost", logger);
    std::optional<mattermost::EventSocket> socket;
    if (settings.socket.enabled) {
        mattermost::EventSocketSettings socket_settings = settings.socket;
        socket_settings.server_url = rest_settings.server_url;
        socket_settings.bot_token = secrets.bot_token;
        socket_settings.websocket.user_agent = user_agent;
        socket_settings.websocket.ca_file = http_options.ca_file;
        socket.emplace(io.get_executor(), rest, desk, *base.shared, std::move(socket_settings), logger);
        const observability::Labels platform{{"platform", "mattermost"}};
        metrics.gauge_callback("collab_chat_socket_up", "Whether the platform's event socket is connected.", platform,
                               [&socket] { return socket->up() ? 1.0 : 0.0; });
        metrics.gauge_callback("collab_chat_socket_connects", "Event socket connections made (reconnections too).",
                               platform, [&socket] { return static_cast<double>(socket->counters().connects); });
    }
    if (secrets.command_token.empty())
        logger->warn(
            "mattermost: no MATTERMOST_COMMAND_TOKEN: every slash command is refused; mentions of the bot are "
            "answered");
    logger->info("audit trail and shared state: {}", base.store_description);
    logger->info(
        "collab-bot {} on Mattermost (slash command's request URL {}{}, buttons' {}, REST API at {}) and {}; "
        "state in {}",
        COLLAB_VERSION, server.public_url(), settings.commands.command_path, outbox.action_url(),
        rest_settings.server_url, base.provider.description, base.state_dir.string());

    // The listener is up for as long as the run lasts (start() throws otherwise): what can fail is the
    // way back to the server, the REST API and the response_urls.
    PlatformLink mattermost_link{"mattermost", [&rest, &socket]() -> std::optional<std::string> {
                                     if (const auto& unreachable = rest.unreachable())
                                         return "REST API: " + *unreachable;
                                     if (socket) return socket->link_down();
                                     return std::nullopt;
                                 }};
    HealthWatch health(io, config.health_listen, metrics, base, std::move(mattermost_link), logger);
    asio::steady_timer stopped(io, asio::steady_timer::time_point::max());
    StopSignals signals(io, logger, [&stopped] { stopped.cancel(); });
    // A bot token the server refuses cannot answer anyone: stop, exit code 1.
    bool token_refused = false;
    bool stopping = false;
    auto check_token = [&]() -> asio::awaitable<void> {
        const mattermost::SignInSettings sign_in_settings;
        mattermost::SignInResult signed_in = co_await mattermost::sign_in(rest, sign_in_settings, logger);
        // The websocket needs the bot's name: it follows the sign-in, and asks itself if that got no answer.
        if (signed_in.bot) announcer.identify(signed_in.bot->id);
        if (signed_in.outcome != mattermost::SignIn::token_refused && socket && !stopping) {
            if (co_await socket->run(std::move(signed_in.bot)) == 0) co_return;
        } else if (signed_in.outcome != mattermost::SignIn::token_refused) {
            co_return;
        }
        token_refused = true;
        stopped.cancel();
    };
    asio::co_spawn(io, std::move(check_token), asio::detached);
    auto main_task = [&]() -> asio::awaitable<void> {
        co_await stopped.async_wait(asio::as_tuple(asio::use_awaitable));
        stopping = true;
        if (socket) socket->stop();
        watching.stop();
        co_await desk.drain(drain_limit);
        co_await watching.stopped(drain_limit);
        // The answers just computed still have to be written to their HTTP connections.
        co_await server.stop_gracefully(settings.commands.server.write_timeout);
        if (socket) co_await socket->settle(drain_limit);
        health.stop();
        io.stop();
    };
    asio::co_spawn(io, std::move(main_task), asio::detached);
    io.run();
    logger->info("stopped");
    logger->flush();
    return token_refused ? 1 : 0;
}

}  // namespace collab::bot
