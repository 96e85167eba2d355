#include "bot/wiring.hpp"

#include <boost/asio/post.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <variant>

#include "adapters/sandbox/sandbox_api.hpp"

namespace collab::bot {
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

sandbox::Seed load_seed(const Config& config) {
    if (config.sandbox_seed.empty())
        return sandbox::parse_seed(embedded_sandbox_seed(), "embedded config/sandbox.toml");
    std::ifstream in(config.sandbox_seed);
    if (!in) throw config::ConfigError("cannot read the sandbox seed " + config.sandbox_seed.string());
    std::stringstream text;
    text << in.rdbuf();
    return sandbox::parse_seed(text.str(), config.sandbox_seed.string());
}

// `shared_budget`: where instances count the Scalingo allowance together (PostgreSQL); null: alone,
// in this process.
Provider make_provider(const Config& config, const fs::path& state_dir, std::shared_ptr<spdlog::logger> logger,
                       asio::io_context& io, store::SharedState* shared_budget, observability::Registry* metrics) {
    Provider provider;
    if (config.provider == ProviderKind::sandbox) {
        provider.store =
            std::make_unique<sandbox::SandboxStore>(open_sandbox(config, state_dir, std::move(logger), &io));
        provider.api = std::make_unique<sandbox::SandboxApi>(*provider.store);
        provider.description = "the sandbox";
        return provider;
    }
    net::HttpClientOptions http_options = config.scalingo.http;
    http_options.user_agent = user_agent;
    provider.http = starting("scalingo.ca_file",
                             [&] { return std::make_unique<net::HttpClient>(io.get_executor(), http_options); });

    scalingo::ScalingoSettings settings = config.scalingo.api;
    settings.api_url = scalingo_api_url(config.scalingo);
    settings.api_token = scalingo_api_token(config.scalingo, process_environment());
    settings.shared_budget = shared_budget;
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

}  // namespace

fs::path state_dir_of(const Config& config) {
    fs::path dir = config.state_dir.empty() ? default_state_dir() : config.state_dir;
    std::error_code error;
    fs::create_directories(dir, error);
    if (error) throw store::StateError("cannot create the state directory " + dir.string() + ": " + error.message());
    return dir;
}

sandbox::SandboxStore open_sandbox(const Config& config, const fs::path& state_dir,
                                   std::shared_ptr<spdlog::logger> logger, asio::io_context* io) {
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

InvitationLog* invitations_to_remember(const Config& config, const Foundation& base) {
    return config.watch.enabled ? base.invitations : nullptr;
}

Foundation lay_foundation(const Config& config, std::shared_ptr<spdlog::logger> logger, asio::io_context& io,
                          observability::Registry* metrics) {
    Foundation base;
    base.state_dir = state_dir_of(config);
    // With PostgreSQL, instances share the audit trail and the state; with SQLite, one instance keeps
    // the shared state in memory, save what must outlive a restart.
    store::SharedState* shared_budget = nullptr;
    if (const auto* postgres = std::get_if<PostgresUrl>(&config.store.location)) {
        store::PostgresOptions options;
        options.url = postgres->url;
        options.audit_retention_days = config.store.audit_retention_days;
        base.postgres = std::make_unique<store::PostgresStore>(options, logger);
        base.audit = base.postgres.get();
        base.invitations = base.postgres.get();
        base.shared = shared_budget = base.postgres.get();
        base.store_description = "PostgreSQL at " + store::postgres_server_of(postgres->url);
    } else {
        const fs::path& named = std::get<SqliteFile>(config.store.location).file;
        const fs::path file = named.empty() ? base.state_dir / "state.sqlite" : named;
        base.sqlite = std::make_unique<store::SqliteAuditLog>(file);
        // Used confirmations, decided access requests and the proposals Discord's buttons name outlive a
        // restart, in the same file.
        store::LocalStateOptions local_options;
        local_options.durable_tokens = base.sqlite.get();
        local_options.durable_values = base.sqlite.get();
        base.local = std::make_unique<store::LocalState>(local_options);
        base.audit = base.sqlite.get();
        base.invitations = base.sqlite.get();
        base.shared = base.local.get();
        base.store_description = "SQLite " + file.string();
    }
    base.provider = make_provider(config, base.state_dir, logger, io, shared_budget, metrics);
    base.signer = std::make_unique<security::HmacSigner>(security::load_or_create_key(
        config.confirmation_key_file.empty() ? base.state_dir / "confirmation.key" : config.confirmation_key_file));
    return base;
}

}  // namespace collab::bot
