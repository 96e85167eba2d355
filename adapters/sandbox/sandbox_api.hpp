#pragma once
// The CollaboratorsApi port served in-process by the sandbox store. The store's SQLite calls may
// wait up to its busy timeout for a lock another process holds (the sandbox command line, a test),
// so they run on a thread of the port's own, never on the caller's event loop.
//
// Databases' snapshots are kept in memory (snapshots.hpp), and so is the list of the databases the
// bot reaches (what `help` surveys to tell who asks): a `list` or `help` read before touches neither
// the file nor the port's thread. Invitations and removals made through the port drop the
// database's snapshot and the list at once, and keep the snapshot the same trip to the port's thread
// reads after the change; changes made otherwise (another process writing the
// file, another thread using the store) are seen by a watch on the port's thread, which looks at the
// file's data version while idle, every `watch_interval`, and then drops every snapshot and the list.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "adapters/sandbox/sandbox_store.hpp"
#include "adapters/store/store_worker.hpp"
#include "core/ports.hpp"
#include "core/snapshots.hpp"

namespace collab::sandbox {

class SandboxApi final : public CollaboratorsApi {
public:
    static constexpr std::chrono::milliseconds default_watch_interval{100};

    // The store is used on the port's thread only from now on. The port is used from one event loop.
    explicit SandboxApi(SandboxStore& store, std::chrono::milliseconds watch_interval = default_watch_interval);

    boost::asio::awaitable<ApiResult<Database>> show_database(std::string name) override;
    boost::asio::awaitable<ApiResult<std::vector<Collaborator>>> list_collaborators(std::string database) override;
    boost::asio::awaitable<ApiResult<Collaborator>> invite(std::string database, std::string email) override;
    boost::asio::awaitable<ApiResult<void>> remove(std::string database, std::string collaborator_id) override;
    boost::asio::awaitable<ApiResult<Account>> self() override;
    boost::asio::awaitable<ApiResult<std::vector<Database>>> databases() override;
    boost::asio::awaitable<ApiResult<CachedSnapshot>> snapshot(std::string database) override;

private:
    // The worker's host: the store as its session, and the watch for changes made past the port.
    class Watch final : public store::WorkerHost<SandboxStore> {
    public:
        Watch(SandboxStore& store, std::chrono::milliseconds interval) : store_(store), interval_(interval) {}
        ApiResult<SandboxStore*> session() override { return &store_; }
        void idle(store::Idle& idle) override;
        // On the port's thread, around a change the port makes: what it changes itself is no news.
        std::optional<DataVersion> before_change();
        void after_change(const std::optional<DataVersion>& before);
        // Changes seen so far; read on the event loop.
        std::uint64_t changes_seen() const { return changes_.load(std::memory_order_acquire); }

    private:
        void look();

        SandboxStore& store_;
        const std::chrono::milliseconds interval_;
        std::optional<DataVersion> known_;
        store::SteadyClock::time_point next_look_{};
        std::atomic<std::uint64_t> changes_{0};
    };

    // Drops every snapshot when the watch saw a change since the last call.
    void catch_up();
    // A change the port makes: `database`'s snapshot is dropped whatever the outcome.
    template <typename T>
    boost::asio::awaitable<ApiResult<T>> change(std::string database, std::function<ApiResult<T>(SandboxStore&)> work);

    Watch watch_;
    store::StoreWorker<SandboxStore> worker_;
    SnapshotCache snapshots_;
    std::uint64_t changes_acted_on_ = 0;  // of the watch's, on the event loop
    // The databases the bot reaches, as last read; a read begun before a change (a bump of
    // databases_version_) is not kept, as it may predate the change.
    std::optional<std::vector<Database>> databases_;
    std::uint64_t databases_version_ = 0;
};

}  // namespace collab::sandbox
