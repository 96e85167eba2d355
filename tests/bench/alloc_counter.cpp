// A counting allocator, preloaded into the bot by the benchmark (LD_PRELOAD): every malloc-family
// call and every free is counted, then handed to glibc's own allocator. The counts live in a shared
// mapping of the file named by COLLAB_ALLOC_COUNTS (AllocationCounts in bench_driver.hpp), so that
// the benchmark reads them whenever it likes, without a signal or the bot's cooperation.

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>

#include "allocation_counts.hpp"

extern "C" {
// glibc's allocator under its own names: what the wrappers below hand the calls to.
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* pointer, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
void __libc_free(void* pointer);
}

namespace {

// Counted here until the mapping is up (the dynamic loader and early constructors allocate too).
collab::bench::AllocationCounts early;
collab::bench::AllocationCounts* counts = &early;

void count_allocation() {
    __atomic_add_fetch(&counts->allocations, 1, __ATOMIC_RELAXED);
}

__attribute__((constructor)) void map_counts() {
    const char* path = std::getenv("COLLAB_ALLOC_COUNTS");
    if (path == nullptr) return;
    const int file = ::open(path, O_RDWR | O_CREAT, 0600);
    if (file < 0) return;
    if (::ftruncate(file, sizeof(collab::bench::AllocationCounts)) == 0) {
        void* mapped =
            ::mmap(nullptr, sizeof(collab::bench::AllocationCounts), PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
        if (mapped != MAP_FAILED) {
            auto* shared = static_cast<collab::bench::AllocationCounts*>(mapped);
            *shared = early;
            counts = shared;
        }
    }
    ::close(file);
}

}  // namespace

extern "C" {

void* malloc(std::size_t size) noexcept {
    count_allocation();
    return __libc_malloc(size);
}

void* calloc(std::size_t count, std::size_t size) noexcept {
    count_allocation();
    return __libc_calloc(count, size);
}

void* realloc(void* pointer, std::size_t size) noexcept {
    count_allocation();
    return __libc_realloc(pointer, size);
}

void* memalign(std::size_t alignment, std::size_t size) noexcept {
    count_allocation();
    return __libc_memalign(alignment, size);
}

void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
    count_allocation();
    return __libc_memalign(alignment, size);
}

int posix_memalign(void** result, std::size_t alignment, std::size_t size) noexcept {
    count_allocation();
    void* pointer = __libc_memalign(alignment, size);
    if (pointer == nullptr) return ENOMEM;
    *result = pointer;
    return 0;
}

void free(void* pointer) noexcept {
    if (pointer != nullptr) __atomic_add_fetch(&counts->frees, 1, __ATOMIC_RELAXED);
    __libc_free(pointer);
}

}  // extern "C"
