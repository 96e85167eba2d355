#pragma once
// The bot's state on a PostgreSQL server, shared by every instance that points at it: the audit
// trail, the envelopes taken in (with their owner's lease and what is needed to finish them), each
// upstream account's request allowance, and the confirmations and signed requests already used.
//
// libpq blocks, so the connection lives on a thread of the store's own; callers await its answers
// the way they await SqliteAuditLog's, and audit records that arrive together are committed in one
// transaction. When the connection is lost every call fails at once with `unavailable` and a
// message a chat user can act on, while the thread reconnects by itself (jittered, capped backoff);
// a write whose commit was not confirmed is reported as failed, never as done.
//
// The schema is versioned: the constructor applies the migrations this build knows and the server
// has not seen, in one transaction under an advisory lock, so instances that start together apply
// each one exactly once.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "adapters/net/backoff.hpp"
#include "adapters/store/shared_state.hpp"
#include "core/ports.hpp"

namespace spdlog {
class logger;
}

namespace collab::store {

namespace detail {
class PostgresSession;  // one connection; used on the store's thread only
}

struct PostgresOptions {
    // postgresql://user:password@host:port/database?options, or libpq's key=value form.
    std::string url;
    // For establishing a connection, at start and on each reconnection.
    std::chrono::seconds connect_timeout{5};
    // The server cancels any statement running longer (SET statement_timeout); a server that does
    // not answer at all is given up on a little after this and the connection counts as lost.
    std::chrono::milliseconds statement_timeout{5'000};
    // Audit entries older than this are deleted.
    int audit_retention_days = 365;
    // Envelope ids are remembered at least this long (Slack re-delivers within minutes).
    std::chrono::hours claim_retention{24};
    // How often expired rows are deleted (also right after each connection).
    std::chrono::milliseconds cleanup_every{std::chrono::hours{1}};
    // Waits between reconnection attempts: full jitter up to base * 2^attempt, capped.
    net::BackoffPolicy reconnect{std::chrono::milliseconds{200}, std::chrono::milliseconds{5'000}, 0};
    // The rolling window a request allowance is counted over (Scalingo counts per minute; shorter in tests).
    std::chrono::milliseconds request_window{std::chrono::minutes{1}};
};

// "host:port" of the server a URL names, for messages and logs: never the password.
std::string postgres_server_of(std::string_view url);

class PostgresStore final : public AuditLog, public SharedState {
public:
    // Connects and migrates the schema; throws StateError naming the server when either fails.
    explicit PostgresStore(PostgresOptions options, std::shared_ptr<spdlog::logger> logger = nullptr);
    ~PostgresStore() override;  // finishes what is queued, then closes the connection
    PostgresStore(const PostgresStore&) = delete;
    PostgresStore& operator=(const PostgresStore&) = delete;

    // The caller's io_context must outlive its calls (each keeps it running until answered).
    boost::asio::awaitable<ApiResult<void>> record(AuditEntry entry) override;
    boost::asio::awaitable<ApiResult<std::vector<AuditEntry>>> recent(std::string database, int limit) override;

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

    // For the health check: whether the connection is up, and since when it is not.
    bool connected() const { return connected_.load(); }
    std::optional<TimePoint> disconnected_since() const;
    // "host:port", as the messages name it.
    const std::string& server() const { return server_; }

private:
    using Session = detail::PostgresSession;

    // Work for the store's thread. `finish` completes the call exactly once: it runs the call on the
    // session when given one, else answers with the error in `outcome`. Audit writes (`entry` set)
    // are batched into one transaction and answered with its outcome instead.
    struct Job {
        std::optional<AuditEntry> entry;
        std::function<void(Session* session, const ApiResult<void>& outcome)> finish;
    };

    template <typename T>
    boost::asio::awaitable<ApiResult<T>> call(std::function<ApiResult<T>(Session&)> work);
    void enqueue(Job job, const boost::asio::any_io_executor& executor);

    void run();
    bool reconnect(int attempt);
    void lose_connection(std::string reason);
    void fail_queued();
    void drain_wake();
    void work_through(std::deque<Job>& jobs);
    void write_all(std::deque<Job*>& writes);
    void clean_up();

    PostgresOptions options_;
    std::string server_;
    std::shared_ptr<spdlog::logger> logger_;
    int wake_fd_ = -1;                  // an eventfd: wakes the thread out of poll()
    std::unique_ptr<Session> session_;  // null while disconnected; the store's thread only
    std::atomic<bool> connected_{false};
    std::atomic<std::int64_t> lost_at_ms_{0};  // system clock, 0 while connected

    std::mutex mutex_;
    std::deque<Job> queue_;
    bool stopping_ = false;
    bool wake_scheduled_ = false;
    std::thread thread_;
};

}  // namespace collab::store
