#include "core/snapshots.hpp"

namespace collab {

std::optional<CachedSnapshot> SnapshotCache::find(std::string_view database, SteadyClock::time_point now) {
    auto found = entries_.find(database);
    if (found == entries_.end() || !found->second.state) return std::nullopt;
    // Kept past its time, for store() to tell whether the next read brings anything new.
    if (now - found->second.read_at >= ttl_) return std::nullopt;
    return CachedSnapshot{found->second.state, found->second.version};
}

SnapshotCache::Ticket SnapshotCache::ticket(std::string_view database) const {
    auto found = entries_.find(database);
    return Ticket{epoch_, found == entries_.end() ? 0 : found->second.version};
}

CachedSnapshot SnapshotCache::store(const std::string& database, const Ticket& ticket, DatabaseSnapshot state,
                                    SteadyClock::time_point now) {
    Entry& entry = entries_[database];
    if (ticket.epoch != epoch_ || ticket.version != entry.version)
        return CachedSnapshot{std::make_shared<const DatabaseSnapshot>(std::move(state)), 0};
    if (!entry.state || !(*entry.state == state)) {
        entry.state = std::make_shared<const DatabaseSnapshot>(std::move(state));
        entry.version = ++last_generation_;
    }
    entry.read_at = now;
    return CachedSnapshot{entry.state, entry.version};
}

void SnapshotCache::changed(std::string_view database) {
    auto found = entries_.find(database);
    if (found == entries_.end()) found = entries_.emplace(std::string(database), Entry{}).first;
    found->second.state.reset();
    found->second.version = ++last_generation_;
}

void SnapshotCache::changed_all() {
    ++epoch_;
    entries_.clear();
}

}  // namespace collab
