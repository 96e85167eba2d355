// collab-bot: manage the collaborators of Scalingo Dedicated Resources databases from chat.

#include <boost/program_options.hpp>

#include <iostream>

#include "adapters/config/toml_checks.hpp"
#include "adapters/store/sqlite_file.hpp"
#include "bot/app.hpp"
#include "bot/platforms.hpp"
#include "bot/sandbox_command.hpp"
#include "core/command.hpp"

namespace po = boost::program_options;

namespace {

constexpr std::string_view synopsis =
    "Usage: collab-bot [options]                  run the bot (embedded default: shell + sandbox)\n"
    "       collab-bot sandbox invitations        list the invitation e-mails the sandbox has sent\n"
    "       collab-bot sandbox accept TOKEN       accept one, as its recipient would\n"
    "       collab-bot sandbox serve [options]    serve the sandbox as a Scalingo-compatible HTTP API\n";

using collab::bot::exit_failed;
using collab::bot::exit_not_started;

int run(int argc, char** argv) {
    const std::string adapters = collab::bot::platform_names(" or ");
    const std::string adapter_help = adapters + " (overrides adapter)";
    // clang-format off
    po::options_description visible("Options");
    visible.add_options()
        ("help,h", "show this help and exit")
        ("version", "show the version and exit")
        ("config,c", po::value<std::string>()->value_name("FILE"), "read the configuration from FILE instead of the embedded default")
        ("state-dir", po::value<std::string>()->value_name("DIR"), "keep the bot's state in DIR (overrides state_dir)")
        ("adapter", po::value<std::string>()->value_name("NAME"), adapter_help.c_str())
        ("provider", po::value<std::string>()->value_name("NAME"), "sandbox or scalingo (overrides provider)")
        ("as", po::value<std::string>()->value_name("EMAIL"), "shell: act as the person with this Scalingo e-mail");
    po::options_description serving("Options of sandbox serve");
    serving.add_options()
        ("listen", po::value<std::string>()->value_name("HOST:PORT")->default_value("127.0.0.1:0"), "address to serve on (port 0: any free port)")
        ("tls-cert", po::value<std::string>()->value_name("FILE"), "serve HTTPS with this PEM certificate chain (with --tls-key)")
        ("tls-key", po::value<std::string>()->value_name("FILE"), "the PEM private key of --tls-cert")
        ("jwt-lifetime", po::value<int>()->value_name("SECONDS")->default_value(3600), "how long the bearer tokens it issues live")
        ("fault-latency-ms", po::value<int>()->value_name("MS")->default_value(0), "delay every answer by this much")
        ("fault-error-share", po::value<double>()->value_name("SHARE")->default_value(0.0), "answer this share of requests (0 to 1) with 500, 503 or 429");
    // clang-format on
    po::options_description hidden;
    hidden.add_options()("arguments", po::value<std::vector<std::string>>());
    po::options_description all;
    all.add(visible).add(serving).add(hidden);
    po::positional_options_description positional;
    positional.add("arguments", -1);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& error) {
        std::cerr << "collab-bot: " << error.what() << "\nTry collab-bot --help.\n";
        return exit_not_started;
    }
    if (vm.count("help")) {
        std::cout << synopsis << "\n"
                  << visible << "\n"
                  << serving << "\nIn the shell, type /collab help to see the chat commands.\n";
        return 0;
    }
    if (vm.count("version")) {
        std::cout << "collab-bot " COLLAB_VERSION "\n";
        return 0;
    }
    const auto arguments =
        vm.count("arguments") ? vm["arguments"].as<std::vector<std::string>>() : std::vector<std::string>{};

    try {
        collab::bot::Config config = vm.count("config") ? collab::bot::load_config_file(vm["config"].as<std::string>())
                                                        : collab::bot::embedded_config();
        if (vm.count("state-dir")) config.state_dir = vm["state-dir"].as<std::string>();
        if (vm.count("adapter")) {
            const auto& adapter = vm["adapter"].as<std::string>();
            const auto* named = collab::bot::platform_named(adapter);
            if (named == nullptr)
                throw collab::config::ConfigError("--adapter is " + adapters + ", not \"" + adapter + "\"");
            config.adapter = named;
        }
        if (vm.count("provider")) {
            const auto& provider = vm["provider"].as<std::string>();
            const auto named = collab::bot::provider_named(provider);
            if (!named)
                throw collab::config::ConfigError("--provider is sandbox or scalingo, not \"" + provider + "\"");
            config.provider = *named;
        }
        collab::bot::apply_environment(config, collab::bot::process_environment());
        if (!arguments.empty()) {
            if (arguments[0] != "sandbox") {
                std::cerr << "collab-bot: unknown command \"" << arguments[0] << "\"\n" << synopsis;
                return exit_not_started;
            }
            collab::sandbox::ServeOptions serve;
            serve.server.listen = vm["listen"].as<std::string>();
            if (vm.count("tls-cert")) serve.server.cert_file = vm["tls-cert"].as<std::string>();
            if (vm.count("tls-key")) serve.server.key_file = vm["tls-key"].as<std::string>();
            if (serve.server.cert_file.empty() != serve.server.key_file.empty())
                throw collab::config::ConfigError("--tls-cert and --tls-key go together");
            serve.jwt_lifetime = std::chrono::seconds{vm["jwt-lifetime"].as<int>()};
            serve.faults.latency = std::chrono::milliseconds{vm["fault-latency-ms"].as<int>()};
            serve.faults.error_share = vm["fault-error-share"].as<double>();
            if (serve.jwt_lifetime.count() < 1 || serve.faults.latency.count() < 0 || serve.faults.error_share < 0 ||
                serve.faults.error_share > 1)
                throw collab::config::ConfigError(
                    "--jwt-lifetime is at least 1, --fault-latency-ms at least 0, --fault-error-share between 0 and 1");
            return collab::bot::run_sandbox_command(config, {arguments.begin() + 1, arguments.end()}, serve);
        }
        collab::bot::check_urls(config);
        std::optional<std::string> act_as;
        if (vm.count("as")) {
            act_as = vm["as"].as<std::string>();
            if (auto problem = collab::email_problem(*act_as)) {
                std::cerr << "collab-bot: --as: " << *problem << "\n";
                return exit_not_started;
            }
        }
        return collab::bot::run_bot({std::move(config), act_as});
    } catch (const collab::config::ConfigError& error) {
        std::cerr << "collab-bot: configuration error: " << error.what() << "\n";
        return exit_not_started;
    } catch (const collab::store::StateError& error) {
        std::cerr << "collab-bot: " << error.what() << "\n";
        return exit_not_started;
    } catch (const std::exception& error) {
        std::cerr << "collab-bot: " << error.what() << "\n";
        return exit_failed;
    }
}

}  // namespace

int main(int argc, char** argv) {
    collab::store::configure_sqlite();
    return run(argc, argv);
}
