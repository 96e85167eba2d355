// The hot path stays cheap: once a series' handle is held, updating it allocates nothing. Checked by
// counting the calls to the global operator new, replaced here for the whole test binary (it only
// counts while a test has armed it, on the arming thread).

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <new>

#include "adapters/observability/metrics.hpp"

namespace {

thread_local bool counting = false;
thread_local long allocations = 0;

void* allocate(std::size_t size) {
    if (counting) ++allocations;
    if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
    throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t size) {
    return allocate(size);
}
void* operator new[](std::size_t size) {
    return allocate(size);
}
void operator delete(void* memory) noexcept {
    std::free(memory);
}
void operator delete[](void* memory) noexcept {
    std::free(memory);
}
void operator delete(void* memory, std::size_t) noexcept {
    std::free(memory);
}
void operator delete[](void* memory, std::size_t) noexcept {
    std::free(memory);
}

namespace collab::observability {
namespace {

// Allocations made by `work` on this thread.
template <typename Work>
long allocations_during(Work&& work) {
    allocations = 0;
    counting = true;
    work();
    counting = false;
    return allocations;
}

TEST(MetricsHotPath, UpdatingAHeldSeriesDoesNotAllocate) {
    Registry registry;
    // The counting itself is seen to work: a registration allocates.
    EXPECT_GT(allocations_during([&] { registry.counter("probe_total", "A probe.", {{"kind", "list"}}); }), 0);

    Counter& commands = registry.counter("collab_commands_total", "Commands.", {{"kind", "list"}, {"outcome", "ok"}});
    Gauge& budget = registry.gauge("collab_budget_left", "Budget left.");
    Histogram& latency = registry.histogram("collab_ack_latency_seconds", "Ack latency.", ack_latency_buckets);
    const long made = allocations_during([&] {
        for (int i = 0; i < 10'000; ++i) {
            commands.inc();
            budget.set(i);
            budget.inc();
            budget.dec(2);
            latency.observe(i * 0.0001);
            latency.observe(std::chrono::microseconds(i));
        }
    });
    EXPECT_EQ(made, 0);
    EXPECT_EQ(commands.value(), 10'000u);
    EXPECT_EQ(latency.count(), 20'000u);
}

}  // namespace
}  // namespace collab::observability
