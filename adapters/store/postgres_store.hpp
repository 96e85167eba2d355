#pragma once
// The bot's state on a PostgreSQL server, shared by every instance that points at it: the audit
// trail, the invitations sent through the bot, the envelopes taken in (with their owner's lease and what is needed to
// finish them), each upstream account's request allowance, and the confirmations and signed requests already used.
//
// libpq blocks, so the connection (PostgresLink) lives on the store's worker thread (StoreWorker),
// like SqliteAuditLog's file, and audit records that arrive together are committed in one
// transaction. When the connection is lost every call fails at once with `unavailable` while the
// link reconnects by itself; a write whose commit was not confirmed is reported as failed, never as
// done. Each new connection first brings the schema up to date (postgres_migrations.hpp).

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "adapters/store/postgres_session.hpp"
#include "adapters/store/shared_state.hpp"
#include "adapters/store/store_worker.hpp"
#include "core/ports.hpp"

namespace collab::store {

class PostgresStore final : public AuditLog,
                            public SharedState,
                            public InvitationLog,
                            private WorkerHost<PostgresSession, AuditEntry> {
public:
    // Connects and migrates the schema; throws StateError naming the server when either fails.
    explicit PostgresStore(PostgresOptions options, std::shared_ptr<spdlog::logger> logger = nullptr);
    ~PostgresStore() override;  // finishes what is queued, then closes the connection
    PostgresStore(const PostgresStore&) = delete;
    PostgresStore& operator=(const PostgresStore&) = delete;

    // The caller's io_context must outlive its calls (each keeps it running until answered).
    boost::asio::awaitable<ApiResult<void>> record(AuditEntry entry) override;
    boost::asio::awaitable<void> note(AuditEntry entry) override;
    boost::asio::awaitable<ApiResult<std::vector<AuditEntry>>> recent(AuditQuery query) override;

    boost::asio::awaitable<ApiResult<ClaimState>> claim(std::string key, std::string owner, std::string work,
                                                        std::chrono::milliseconds lease) override;
    boost::asio::awaitable<ApiResult<bool>> renew(std::string key, std::string owner,
                                                  std::chrono::milliseconds lease) override;
    boost::asio::awaitable<ApiResult<void>> complete(std::string key) override;
    boost::asio::awaitable<ApiResult<std::vector<Orphan>>> take_over_lapsed(std::string owner,
                                                                            std::chrono::milliseconds lease,
                                                                            int limit) override;
    boost::asio::awaitable<ApiResult<std::optional<std::chrono::milliseconds>>> take_request(std::string account,
                                                                                             int per_minute) override;
    boost::asio::awaitable<ApiResult<int>> requests_left(std::string account, int per_minute) override;
    boost::asio::awaitable<ApiResult<void>> ping() override;
    boost::asio::awaitable<ApiResult<std::optional<TokenUse>>> use_once(std::string key, TokenUse use,
                                                                        TimePoint keep_until) override;
    boost::asio::awaitable<ApiResult<void>> forget(std::string key) override;
    boost::asio::awaitable<ApiResult<void>> keep(std::string key, std::string value, TimePoint keep_until) override;
    boost::asio::awaitable<ApiResult<std::optional<std::string>>> recall(std::string key, TimePoint now) override;

    boost::asio::awaitable<void> remember(Invitation invitation) override;
    boost::asio::awaitable<ApiResult<std::vector<Invitation>>> pending(std::string platform) override;
    boost::asio::awaitable<ApiResult<bool>> settle(std::string database, std::string collaborator_id,
                                                   InvitationFate fate, TimePoint at) override;
    boost::asio::awaitable<void> withdraw(std::string database, std::string collaborator_id, TimePoint at) override;
    boost::asio::awaitable<ApiResult<std::size_t>> forget_settled(TimePoint settled_before) override;

    // For the health check: whether the connection is up, and since when it is not.
    bool connected() const { return link_.connected(); }
    std::optional<TimePoint> disconnected_since() const { return link_.disconnected_since(); }
    // "host:port", as the messages name it.
    const std::string& server() const { return link_.server(); }

private:
    // The worker's side.
    ApiResult<PostgresSession*> session() override { return link_.session(); }
    ApiResult<void> commit(PostgresSession& session, std::span<const AuditEntry> entries) override;
    void idle(Idle& idle) override;

    template <typename T>
    boost::asio::awaitable<ApiResult<T>> call(std::function<ApiResult<T>(PostgresSession&)> work);
    // settle()'s work, on the worker's thread.
    std::function<ApiResult<bool>(PostgresSession&)> settling(std::string database, std::string collaborator_id,
                                                              InvitationFate fate, TimePoint at);
    // A statement on one key whose only outcome is whether it ran.
    boost::asio::awaitable<ApiResult<void>> execute(const char* statement, std::string key);
    void clean_up(PostgresSession& session);

    PostgresOptions options_;
    std::shared_ptr<spdlog::logger> logger_;
    SteadyClock::time_point next_cleanup_;  // the worker's thread
    PostgresLink link_;
    StoreWorker<PostgresSession, AuditEntry> worker_;  // last: its thread starts once the rest is built
};

}  // namespace collab::store
