#include "bot/sandbox_command.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <iostream>

#include "bot/logging.hpp"
#include "bot/wiring.hpp"
#include "core/render.hpp"

namespace collab::bot {
namespace asio = boost::asio;

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
