#pragma once
// Databases as last read, kept in memory so that a read (`list`) touches no file and no network, with
// a generation that names each version of a database: a change bumps it, and whatever was built from
// an older version (a rendered table, an encoded message) is known to be out of date by that number.
//
// Freshness rules, for every provider:
// - a change made through the bot (an invitation, a removal, whatever its outcome) drops the
//   database's snapshot, and so does a change seen by a watch (changed_all when it cannot say which);
// - a fetch that began before a change never stores what it read: it may predate the change;
// - a snapshot is kept at most `ttl` after it was read, for providers that other people change too;
// - a fetch that reads the same as the snapshot it replaces keeps its generation, so that what was
//   rendered from it stays valid.
// Used from one thread (the event loop's).

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/model.hpp"

namespace collab {

// A database's snapshot as the cache hands it out: shared, never changed once made.
struct CachedSnapshot {
    std::shared_ptr<const DatabaseSnapshot> state;
    // Names this version of the database; 0 for a snapshot read past the cache (it may be out of date
    // as soon as it is read): nothing built from it is kept.
    std::uint64_t generation = 0;
};

class SnapshotCache {
public:
    using SteadyClock = std::chrono::steady_clock;

    // What a fetch presents to store what it read: the state of the cache when it began.
    struct Ticket {
        std::uint64_t epoch = 0;
        std::uint64_t version = 0;
    };

    explicit SnapshotCache(SteadyClock::duration ttl = SteadyClock::duration::max()) : ttl_(ttl) {}

    // The database's snapshot, while it is fresh.
    std::optional<CachedSnapshot> find(std::string_view database, SteadyClock::time_point now = SteadyClock::now());
    // Taken before a fetch begins.
    Ticket ticket(std::string_view database) const;
    // What the fetch begun with `ticket` read, as the caller should use it: stored (with the generation
    // it now has) unless the database changed since the ticket was taken (generation 0 then).
    CachedSnapshot store(const std::string& database, const Ticket& ticket, DatabaseSnapshot state,
                         SteadyClock::time_point now = SteadyClock::now());
    // The database was changed: its snapshot is dropped, and fetches begun before cannot store theirs.
    void changed(std::string_view database);
    // Something changed that names no database (a watch that only sees that the data moved).
    void changed_all();

private:
    struct Entry {
        std::uint64_t version = 0;  // the generation of `state`, or of the change that dropped it
        std::shared_ptr<const DatabaseSnapshot> state;
        SteadyClock::time_point read_at;
    };

    SteadyClock::duration ttl_;
    std::uint64_t epoch_ = 0;  // bumped by changed_all
    // Generations are unique across databases and never reused, so a key made of one cannot collide.
    std::uint64_t last_generation_ = 0;
    std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace collab
