#include <spdlog/spdlog.h>
#include <unistd.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>
#include <functional>
#include <optional>
#include <thread>

#include "adapters/chat/slack/http_mode.hpp"
#include "adapters/chat/desk.hpp"
#include "adapters/chat/slack/interactions.hpp"
#include "adapters/chat/slack/slack_directory.hpp"
#include "adapters/chat/slack/socket_mode.hpp"
#include "adapters/chat/slack/web_api.hpp"
#include "adapters/observability/health_server.hpp"
#include "adapters/observability/metrics.hpp"
#include "bot/logging.hpp"
#include "bot/runs.hpp"
#include "bot/wiring.hpp"

namespace collab::bot {
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

// How long a stop waits for the commands in progress to be answered.
constexpr std::chrono::seconds drain_limit{10};

// For a bot that must stop now, from any thread: the log is not thread-safe, standard error is.
[[noreturn]] void leave_at_once(std::string_view why) {
    if (::write(STDERR_FILENO, why.data(), why.size()) < 0) {
        // Nothing more can be said.
    }
    std::_Exit(1);
}

}  // namespace

int run_slack(const Config& config) {
    auto logger = make_logger(config.log_level, config.log_format, true);
    const SlackConfig& settings = config.slack;
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
    CommandService service(*provider.api, directory, audit, clock, signer, *base.shared, config.service);

    slack::SlackOutbox outbox(web, logger);
    chat::Desk desk(io.get_executor(), service, outbox, settings.desk, logger);
    desk.count_into(metrics);

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
            io.get_executor(), desk, *base.shared, secrets.signing_secret, http_mode,
            [&clock] { return clock.now(); }, logger);
        starting("slack.http_listen", [&] { listener->start(); });
        serve = [&stopped]() -> asio::awaitable<int> {
            co_await stopped.async_wait(asio::as_tuple(asio::use_awaitable));
            co_return 0;
        };
        // The listener stays open until the commands in progress are answered (see main_task).
        stop = [&stopped] { stopped.cancel(); };
        logger->info(
            "collab-bot {} on Slack (HTTP mode: request URLs {}{} and {}{}, Web API at {}) and {}; "
            "state in {}",
            COLLAB_VERSION, listener->public_url(), http_mode.commands_path, listener->public_url(),
            http_mode.interactive_path, web_settings.api_url, provider.description, state_dir.string());
    }

    // Health and metrics, when configured: the Slack link and the store, checked every second.
    observability::ComponentState slack_link("starting up"), store_link("not checked yet");
    observability::Gauge& budget_left =
        metrics.gauge("collab_scalingo_budget_left", "Requests left in the Scalingo allowance of the current minute.");
    std::optional<observability::HealthServer> health;
    bool watching = true;
    if (!config.health_listen.empty()) {
        health.emplace(io.get_executor(), metrics, observability::HealthServerOptions{config.health_listen});
        health->add_component("slack", [&slack_link] { return slack_link.status(); });
        health->add_component("store", [&store_link] { return store_link.status(); });
        starting("health.listen", [&] { health->start(); });
        logger->info("health and metrics at {}/healthz and {}/metrics", health->public_url(), health->public_url());
    }
    auto watch = [&]() -> asio::awaitable<void> {
        for (int tick = 0; watching; ++tick) {
            if (!client || client->sockets_up() > 0)
                slack_link.set_up();
            else
                slack_link.set_down("no socket connected to Slack");
            if (tick % 5 == 0) {
                auto answered = co_await base.shared->ping();
                if (answered)
                    store_link.set_up();
                else
                    store_link.set_down(answered.error().message);
                if (provider.scalingo) {
                    auto left = co_await provider.scalingo->requests_left();
                    if (left) budget_left.set(*left);
                }
            }
            logger->flush();
            co_await net::sleep_for(std::chrono::seconds{1});
        }
    };
    asio::co_spawn(io, std::move(watch), asio::detached);

    // First signal: stop taking commands and answer those in progress. Second: leave at once. Signals
    // are taken on a thread of their own, so that an event loop kept busy by one request cannot keep
    // the bot from stopping: when the loop has not taken the first within `stop_limit`, it leaves.
    asio::io_context signal_io;
    asio::signal_set signals(signal_io, SIGINT, SIGTERM);
    asio::steady_timer stop_limit(signal_io);
    int signals_seen = 0;
    std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& error,
                                                                               int number) {
        if (error) return;
        if (signals_seen++ > 0) leave_at_once("collab-bot: second signal: leaving at once\n");
        asio::post(io, [&logger, &stop, &signal_io, &stop_limit, number] {
            logger->info("signal {}: no new commands; answering those in progress", number);
            stop();
            // Taken: the stop goes on within its own bounds.
            asio::post(signal_io, [&stop_limit] { stop_limit.cancel(); });
        });
        stop_limit.expires_after(std::chrono::seconds{5});
        stop_limit.async_wait([](const boost::system::error_code& cancelled) {
            if (!cancelled) leave_at_once("collab-bot: the signal was not taken within 5 s: leaving at once\n");
        });
        signals.async_wait(on_signal);
    };
    signals.async_wait(on_signal);
    std::thread signal_thread([&signal_io] { signal_io.run(); });
    // However run() ends, the signal thread ends with it.
    struct SignalThreadStop {
        asio::io_context& io;
        std::thread& thread;
        ~SignalThreadStop() {
            io.stop();
            thread.join();
        }
    } signal_thread_stop{signal_io, signal_thread};
    int status = 1;
    auto main_task = [&]() -> asio::awaitable<void> {
        // A refused bot token shows now, not at the first command. Slack out of reach is no reason to
        // stay down: the transport retries, and the token is checked again by every call.
        auto identity = co_await web.auth_test();
        if (identity)
            logger->info("bot token accepted: user {} ({}) in workspace {} ({})", identity->user, identity->user_id,
                         identity->team, identity->team_id);
        else if (!token_refused)
            logger->warn("could not check the bot token with auth.test ({}); going on", identity.error().error);
        if (!token_refused) status = co_await serve();
        if (token_refused) status = 1;
        co_await desk.drain(drain_limit);
        // The answers just computed still have to be written to their HTTP connections.
        if (listener) co_await listener->stop_gracefully(settings.http_mode.write_timeout);
        watching = false;
        if (health) health->stop();
        io.stop();
    };
    asio::co_spawn(io, std::move(main_task), asio::detached);
    io.run();
    logger->info("stopped");
    logger->flush();
    return status;
}

}  // namespace collab::bot
