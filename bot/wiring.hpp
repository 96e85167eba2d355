#pragma once
// What every run of the bot stands on, built from the configuration: the state directory, the store,
// the upstream (sandbox or Scalingo), the key that signs confirmations, and the clock.

#include <spdlog/logger.h>
#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "adapters/config/toml_checks.hpp"
#include "adapters/net/http_client.hpp"
#include "adapters/observability/metrics.hpp"
#include "adapters/sandbox/sandbox_store.hpp"
#include "adapters/scalingo/scalingo_api.hpp"
#include "adapters/security/hmac_signer.hpp"
#include "adapters/store/local_state.hpp"
#include "adapters/store/postgres_store.hpp"
#include "adapters/store/sqlite_audit_log.hpp"
#include "adapters/store/sqlite_file.hpp"
#include "bot/config.hpp"
#include "core/ports.hpp"
#include "core/service.hpp"

namespace collab::bot {

// Sent with every HTTP request and websocket handshake.
inline constexpr std::string_view user_agent = "collab-bot/" COLLAB_VERSION;

class SystemClock final : public WallClock {
public:
    TimePoint now() const override { return Clock::now(); }
};

// The state directory in force, created if need be. Throws store::StateError.
std::filesystem::path state_dir_of(const Config& config);

// `io`: the event loop that owns the logger, when the store is used from another thread (the
// in-process provider's): the logger is single-threaded, so the line is written there.
sandbox::SandboxStore open_sandbox(const Config& config, const std::filesystem::path& state_dir,
                                   std::shared_ptr<spdlog::logger> logger, boost::asio::io_context* io = nullptr);

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

// What every adapter stands on: the state directory, the store (audit trail and what instances
// share), the upstream, the key that signs confirmations, and the clock.
struct Foundation {
    std::filesystem::path state_dir;
    std::unique_ptr<store::SqliteAuditLog> sqlite;  // one of these two
    std::unique_ptr<store::PostgresStore> postgres;
    std::unique_ptr<store::LocalState> local;  // with SQLite: one instance, shared state in memory
    AuditLog* audit = nullptr;
    store::SharedState* shared = nullptr;
    InvitationLog* invitations = nullptr;  // beside the audit trail, in the same store
    std::string store_description;
    Provider provider;
    std::unique_ptr<security::HmacSigner> signer;
    SystemClock clock;
};

// Where the service remembers the invitations it sends: nowhere when the watch is off, as nothing would
// ever settle them, and a store kept for nobody would only grow.
InvitationLog* invitations_to_remember(const Config& config, const Foundation& base);

Foundation lay_foundation(const Config& config, std::shared_ptr<spdlog::logger> logger, boost::asio::io_context& io,
                          observability::Registry* metrics = nullptr);

}  // namespace collab::bot
