#include "adapters/store/marks_in_memory.hpp"

#include <algorithm>
#include <utility>

namespace collab::store {

MarksInMemory::MarksInMemory(std::size_t capacity) : generation_capacity_(std::max<std::size_t>(capacity / 2, 1)) {}

bool MarksInMemory::may_hold(KeyDigest digest, TimePoint now) {
    let_go_past(now);
    const Fingerprint fingerprint = fingerprint_of(digest);
    return newer_.fingerprints.contains(fingerprint) || older_.fingerprints.contains(fingerprint);
}

void MarksInMemory::let_go_past(TimePoint now) {
    if (!older_.fingerprints.empty() && older_.last_deadline <= now) older_.let_go();
    if (!newer_.fingerprints.empty() && newer_.last_deadline <= now) newer_.let_go();
    // A generation spans at most one lifetime of keys: the older is then let go one lifetime after
    // the newer took over, whatever the rate.
    if (!newer_.fingerprints.empty() && newer_.first_deadline <= now && older_.fingerprints.empty())
        std::swap(newer_, older_);
}

bool MarksInMemory::take(KeyDigest digest, TimePoint keep_until, TimePoint now) {
    let_go_past(now);
    const Fingerprint fingerprint = fingerprint_of(digest);
    if (newer_.fingerprints.size() >= generation_capacity_ && !newer_.fingerprints.contains(fingerprint)) {
        if (!older_.fingerprints.empty()) return false;
        std::swap(newer_, older_);
    }
    if (newer_.fingerprints.empty()) newer_.first_deadline = newer_.last_deadline = keep_until;
    newer_.fingerprints.insert(fingerprint);
    newer_.first_deadline = std::min(newer_.first_deadline, keep_until);
    newer_.last_deadline = std::max(newer_.last_deadline, keep_until);
    return true;
}

}  // namespace collab::store
