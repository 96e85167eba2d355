#pragma once
// What the in-memory stores hold for a key they must only recognise: a 64-bit hash, so that a
// remembered key costs eight bytes, not a string. A new key passes for one of n held ones with a
// probability near n / 2^64 (2^-47 for 100,000), far below that of a memory error.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <type_traits>

namespace collab::store {

using KeyDigest = std::uint64_t;

inline KeyDigest digest_of(std::string_view key) {
    return std::hash<std::string_view>{}(key);  // a Murmur hash in libstdc++
}

// For the tables keyed by digests: already a hash, which the table need not mix again.
struct KeyDigestHash {
    using is_avalanching = std::true_type;
    std::size_t operator()(KeyDigest digest) const { return digest; }
};

}  // namespace collab::store
