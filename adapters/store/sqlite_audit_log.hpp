#pragma once
// The audit trail, the invitations sent through the bot, the confirmations and access requests used
// and the proposals Discord's buttons name by a short key, in a SQLite file of the state directory:
// what one instance keeps across restarts.
//
// The file is written on a worker thread (StoreWorker), so that a slow disk never holds up the bot's
// event loop, and records that arrive together are committed in one transaction: one WAL append for a
// burst of commands instead of one each. A record() completes only once its transaction is committed,
// so "recorded before the change" still holds. Checkpoints (copying the WAL back into the database
// file, with an fsync) run on a third thread with its own connection, never in the way of a commit
// (but for a WAL grown past 16 MiB under a steady stream of commits, see sqlite_audit_log.cpp): done
// by the committing connection, they held commands up by tens of milliseconds after a burst.

#include <SQLiteCpp/Database.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <variant>

#include "adapters/store/kept_values.hpp"
#include "adapters/store/marks_in_memory.hpp"
#include "adapters/store/sqlite_file.hpp"
#include "adapters/store/store_worker.hpp"
#include "core/confirmation.hpp"
#include "core/ports.hpp"

namespace collab::store {

// A withdrawn invitation, settled after the fact.
struct Withdrawal {
    std::string database;
    std::string collaborator_id;
    TimePoint at;
};
// A used key's mark, written behind (use_once_written_behind).
struct TokenMark {
    std::string key;
    TokenUse use;
    TimePoint keep_until;
};
// What the worker commits in groups: the audit entries, and the invitations' rows and the marks nobody
// waits for, which share their commit. Entries and invitations (300 bytes each) are held apart, so
// that a queued mark (one a request in HTTP mode) takes 90 bytes and its key's, not 320.
using AuditFileWrite =
    std::variant<std::unique_ptr<const AuditEntry>, std::unique_ptr<const Invitation>, Withdrawal, TokenMark>;

class SqliteAuditLog final : public AuditLog,
                             public InvitationLog,
                             public UsedTokens,
                             public KeptValues,
                             private WorkerHost<StateConnection, AuditFileWrite> {
public:
    // Keys used behind are held in memory up to `marks_in_memory` (see MarksInMemory), 4 to 10 bytes
    // each: with HTTP mode's 10 minutes a mark, the fast path holds up to 1,080 requests a second
    // sustained (13 MiB at most then; the memory follows the rate). Past it, keys are asked about in
    // the file until 10 minutes after the last that did not fit.
    static constexpr std::size_t default_marks_in_memory = 1'300'000;
    explicit SqliteAuditLog(const std::filesystem::path& file,
                            std::size_t marks_in_memory = default_marks_in_memory);  // throws StateError
    ~SqliteAuditLog() override;  // writes what is queued, then stops
    SqliteAuditLog(const SqliteAuditLog&) = delete;
    SqliteAuditLog& operator=(const SqliteAuditLog&) = delete;

    boost::asio::awaitable<ApiResult<void>> record(AuditEntry entry) override;
    boost::asio::awaitable<void> note(AuditEntry entry) override;
    boost::asio::awaitable<ApiResult<std::vector<AuditEntry>>> recent(AuditQuery query) override;

    boost::asio::awaitable<void> remember(Invitation invitation) override;
    boost::asio::awaitable<ApiResult<std::vector<Invitation>>> pending(std::string platform) override;
    boost::asio::awaitable<ApiResult<bool>> settle(std::string database, std::string collaborator_id,
                                                   InvitationFate fate, TimePoint at) override;
    boost::asio::awaitable<void> withdraw(std::string database, std::string collaborator_id, TimePoint at) override;
    boost::asio::awaitable<ApiResult<std::size_t>> forget_settled(TimePoint settled_before) override;

    boost::asio::awaitable<ApiResult<std::optional<TokenUse>>> use_once(std::string key, TokenUse use,
                                                                        TimePoint keep_until) override;
    // A key whose fingerprint is not held in memory is new: it returns once its mark is queued, to be
    // committed before anything queued after it (before the audit entry of any change the request
    // leads to). Any other is asked about in the file, as use_once does: a replay, a key that shares
    // a fingerprint, and every key while one that did not fit in memory can be presented. A mark the
    // file lost (a failed commit) is remembered as used by this process.
    boost::asio::awaitable<ApiResult<std::optional<TokenUse>>> use_once_written_behind(std::string key, TokenUse use,
                                                                                       TimePoint keep_until) override;
    boost::asio::awaitable<ApiResult<void>> forget(std::string key) override;

    boost::asio::awaitable<ApiResult<void>> keep(std::string key, std::string value, TimePoint keep_until) override;
    boost::asio::awaitable<ApiResult<std::optional<std::string>>> recall(std::string key, TimePoint now) override;

private:
    // The worker's side.
    ApiResult<StateConnection*> session() override { return &connection_; }
    ApiResult<void> commit(StateConnection& connection, std::span<const AuditFileWrite> writes) override;

    void checkpoint_every(std::chrono::milliseconds period, std::filesystem::path file);
    // Remembers `mark` as used though the file lost it (on the worker's thread).
    void lose(const TokenMark& mark);
    // use_once, marking the key as used behind (read back into memory at the next start) or not.
    boost::asio::awaitable<ApiResult<std::optional<TokenUse>>> use_in_file(std::string key, TokenUse use,
                                                                           TimePoint keep_until, bool written_behind);

    StateConnection connection_;  // used on the worker's thread only, once built
    // Keys used behind whose marks a failed commit lost, until their deadlines (the worker's thread's).
    std::unordered_map<KeyDigest, TimePoint> lost_marks_;
    // The keys used behind: held in memory, and until when a key not held may still be marked in the
    // file (it did not fit in memory, when used or when the file was opened).
    std::mutex marks_mutex_;
    MarksInMemory marks_;
    TimePoint file_marks_live_until_{};
    std::mutex checkpoint_mutex_;
    std::condition_variable stop_checkpoints_;
    bool stopping_ = false;
    std::thread checkpoints_;
    StoreWorker<StateConnection, AuditFileWrite> worker_;  // last: its thread starts once the rest is built
};

}  // namespace collab::store
