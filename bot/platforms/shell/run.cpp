#include <sys/stat.h>
#include <unistd.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <string_view>
#include <thread>

#include "adapters/chat/desk.hpp"
#include "adapters/chat/shell/shell_adapter.hpp"
#include "adapters/directory/static_directory.hpp"
#include "bot/app.hpp"
#include "bot/logging.hpp"
#include "bot/platforms/shell/section.hpp"
#include "bot/service_life.hpp"
#include "bot/wiring.hpp"

namespace collab::bot {
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

std::string describe(const Actor& actor, const std::optional<std::string>& email) {
    return email ? *email + " (shell user " + actor.user_id + ")"
                 : "shell user " + actor.user_id + ", linked to no Scalingo account";
}

// What standard input is when a service manager starts the bot: closed, or /dev/null. Nothing else.
std::optional<std::string_view> no_input() {
    struct stat input {};
    if (::fstat(STDIN_FILENO, &input) != 0) return errno == EBADF ? std::optional("closed") : std::nullopt;
    struct stat null {};
    if (S_ISCHR(input.st_mode) && ::stat("/dev/null", &null) == 0 && input.st_rdev == null.st_rdev) return "/dev/null";
    return std::nullopt;
}

}  // namespace

// The shell on standard input and output. Registered, with shell_section, in the table
// bot/platforms.cmake generates.
int run_shell(const RunOptions& options) {
    const Config& config = options.config;
    const auto& settings = config.settings<ShellConfig>("shell");
    const std::optional<std::string>& act_as = options.act_as;
    auto logger = make_logger(config.log_level, config.log_format);
    // Before anything opens a file, which could take the place of a closed standard input. The shell
    // would read the end of input at once and exit 0, as if it had done its work.
    if (auto missing = no_input()) {
        logger->error(
            "the shell adapter reads commands from standard input, which is {} (as for a service): give it a "
            "terminal or a pipe, or set adapter = \"slack\" in the configuration",
            *missing);
        return exit_not_started;
    }
    asio::io_context io;
    Foundation base = lay_foundation(config, logger, io);
    const fs::path& state_dir = base.state_dir;
    Provider& provider = base.provider;
    AuditLog& audit = *base.audit;
    const security::HmacSigner& signer = *base.signer;
    const SystemClock& clock = base.clock;

    Actor actor{"shell", "local", settings.user_id, "shell", std::nullopt};
    auto identities = config.identities;
    if (act_as) {
        actor.user_id = *act_as;
        identities[qualified_user(actor)] = *act_as;
    } else if (!settings.email.empty()) {
        identities[qualified_user(actor)] = settings.email;
    }
    directory::StaticDirectory directory(identities);
    // One person at a terminal reads every line: they need not be told they made the change.
    ServiceSettings service_settings = config.service;
    service_settings.name_actors = false;
    CommandService service(*provider.api, directory, audit, clock, signer, *base.shared, service_settings,
                           invitations_to_remember(config, base));

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
    service.announce_through(outbox);
    // The notices of invitations accepted are printed between the replies.
    InvitationWatching watching(io, config, base, outbox, "shell", logger);
    auto handle = [&](chat::CommandRequest request) {
        std::shared_ptr<chat::Answered> unwatched;
        return asio::co_spawn(io, desk.command(std::move(request), false, unwatched), asio::use_future).get();
    };
    const bool interactive = ::isatty(STDIN_FILENO) != 0 && ::isatty(STDOUT_FILENO) != 0;
    const auto email = directory::mapped_email(identities, actor);
    // `no` after a proposal: the Desk prints the outcome in its place, as a Cancel click's.
    auto cancel = [&](chat::ClickRequest click) {
        asio::co_spawn(io, desk.click(std::move(click), false), asio::use_future).get();
    };
    shell::ShellAdapter shell(
        handle, std::cin, std::cout,
        shell::ShellOptions{actor, interactive,
                            "collab-bot " COLLAB_VERSION " on " + provider.description + " (state in " +
                                state_dir.string() + "). You are " + describe(actor, email) +
                                ".\nType /collab help to see the commands, exit to leave.",
                            shell::colour_allowed(std::getenv("NO_COLOR"))},
        cancel);
    const int status = shell.run();
    auto stop_watching = [&watching]() -> asio::awaitable<void> {
        watching.stop();
        const std::chrono::milliseconds round_under_way{5000};
        co_await watching.stopped(round_under_way);
    };
    asio::co_spawn(io, stop_watching, asio::use_future).get();
    work.reset();
    io.stop();
    io_thread.join();
    return status;
}

}  // namespace collab::bot
