#include "adapters/store/marks_in_memory.hpp"

#include <algorithm>
#include <utility>

namespace collab::store {

MarksInMemory::MarksInMemory(std::size_t capacity) : generation_capacity_(std::max<std::size_t>(capacity / 2, 1)) {}

bool MarksInMemory::contains(Digest digest, TimePoint now) {
    let_go_past(now);
    return newer_.digests.contains(digest) || older_.digests.contains(digest);
}

void MarksInMemory::let_go_past(TimePoint now) {
    if (!older_.digests.empty() && older_.last_deadline <= now) older_.let_go();
    if (!newer_.digests.empty() && newer_.last_deadline <= now) newer_.let_go();
    // A generation spans at most one lifetime of keys: the older is then let go one lifetime after
    // the newer took over, whatever the rate.
    if (!newer_.digests.empty() && newer_.first_deadline <= now && older_.digests.empty()) std::swap(newer_, older_);
}

bool MarksInMemory::take(Digest digest, TimePoint keep_until, TimePoint now) {
    let_go_past(now);
    if (newer_.digests.size() >= generation_capacity_) {
        if (!older_.digests.empty()) return false;
        std::swap(newer_, older_);
    }
    if (newer_.digests.empty()) newer_.first_deadline = newer_.last_deadline = keep_until;
    newer_.digests.insert(digest);
    newer_.first_deadline = std::min(newer_.first_deadline, keep_until);
    newer_.last_deadline = std::max(newer_.last_deadline, keep_until);
    return true;
}

void MarksInMemory::erase(Digest digest) {
    newer_.digests.erase(digest);
    older_.digests.erase(digest);
}

}  // namespace collab::store
