#include "adapters/store/seen_filter.hpp"

#include <algorithm>

namespace collab::store {

template <typename Visit>
void SeenFilter::for_each_probe(std::uint64_t digest, Visit visit) {
    const std::uint64_t first = digest;
    const std::uint64_t step = (digest >> 32) | 1;  // odd: the probes never coincide
    for (int probe = 0; probe < probes; ++probe) visit((first + static_cast<std::uint64_t>(probe) * step) & (bits - 1));
}

void SeenFilter::add(std::uint64_t digest) {
    if (words_.empty()) words_.assign(bits / 64, 0);
    for_each_probe(digest, [&](std::uint64_t bit) { words_[bit / 64] |= std::uint64_t{1} << (bit % 64); });
    ++added_;
}

bool SeenFilter::may_contain(std::uint64_t digest) const {
    if (words_.empty()) return false;
    bool all = true;
    for_each_probe(digest, [&](std::uint64_t bit) { all = all && (words_[bit / 64] >> (bit % 64) & 1) != 0; });
    return all;
}

void SeenFilter::clear() {
    std::fill(words_.begin(), words_.end(), 0);
    added_ = 0;
}

}  // namespace collab::store
