#include "bot/app.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <thread>

#include "adapters/chat/shell/shell_adapter.hpp"
#include "adapters/chat/slack/http_mode.hpp"
#include "adapters/chat/slack/interactions.hpp"
#include "adapters/chat/slack/slack_directory.hpp"
#include "adapters/chat/slack/socket_mode.hpp"
#include "adapters/chat/slack/web_api.hpp"
#include "adapters/config/toml_checks.hpp"
#include "adapters/directory/static_directory.hpp"
#include "adapters/observability/health_server.hpp"
#include "adapters/observability/metrics.hpp"
#include "adapters/sandbox/sandbox_api.hpp"
#include "adapters/sandbox/sandbox_store.hpp"
#include "adapters/scalingo/scalingo_api.hpp"
#include "adapters/security/hmac_signer.hpp"
#include "adapters/store/local_state.hpp"
#include "adapters/store/postgres_store.hpp"
#include "adapters/store/sqlite_audit_log.hpp"
#include "adapters/store/sqlite_file.hpp"
#include "bot/logging.hpp"
#include "core/command.hpp"
#include "core/render.hpp"
#include "core/service.hpp"

namespace collab::bot {
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

class SystemClock final : public WallClock {
public:
    TimePoint now() const override { return Clock::now(); }
};

fs::path state_dir_of(const Config& config) {
    fs::path dir = config.state_dir.empty() ? default_state_dir() : config.state_dir;
    std::error_code error;
    fs::create_directories(dir, error);
    if (error) throw store::StateError("cannot create the state directory " + dir.string() + ": " + error.message());
    return dir;
}

sandbox::Seed load_seed(const Config& config) {
    if (config.sandbox_seed.empty())
        return sandbox::parse_seed(embedded_sandbox_seed(), "embedded config/sandbox.toml");
    std::ifstream in(config.sandbox_seed);
    if (!in) throw config::ConfigError("cannot read the sandbox seed " + config.sandbox_seed.string());
    std::stringstream text;
    text << in.rdbuf();
    return sandbox::parse_seed(text.str(), config.sandbox_seed.string());
}

// `io`: the event loop that owns the logger, when the store is used from another thread (the
// in-process provider's): the logger is single-threaded, so the line is written there.
sandbox::SandboxStore open_sandbox(const Config& config, const fs::path& state_dir,
                                   std::shared_ptr<spdlog::logger> logger, asio::io_context* io = nullptr) {
    sandbox::SandboxOptions options;
    options.on_invitation = [logger, io](const sandbox::Invitation& invitation) {
        auto write = [logger, invitation] {
            logger->info("sandbox: invitation e-mail to {} for {}: {}", invitation.recipient, invitation.database,
                         invitation.link);
        };
        if (io)
            asio::post(*io, std::move(write));
        else
            write();
    };
    return sandbox::SandboxStore(state_dir / "sandbox.sqlite", load_seed(config), std::move(options));
}

// Starts what a setting names (a listen address, a CA file): one that cannot be used is a
// configuration mistake, reported with the setting's name (exit code 2), whichever part found it.
template <typename Start>
auto starting(std::string_view setting, Start&& start) -> decltype(start()) {
    try {
        return start();
    } catch (const config::ConfigError&) {
        throw;
    } catch (const std::runtime_error& error) {
        throw config::ConfigError(std::string(setting) + ": " + error.what());
    }
}

// The CollaboratorsApi the configuration asks for, with what it needs kept alive beside it.
struct Provider {
    // Behind pointers: `api` refers to them, and a Provider moves.
    std::unique_ptr<sandbox::SandboxStore> store;
    std::unique_ptr<net::HttpClient> http;
    std::unique_ptr<CollaboratorsApi> api;
    scalingo::ScalingoApi* scalingo = nullptr;  // the api, when it is Scalingo's: its allowance is a metric
    std::string description;
};

Provider make_provider(const Config& config, const fs::path& state_dir, std::shared_ptr<spdlog::logger> logger,
                       asio::io_context& io, store::SharedState* shared, observability::Registry* metrics) {
    Provider provider;
    if (config.provider == "sandbox") {
        provider.store =
            std::make_unique<sandbox::SandboxStore>(open_sandbox(config, state_dir, std::move(logger), &io));
        provider.api = std::make_unique<sandbox::SandboxApi>(*provider.store);
        provider.description = "the sandbox";
        return provider;
    }
    const ScalingoConfig& scalingo = config.scalingo;
    net::HttpClientOptions http_options;
    http_options.timeouts.connect = scalingo.connect_timeout;
    http_options.timeouts.handshake = scalingo.connect_timeout;
    http_options.timeouts.request = scalingo.request_timeout;
    http_options.ca_file = scalingo.ca_file.string();
    http_options.user_agent = "collab-bot/" COLLAB_VERSION;
    provider.http = starting("scalingo.ca_file",
                             [&] { return std::make_unique<net::HttpClient>(io.get_executor(), http_options); });

    scalingo::ScalingoSettings settings;
    settings.api_url = scalingo_api_url(scalingo);
    settings.auth_url = scalingo.auth_url;
    settings.api_token = scalingo_api_token(scalingo, process_environment());
    settings.requests_per_minute = scalingo.requests_per_minute;
    settings.database_ttl = scalingo.database_cache;
    settings.collaborators_ttl = scalingo.collaborators_cache;
    // With PostgreSQL the allowance is counted across instances; alone, in this process.
    if (config.store.url.starts_with("postgres")) settings.shared_budget = shared;
    if (metrics) {
        settings.on_answer = [metrics,
                              by_status = std::map<unsigned, observability::Counter*>{}](unsigned status) mutable {
            auto& counter = by_status[status];
            if (!counter)
                counter = &metrics->counter("collab_upstream_requests_total",
                                            "Requests to Scalingo, by HTTP status (0: no answer).",
                                            {{"status", std::to_string(status)}});
            counter->inc();
        };
    }
    provider.description = "Scalingo at " + settings.api_url;
    auto api = std::make_unique<scalingo::ScalingoApi>(*provider.http, std::move(settings));
    provider.scalingo = api.get();
    provider.api = std::move(api);
    return provider;
}

// What every adapter stands on: the state directory, the store (audit trail and what instances
// share), the upstream, the key that signs confirmations, and the clock.
struct Foundation {
    fs::path state_dir;
    std::unique_ptr<store::SqliteAuditLog> sqlite;  // one of these two
    std::unique_ptr<store::PostgresStore> postgres;
    std::unique_ptr<store::LocalState> local;  // with SQLite: one instance, shared state in memory
    AuditLog* audit = nullptr;
    store::SharedState* shared = nullptr;
    std::string store_description;
    Provider provider;
    std::unique_ptr<security::HmacSigner> signer;
    SystemClock clock;
};

Foundation lay_foundation(const Config& config, std::shared_ptr<spdlog::logger> logger, asio::io_context& io,
                          observability::Registry* metrics = nullptr) {
    Foundation base;
    base.state_dir = state_dir_of(config);
    const std::string& url = config.store.url;
    if (url.starts_with("postgres")) {
        store::PostgresOptions options;
        options.url = url;
        options.audit_retention_days = config.store.audit_retention_days;
        base.postgres = std::make_unique<store::PostgresStore>(options, logger);
        base.audit = base.postgres.get();
        base.shared = base.postgres.get();
        base.store_description = "PostgreSQL at " + store::postgres_server_of(url);
    } else {
        const fs::path file = url.empty() ? base.state_dir / "state.sqlite" : fs::path(url.substr(9));
        base.sqlite = std::make_unique<store::SqliteAuditLog>(file);
        base.local = std::make_unique<store::LocalState>();
        base.audit = base.sqlite.get();
        base.shared = base.local.get();
        base.store_description = "SQLite " + file.string();
    }
    base.provider = make_provider(config, base.state_dir, logger, io, base.shared, metrics);
    base.signer = std::make_unique<security::HmacSigner>(security::load_or_create_key(
        config.confirmation_key_file.empty() ? base.state_dir / "confirmation.key" : config.confirmation_key_file));
    return base;
}

ServiceSettings service_settings(const Config& config) {
    return ServiceSettings{config.rules, config.confirmation_ttl, config.audit_rows, config.max_addresses_per_add};
}

std::string describe(const Actor& actor, const std::optional<std::string>& email) {
    return email ? *email + " (shell user " + actor.user_id + ")"
                 : "shell user " + actor.user_id + ", linked to no Scalingo account";
}

chat::Visibility visibility_of(const std::string& visibility) {
    return visibility == "in_channel" ? chat::Visibility::in_channel : chat::Visibility::ephemeral;
}

// How long a stop waits for the commands in progress to be answered.
constexpr std::chrono::seconds drain_limit{10};

// For a bot that must stop now, from any thread: the log is not thread-safe, standard error is.
[[noreturn]] void leave_at_once(std::string_view why) {
    if (::write(STDERR_FILENO, why.data(), why.size()) < 0) {
        // Nothing more can be said.
    }
    std::_Exit(1);
}

// Waits for the commands in progress to be answered, at most `limit`.
asio::awaitable<void> drain(const chat::Desk& desk, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (desk.in_flight() > 0 && std::chrono::steady_clock::now() < deadline)
        co_await net::sleep_for(std::chrono::milliseconds{20});
}

int run_slack(const Config& config, std::shared_ptr<spdlog::logger> logger) {
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

    net::HttpClientOptions http_options;
    http_options.timeouts.request = settings.request_timeout;
    http_options.ca_file = settings.ca_file.string();
    http_options.user_agent = "collab-bot/" COLLAB_VERSION;
    auto http =
        starting("slack.ca_file", [&] { return std::make_unique<net::HttpClient>(io.get_executor(), http_options); });
    // How the transport is stopped: set below, once it exists.
    std::function<void()> stop;
    // A bot token Slack refuses (revoked, its workspace gone) cannot answer anyone: stop, exit code 1.
    bool token_refused = false;
    slack::WebApiSettings web_settings;
    web_settings.api_url = settings.api_url;
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

    slack::DirectorySettings directory_settings;
    directory_settings.overrides = config.identities;
    directory_settings.ttl = settings.user_cache;
    slack::SlackDirectory directory(web, directory_settings, logger);
    CommandService service(*provider.api, directory, audit, clock, signer, *base.shared, service_settings(config));

    chat::DeskSettings desk_settings;
    desk_settings.answer_budget = settings.answer_budget;
    for (const auto& [command, visibility] : settings.responses)
        desk_settings.visibility.by_command[command] = visibility_of(visibility);
    slack::SlackOutbox outbox(web, logger);
    chat::Desk desk(io.get_executor(), service, outbox, desk_settings, logger);
    desk.count_into(metrics);

    logger->info("audit trail and shared state: {}", base.store_description);
    // The transport: Socket Mode (the bot connects out) or HTTP mode (Slack connects in). Either way
    // `serve` runs until `stop` is called, or until Slack makes the bot stop (status 1).
    std::optional<slack::SocketModeClient> client;
    std::optional<slack::HttpModeServer> listener;
    std::function<asio::awaitable<int>()> serve;
    asio::steady_timer stopped(io, asio::steady_timer::time_point::max());
    if (settings.mode == "socket") {
        slack::SocketModeSettings socket_settings;
        socket_settings.connections = settings.connections;
        socket_settings.websocket.timeouts.idle = settings.idle_timeout;
        socket_settings.websocket.ca_file = settings.ca_file.string();
        socket_settings.websocket.user_agent = "collab-bot/" COLLAB_VERSION;
        client.emplace(io.get_executor(), web, desk, *base.shared, socket_settings, logger);
        client->measure_into(metrics);
        metrics.gauge_callback("collab_open_sockets", "Socket Mode sockets connected to Slack.", {},
                               [&client] { return static_cast<double>(client->sockets_up()); });
        metrics.gauge_callback("collab_reconnects", "Sockets opened beyond the configured number: reconnections.", {},
                               [&client, wanted = settings.connections] {
                                   return static_cast<double>(std::max(0L, client->counters().connects - wanted));
                               });
        serve = [&client] { return client->run(); };
        stop = [&client] { client->stop(); };
        logger->info("collab-bot {} on Slack (Socket Mode, {} socket(s), Web API at {}) and {}; state in {}",
                     COLLAB_VERSION, socket_settings.connections, web_settings.api_url, provider.description,
                     state_dir.string());
    } else {
        slack::HttpModeOptions http_mode;
        http_mode.listen = settings.http_listen;
        http_mode.read_timeout = settings.http_read_timeout;
        http_mode.write_timeout = settings.http_write_timeout;
        listener.emplace(
            io.get_executor(), desk, *base.shared, secrets.signing_secret, http_mode, [&clock] { return clock.now(); },
            logger);
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
        co_await drain(desk, drain_limit);
        if (listener) {
            // The answers just computed still have to be written to their HTTP connections.
            co_await net::sleep_for(std::chrono::milliseconds{200});
            listener->stop();
        }
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

}  // namespace

int run_bot(const RunOptions& options) {
    const Config& config = options.config;
    if (config.adapter == "slack") return run_slack(config, make_logger(config.log_level, config.log_format, true));
    auto logger = make_logger(config.log_level, config.log_format);
    asio::io_context io;
    Foundation base = lay_foundation(config, logger, io);
    const fs::path& state_dir = base.state_dir;
    Provider& provider = base.provider;
    AuditLog& audit = *base.audit;
    const security::HmacSigner& signer = *base.signer;
    const SystemClock& clock = base.clock;

    Actor actor{"shell", "local", config.shell_user_id, "shell", std::nullopt};
    auto identities = config.identities;
    if (options.act_as) {
        actor.user_id = *options.act_as;
        identities[actor.user_id] = *options.act_as;
    } else if (!config.shell_email.empty()) {
        identities[actor.user_id] = config.shell_email;
    }
    directory::StaticDirectory directory(identities);
    CommandService service(*provider.api, directory, audit, clock, signer, *base.shared, service_settings(config));

    // The service runs on the io_context thread; the shell blocks on standard input on this one.
    auto work = asio::make_work_guard(io);
    std::thread io_thread([&io] { io.run(); });
    // The shell is a chat platform without a deadline: the Desk waits for every answer. One line per
    // decision, at debug level: at a terminal the log shares the screen with the replies.
    chat::DeskSettings desk_settings;
    desk_settings.answer_budget = std::chrono::hours{24};
    desk_settings.decision_level = spdlog::level::debug;
    shell::ShellOutbox outbox(std::cout);
    chat::Desk desk(io.get_executor(), service, outbox, desk_settings, logger);
    auto handle = [&](chat::CommandRequest request) {
        std::shared_ptr<chat::Answered> unwatched;
        return asio::co_spawn(io, desk.command(std::move(request), false, unwatched), asio::use_future).get();
    };
    const bool interactive = ::isatty(STDIN_FILENO) != 0 && ::isatty(STDOUT_FILENO) != 0;
    const auto email = identities.contains(actor.user_id) ? std::optional(identities.at(actor.user_id)) : std::nullopt;
    shell::ShellAdapter shell(
        handle, std::cin, std::cout,
        shell::ShellOptions{actor, interactive,
                            "collab-bot " COLLAB_VERSION " on " + provider.description + " (state in " +
                                state_dir.string() + "). You are " + describe(actor, email) +
                                ".\nType /collab help to see the commands, exit to leave."});
    const int status = shell.run();
    work.reset();
    io.stop();
    io_thread.join();
    return status;
}

namespace {

// Serves until SIGINT or SIGTERM. The first line on standard output is the URL, for scripts.
int serve_sandbox(sandbox::SandboxStore& store, const sandbox::ServeOptions& options,
                  std::shared_ptr<spdlog::logger> logger) {
    asio::io_context io;
    sandbox::SandboxServer server(io.get_executor(), store, options);
    starting("sandbox serve", [&] { server.start(); });
    std::cout << server.public_url() << std::endl;
    logger->info("sandbox: serving the Scalingo auth and regional APIs at {}", server.public_url());
    logger->info("sandbox: for Scalingo's CLI: SCALINGO_AUTH_URL={0} SCALINGO_API_URL={0} SCALINGO_DB_URL={0}",
                 server.public_url());
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& error, int) {
        if (!error) logger->info("sandbox: stopping");
        server.stop();
    });
    io.run();
    return 0;
}

}  // namespace

