#include "adapters/sandbox/sandbox_api.hpp"

#include <SQLiteCpp/Exception.h>

#include <functional>

namespace collab::sandbox {
namespace asio = boost::asio;
namespace {

template <typename F>
auto guarded(F&& read) -> ApiResult<decltype(read())> {
    try {
        return read();
    } catch (const SQLite::Exception& e) {
        return std::unexpected(ApiError{ApiErrorKind::unavailable,
                                        std::string("The sandbox state cannot be read right now (") + e.what() + ")."});
    }
}

ApiError not_found() {
    return ApiError{ApiErrorKind::not_found, "app not found"};
}

// As Scalingo, the bot reaches only the databases its account owns or collaborates on, and changes
// their collaborators only as a full (not limited) collaborator; otherwise the answer is Scalingo's
// 401, an unauthorized error. Nothing when it may.
std::optional<ApiError> out_of_reach(SandboxStore& store, const std::string& database, bool change) {
    if (!store.find_database(database)) return not_found();
    const Account bot = store.bot_account();
    const auto role = store.role_of(database, bot.id);
    if (role && (!change || *role != AppRole::limited_collaborator)) return std::nullopt;
    return ApiError{ApiErrorKind::unauthorized,
                    "The bot's account (" + bot.email + ") may not manage the collaborators of " + database + "."};
}

// Why the bot's account cannot reach the database, the reading included; nothing when it can.
std::optional<ApiError> refusal(SandboxStore& store, const std::string& database, bool change) {
    auto refused = guarded([&] { return out_of_reach(store, database, change); });
    if (!refused) return refused.error();
    return *refused;
}

// The work, once the bot's account is known to reach the database.
template <typename T>
std::function<ApiResult<T>(SandboxStore&)> within_reach(std::string database, bool change,
                                                        std::function<ApiResult<T>(SandboxStore&)> work) {
    return [database = std::move(database), change, work = std::move(work)](SandboxStore& store) -> ApiResult<T> {
        if (auto refused = refusal(store, database, change)) return std::unexpected(std::move(*refused));
        return work(store);
    };
}

// The database as it is now, when the bot's account reaches it.
ApiResult<DatabaseSnapshot> read_snapshot(SandboxStore& store, const std::string& database) {
    if (auto refused = refusal(store, database, false)) return std::unexpected(std::move(*refused));
    auto read = guarded([&]() -> std::optional<DatabaseSnapshot> {
        auto found = store.find_database(database);
        if (!found) return std::nullopt;
        return DatabaseSnapshot{std::move(*found), store.collaborators(database)};
    });
    if (!read) return std::unexpected(read.error());
    if (!*read) return std::unexpected(not_found());
    return std::move(**read);
}

}  // namespace

SandboxApi::SandboxApi(SandboxStore& store, std::chrono::milliseconds watch_interval)
    : watch_(store, watch_interval),
      worker_(watch_, "collab-sandbox",
              ApiError{ApiErrorKind::unavailable, "The request to the sandbox was cancelled."}) {}

void SandboxApi::Watch::idle(store::Idle& idle) {
    for (;;) {
        const auto now = store::SteadyClock::now();
        if (now >= next_look_) {
            look();
            next_look_ = now + interval_;
        }
        if (idle.wait(next_look_) != store::Idle::Woken::deadline) return;
    }
}

void SandboxApi::Watch::look() {
    try {
        const DataVersion now = store_.data_version();
        if (known_ && *known_ != now) changes_.fetch_add(1, std::memory_order_release);
        known_ = now;
    } catch (const SQLite::Exception&) {
        // Not readable right now (locked): looked at again next time.
    }
}

std::optional<DataVersion> SandboxApi::Watch::before_change() {
    try {
        return store_.data_version();
    } catch (const SQLite::Exception&) {
        return std::nullopt;
    }
}

void SandboxApi::Watch::after_change(const std::optional<DataVersion>& before) {
    // Only when nothing else had changed since the last look: that is left for the next look to see.
    if (!before || known_ != before) return;
    try {
        known_ = store_.data_version();
    } catch (const SQLite::Exception&) {
        known_.reset();
        changes_.fetch_add(1, std::memory_order_release);
    }
}

void SandboxApi::catch_up() {
    const std::uint64_t seen = watch_.changes_seen();
    if (seen == changes_acted_on_) return;
    changes_acted_on_ = seen;
    snapshots_.changed_all();
    databases_.reset();
    ++databases_version_;
}

asio::awaitable<ApiResult<CachedSnapshot>> SandboxApi::snapshot(std::string database) {
    catch_up();
    if (auto kept = snapshots_.find(database)) co_return std::move(*kept);
    const auto ticket = snapshots_.ticket(database);
    std::function<ApiResult<DatabaseSnapshot>(SandboxStore&)> work = [database](SandboxStore& store) {
        return read_snapshot(store, database);
    };
    auto read = co_await worker_.call(std::move(work));
    if (!read) co_return std::unexpected(read.error());
    // A change the watch saw meanwhile may be missing from what was read: then it is not kept.
    catch_up();
    co_return snapshots_.store(database, ticket, std::move(*read));
}

template <typename T>
asio::awaitable<ApiResult<T>> SandboxApi::change(std::string database,
                                                 std::function<ApiResult<T>(SandboxStore&)> work) {
    // Dropped before the change is queued: the thread runs its work in order, so a read queued before
    // it cannot keep what it read, and one queued after reads what the change left.
    snapshots_.changed(database);
    // The bot's own account may have joined or left the database.
    databases_.reset();
    ++databases_version_;
    const auto ticket = snapshots_.ticket(database);
    // The database as the change left it is read in the same trip to the thread, for the commands that
    // follow (the reply to a change, the next change) to find it in memory.
    struct Changed {
        ApiResult<T> result;
        ApiResult<DatabaseSnapshot> after;
    };
    std::function<ApiResult<Changed>(SandboxStore&)> watched = [this, database,
                                                                work = std::move(work)](SandboxStore& store) {
        const auto before = watch_.before_change();
        ApiResult<T> result = work(store);
        watch_.after_change(before);
        return ApiResult<Changed>(Changed{std::move(result), read_snapshot(store, database)});
    };
    auto changed = co_await worker_.call(std::move(watched));
    // The caller stopped waiting: the change is still made, before the reads queued after it.
    if (!changed) co_return std::unexpected(std::move(changed.error()));
    // Not kept when the watch saw another change meanwhile, or another change of the bot's followed.
    catch_up();
    if (changed->after) snapshots_.store(database, ticket, std::move(*changed->after));
    co_return std::move(changed->result);
}

asio::awaitable<ApiResult<Database>> SandboxApi::show_database(std::string name) {
    std::function<ApiResult<Database>(SandboxStore&)> work = [name](SandboxStore& store) -> ApiResult<Database> {
        auto found = guarded([&] { return store.find_database(name); });
        if (!found) return std::unexpected(found.error());
        if (!*found) return std::unexpected(not_found());
        return std::move(**found);
    };
    auto reachable = within_reach(name, false, std::move(work));
    co_return co_await worker_.call(std::move(reachable));
}

asio::awaitable<ApiResult<std::vector<Collaborator>>> SandboxApi::list_collaborators(std::string database) {
    using List = std::vector<Collaborator>;
    std::function<ApiResult<List>(SandboxStore&)> work = [database](SandboxStore& store) -> ApiResult<List> {
        return guarded([&] { return store.collaborators(database); });
    };
    auto reachable = within_reach(database, false, std::move(work));
    co_return co_await worker_.call(std::move(reachable));
}

asio::awaitable<ApiResult<Collaborator>> SandboxApi::invite(std::string database, std::string email) {
    std::function<ApiResult<Collaborator>(SandboxStore&)> work =
        [database, email = std::move(email)](SandboxStore& store) { return store.invite(database, email, false); };
    auto reachable = within_reach(database, true, std::move(work));
    co_return co_await change(std::move(database), std::move(reachable));
}

asio::awaitable<ApiResult<void>> SandboxApi::remove(std::string database, std::string collaborator_id) {
    std::function<ApiResult<void>(SandboxStore&)> work =
        [database, collaborator_id = std::move(collaborator_id)](SandboxStore& store) {
            return store.remove(database, collaborator_id);
        };
    auto reachable = within_reach(database, true, std::move(work));
    co_return co_await change(std::move(database), std::move(reachable));
}

asio::awaitable<ApiResult<Account>> SandboxApi::self() {
    std::function<ApiResult<Account>(SandboxStore&)> work = [](SandboxStore& store) {
        return guarded([&] { return store.bot_account(); });
    };
    co_return co_await worker_.call(std::move(work));
}

asio::awaitable<ApiResult<std::vector<Database>>> SandboxApi::databases() {
    using List = std::vector<Database>;
    catch_up();
    if (databases_) co_return *databases_;
    const std::uint64_t version = databases_version_;
    // As Scalingo's list of apps: those the bot's account owns or collaborates on.
    std::function<ApiResult<List>(SandboxStore&)> work = [](SandboxStore& store) {
        return guarded([&] {
            List visible;
            for (auto& app : store.apps_visible_to(store.bot_account().id)) visible.push_back(std::move(app.database));
            return visible;
        });
    };
    auto read = co_await worker_.call(std::move(work));
    catch_up();
    if (read && version == databases_version_) databases_ = *read;
    co_return read;
}

}  // namespace collab::sandbox
