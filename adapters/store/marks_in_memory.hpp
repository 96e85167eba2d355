#pragma once
// The used keys a SqliteAuditLog marks behind (a signed request's signature), held in memory so that
// a replay is refused without waiting for the file: their digests (key_digest.hpp), in two generations,
// each let go whole once the last of its deadlines has passed: the newer takes keys until its first
// deadline passes (it then spans one lifetime of keys) or it holds half the capacity, then becomes the
// older. So the memory follows the rate of keys, within the capacity: past it, no key is taken in
// until the older generation's deadlines pass, and the caller marks in the file instead. A key is
// held past its own deadline while another of its generation is not: for keys that cannot come back
// once their deadline has passed (a signature's timestamp is stale by then).

#include <boost/unordered/unordered_flat_set.hpp>

#include <cstddef>

#include "adapters/store/key_digest.hpp"
#include "core/model.hpp"

namespace collab::store {

class MarksInMemory {
public:
    using Digest = KeyDigest;

    explicit MarksInMemory(std::size_t capacity);

    // Whether `digest` is held, after letting go of what is past its time at `now`.
    bool contains(Digest digest, TimePoint now);
    // Takes in `digest`, held at least until `keep_until`, after letting go of what is past its time
    // at `now`; false when there is no room for it (it is then not held).
    bool take(Digest digest, TimePoint keep_until, TimePoint now);
    void erase(Digest digest);
    std::size_t size() const { return newer_.digests.size() + older_.digests.size(); }

private:
    struct Generation {
        boost::unordered_flat_set<Digest, KeyDigestHash> digests;
        TimePoint first_deadline{};
        TimePoint last_deadline{};
        void let_go() { digests.clear(); }  // keeps its table, for the next generation
    };
    void let_go_past(TimePoint now);

    std::size_t generation_capacity_;
    Generation newer_;
    Generation older_;
};

}  // namespace collab::store
