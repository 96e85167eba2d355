#pragma once
// What the counting allocator (alloc_counter.cpp) keeps in its shared file, read by the benchmark.

#include <cstdint>

namespace collab::bench {

struct AllocationCounts {
    std::uint64_t allocations = 0;  // malloc, calloc, realloc and the aligned ones (operator new goes through malloc)
    std::uint64_t frees = 0;        // free of a non-null pointer
};

}  // namespace collab::bench
