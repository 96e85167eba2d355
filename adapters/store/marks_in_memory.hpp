#pragma once
// The used keys a SqliteAuditLog marks behind (a signed request's signature), held in memory so that
// a new key is told apart without asking the file: 32-bit fingerprints of the keys, four bytes each.
// A key whose fingerprint is not held was never marked there (within the deadlines); one whose
// fingerprint is held may have been (or shares it with another, about one key in 2^32 / n), and the
// file is asked. They sit in two generations, each let go whole once the last of its deadlines has
// passed: once its first deadline has passed (it then spans one lifetime of keys), or once it holds
// half the capacity, the newer becomes the older, as soon as the older is let go; meanwhile a full
// newer takes no key. So the memory follows the rate of keys, within the capacity. A key
// is held past its own deadline while another of its generation is not: for keys that cannot come
// back once their deadline has passed (a signature's timestamp is stale by then).

#include <boost/unordered/unordered_flat_set.hpp>

#include <cstddef>
#include <cstdint>

#include "adapters/store/key_digest.hpp"
#include "core/model.hpp"

namespace collab::store {

class MarksInMemory {
public:
    explicit MarksInMemory(std::size_t capacity);

    // Whether the key of `digest` may be held, after letting go of what is past its time at `now`.
    bool may_hold(KeyDigest digest, TimePoint now);
    // Holds the key of `digest` at least until `keep_until`; false when there is no room for it.
    bool take(KeyDigest digest, TimePoint keep_until, TimePoint now);
    std::size_t size() const { return newer_.fingerprints.size() + older_.fingerprints.size(); }

    using Fingerprint = std::uint32_t;
    static Fingerprint fingerprint_of(KeyDigest digest) { return static_cast<Fingerprint>(digest >> 32); }

private:
    struct Generation {
        boost::unordered_flat_set<Fingerprint> fingerprints;  // boost mixes them: not avalanching on 64 bits
        TimePoint first_deadline{};
        TimePoint last_deadline{};
        void let_go() { fingerprints.clear(); }  // keeps its table, for the next generation
    };
    void let_go_past(TimePoint now);

    std::size_t generation_capacity_;
    Generation newer_;
    Generation older_;
};

}  // namespace collab::store