int run_sandbox_command(const Config& config, const std::vector<std::string>& arguments,
                        const sandbox::ServeOptions& serve) {
    auto logger = make_logger(config.log_level, config.log_format);
    auto store = open_sandbox(config, state_dir_of(config), logger);
    const std::string usage =
        "Usage: collab-bot sandbox invitations | collab-bot sandbox accept TOKEN | collab-bot sandbox serve\n";
    if (arguments.size() == 1 && arguments[0] == "serve") return serve_sandbox(store, serve, logger);
    if (arguments.size() == 1 && arguments[0] == "invitations") {
        const auto invitations = store.invitations();
        if (invitations.empty()) {
            std::cout << "No invitation has been sent yet.\n";
            return 0;
        }
        Table table{{"RECIPIENT", "DATABASE", "STATE", "SENT", "TOKEN"}, {}, {}};
        for (const auto& invitation : invitations)
            table.rows.push_back({invitation.recipient, invitation.database, invitation.state,
                                  format_utc(invitation.sent_at), invitation.token});
        std::cout << render_table(table) << "Accept one as its recipient would: collab-bot sandbox accept TOKEN\n";
        return 0;
    }
    if (arguments.size() == 2 && arguments[0] == "accept") {
        auto accepted = store.accept(arguments[1]);
        if (!accepted) {
            std::cout << " !     " << accepted.error().message << "\n";
            return 1;
        }
        std::cout << "-----> " << accepted->recipient << " has accepted the invitation to collaborate to "
                  << accepted->database << "\n";
        return 0;
    }
    std::cerr << usage;
    return 2;
}

}  // namespace collab::bot
