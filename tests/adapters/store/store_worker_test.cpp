// The worker both stores run their blocking work on: what arrives together is committed together,
// each caller learns its own result, a failed commit fails every write in it, a stop answers what is
// queued, every caller is resumed on its own executor, and what is queued for later keeps its place.

#include <gtest/gtest.h>

#include <pthread.h>
#include <sched.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "adapters/store/store_worker.hpp"

namespace collab::testing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// The "database": the batches committed, in order. Touched on the worker's thread only, read by the
// test once the worker is idle or gone.
struct Ledger {
    std::vector<std::vector<std::string>> commits;
};

class LedgerHost final : public store::WorkerHost<Ledger, std::string> {
public:
    ApiResult<Ledger*> session() override {
        if (!up) return std::unexpected(ApiError{ApiErrorKind::unavailable, "the ledger is down"});
        return &ledger;
    }
    // A batch holding "refused" fails whole.
    ApiResult<void> commit(Ledger& into, std::span<const std::string> writes) override {
        std::vector<std::string> batch(writes.begin(), writes.end());
        for (const auto& write : batch)
            if (write == "refused") return std::unexpected(ApiError{ApiErrorKind::unavailable, "commit refused"});
        into.commits.push_back(std::move(batch));
        return {};
    }

    std::atomic<bool> up{true};
    Ledger ledger;
};

using Worker = store::StoreWorker<Ledger, std::string>;
using Batches = std::vector<std::vector<std::string>>;

ApiError cancelled() {
    return ApiError{ApiErrorKind::unavailable, "cancelled"};
}

asio::awaitable<ApiResult<void>> write(Worker& worker, std::string target) {
    co_return co_await worker.write(std::move(target));
}

// A call with an answer of its own: how many writes were committed before it ran.
asio::awaitable<ApiResult<std::size_t>> count_committed(Worker& worker) {
    std::function<ApiResult<std::size_t>(Ledger&)> work = [](Ledger& ledger) -> ApiResult<std::size_t> {
        std::size_t rows = 0;
        for (const auto& batch : ledger.commits) rows += batch.size();
        return rows;
    };
    co_return co_await worker.call(std::move(work));
}

// Holds the worker's thread in a call until `gate` opens, telling `entered` once it is in.
asio::awaitable<ApiResult<std::size_t>> hold(Worker& worker, std::shared_ptr<std::promise<void>> entered,
                                             std::shared_future<void> gate) {
    std::function<ApiResult<std::size_t>(Ledger&)> work = [entered, gate](Ledger&) -> ApiResult<std::size_t> {
        entered->set_value();
        gate.wait();
        return 0;
    };
    co_return co_await worker.call(std::move(work));
}

// The worker's thread held in a call (once the constructor returns) until release(): what is queued
// meanwhile waits in the worker's queue.
struct HeldThread {
    HeldThread(asio::io_context& io, Worker& worker) {
        auto entered = std::make_shared<std::promise<void>>();
        auto in_hold = entered->get_future();
        done = asio::co_spawn(io, hold(worker, entered, gate.get_future().share()), asio::use_future);
        while (in_hold.wait_for(0s) != std::future_status::ready) io.run_one_for(10ms);
    }
    void release() { gate.set_value(); }

    std::promise<void> gate;
    std::future<ApiResult<std::size_t>> done;
};

std::future<ApiResult<void>> spawn_write(asio::io_context& io, Worker& worker, const std::string& target) {
    std::string copy = target;
    return asio::co_spawn(io, write(worker, std::move(copy)), asio::use_future);
}

TEST(StoreWorker, writes_that_arrive_together_share_one_commit_and_each_caller_learns_it) {
    LedgerHost host;
    Worker worker(host, "test-worker", cancelled());
    asio::io_context io;
    std::vector<std::future<ApiResult<void>>> writes;
    for (const char* target : {"a", "b", "c", "d"}) writes.push_back(spawn_write(io, worker, target));
    io.run();
    for (auto& written : writes) EXPECT_TRUE(written.get().has_value());
    EXPECT_EQ(host.ledger.commits, (Batches{{"a", "b", "c", "d"}}));
}

// The name the worker's thread carries (its comm, as top -H and the bench see it), and its
// scheduling policy.
asio::awaitable<ApiResult<std::pair<std::string, int>>> thread_identity(Worker& worker) {
    using Identity = std::pair<std::string, int>;
    std::function<ApiResult<Identity>(Ledger&)> work = [](Ledger&) -> ApiResult<Identity> {
        char name[16] = {};
        ::pthread_getname_np(::pthread_self(), name, sizeof name);
        int policy = -1;
        sched_param priority{};
        ::pthread_getschedparam(::pthread_self(), &policy, &priority);
        return Identity{name, policy};
    };
    co_return co_await worker.call(std::move(work));
}

TEST(StoreWorker, its_thread_carries_the_name_it_was_given_and_runs_in_the_background) {
    bool batch_allowed = false;
    std::thread probe([&batch_allowed] { batch_allowed = store::become_background_thread("test-probe"); });
    probe.join();
    if (!batch_allowed) GTEST_SKIP() << "this machine keeps threads off SCHED_BATCH (a chosen policy, or refused)";
    LedgerHost host;
    Worker worker(host, "collab-ledger", cancelled());
    asio::io_context io;
    auto identity = asio::co_spawn(io, thread_identity(worker), asio::use_future);
    io.run();
    const auto [name, policy] = identity.get().value();
    EXPECT_EQ(name, "collab-ledger");
    EXPECT_EQ(policy, SCHED_BATCH) << "woken by the event loop, it must not preempt it";
}

TEST(StoreWorker, a_commit_holds_at_most_the_writes_per_commit) {
    LedgerHost host;
    Worker worker(host, "test-worker", cancelled(), 2);
    asio::io_context io;
    std::vector<std::future<ApiResult<void>>> writes;
    for (const char* target : {"a", "b", "c", "d", "e"}) writes.push_back(spawn_write(io, worker, target));
    io.run();
    for (auto& written : writes) EXPECT_TRUE(written.get().has_value());
    EXPECT_EQ(host.ledger.commits, (Batches{{"a", "b"}, {"c", "d"}, {"e"}}));
}

TEST(StoreWorker, a_call_gets_its_own_answer_and_sees_every_write_queued_before_it) {
    LedgerHost host;
    Worker worker(host, "test-worker", cancelled());
    asio::io_context io;
    auto a = spawn_write(io, worker, "a");
    auto b = spawn_write(io, worker, "b");
    auto counted = asio::co_spawn(io, count_committed(worker), asio::use_future);
    auto c = spawn_write(io, worker, "c");
    io.run();
    EXPECT_TRUE(a.get().has_value());
    EXPECT_TRUE(b.get().has_value());
    EXPECT_TRUE(c.get().has_value());
    const auto rows = counted.get();
    ASSERT_TRUE(rows.has_value());
    EXPECT_EQ(*rows, 2u);
    EXPECT_EQ(host.ledger.commits, (Batches{{"a", "b"}, {"c"}}));
}

TEST(StoreWorker, a_failed_commit_fails_every_write_in_it_and_nothing_else) {
    LedgerHost host;
    Worker worker(host, "test-worker", cancelled());
    asio::io_context io;
    std::vector<std::future<ApiResult<void>>> failing;
    for (const char* target : {"x", "refused", "y"}) failing.push_back(spawn_write(io, worker, target));
    auto counted = asio::co_spawn(io, count_committed(worker), asio::use_future);
    auto z = spawn_write(io, worker, "z");
    io.run();
    for (auto& written : failing) {
        const auto result = written.get();
        ASSERT_FALSE(result.has_value()) << "a write of a failed commit was reported written";
        EXPECT_EQ(result.error().message, "commit refused");
    }
    EXPECT_TRUE(counted.get().has_value());
    EXPECT_TRUE(z.get().has_value());
    EXPECT_EQ(host.ledger.commits, (Batches{{"z"}}));
}

TEST(StoreWorker, without_a_session_every_call_fails_unrun_with_the_hosts_error) {
    LedgerHost host;
    host.up = false;
    Worker worker(host, "test-worker", cancelled());
    asio::io_context io;
    auto written = spawn_write(io, worker, "a");
    auto counted = asio::co_spawn(io, count_committed(worker), asio::use_future);
    io.run();
    const auto write_result = written.get();
    const auto call_result = counted.get();
    ASSERT_FALSE(write_result.has_value());
    ASSERT_FALSE(call_result.has_value());
    EXPECT_EQ(write_result.error().message, "the ledger is down");
    EXPECT_EQ(call_result.error().message, "the ledger is down");
    EXPECT_TRUE(host.ledger.commits.empty());
}

TEST(StoreWorker, a_stop_answers_the_work_still_queued) {
    LedgerHost host;
    auto worker = std::make_unique<Worker>(host, "test-worker", cancelled());
    asio::io_context io;
    HeldThread held(io, *worker);
    // The worker's thread is busy: these wait in its queue.
    auto a = spawn_write(io, *worker, "a");
    auto counted = asio::co_spawn(io, count_committed(*worker), asio::use_future);
    auto b = spawn_write(io, *worker, "b");
    io.poll();

    std::thread stopper([&worker] { worker.reset(); });
    std::this_thread::sleep_for(100ms);  // the stop is asked while the work is still queued
    held.release();
    stopper.join();
    io.run();
    EXPECT_TRUE(held.done.get().has_value());
    EXPECT_TRUE(a.get().has_value());
    EXPECT_TRUE(b.get().has_value());
    const auto rows = counted.get();
    ASSERT_TRUE(rows.has_value());
    EXPECT_EQ(*rows, 1u);
    EXPECT_EQ(host.ledger.commits, (Batches{{"a"}, {"b"}}));
}

asio::awaitable<void> write_later(Worker& worker, std::string target) {
    co_await worker.write_later(std::move(target));
}

// Queued for later: adds `row` as a batch of its own, outside the group commit.
asio::awaitable<void> append_later(Worker& worker, std::string row) {
    std::function<ApiResult<void>(Ledger&)> work = [row = std::move(row)](Ledger& ledger) -> ApiResult<void> {
        ledger.commits.push_back({row});
        return {};
    };
    co_await worker.later(std::move(work));
}

// What is written after the fact does not wait for the worker: while its thread is held, the callers
// go on; then it is committed with the writes next to it, before the work queued after it.
TEST(StoreWorker, work_queued_for_later_returns_at_once_and_runs_in_order) {
    LedgerHost host;
    Worker worker(host, "test-worker", cancelled());
    asio::io_context io;
    HeldThread held(io, worker);
    std::string a = "a", b = "b", kept = "kept";
    auto noted_a = asio::co_spawn(io, write_later(worker, std::move(a)), asio::use_future);
    auto noted_b = asio::co_spawn(io, write_later(worker, std::move(b)), asio::use_future);
    auto appended = asio::co_spawn(io, append_later(worker, std::move(kept)), asio::use_future);
    auto c = spawn_write(io, worker, "c");
    auto counted = asio::co_spawn(io, count_committed(worker), asio::use_future);
    io.poll();
    EXPECT_EQ(noted_a.wait_for(0s), std::future_status::ready) << "a write for later waited for the worker";
    EXPECT_EQ(noted_b.wait_for(0s), std::future_status::ready);
    EXPECT_EQ(appended.wait_for(0s), std::future_status::ready) << "work for later waited for the worker";
    EXPECT_NE(c.wait_for(0s), std::future_status::ready);

    held.release();
    io.run();
    EXPECT_TRUE(held.done.get().has_value());
    EXPECT_TRUE(c.get().has_value());
    const auto rows = counted.get();
    ASSERT_TRUE(rows.has_value());
    EXPECT_EQ(*rows, 4u);
    EXPECT_EQ(host.ledger.commits, (Batches{{"a", "b"}, {"kept"}, {"c"}}));
}

// A store slower than the commands cannot make the queue of what nobody waits for grow without bound:
// past the bound, a write for later waits for its own commit.
TEST(StoreWorker, past_the_bound_a_write_for_later_waits_for_its_commit) {
    LedgerHost host;
    Worker worker(host, "test-worker", cancelled());
    asio::io_context io;
    HeldThread held(io, worker);
    std::vector<std::future<void>> queued;
    for (std::size_t i = 0; i < Worker::most_unawaited; ++i) {
        std::string row = "row-" + std::to_string(i);
        queued.push_back(asio::co_spawn(io, write_later(worker, std::move(row)), asio::use_future));
    }
    std::string one_more = "one more";
    auto waiting = asio::co_spawn(io, write_later(worker, std::move(one_more)), asio::use_future);
    io.poll();
    EXPECT_EQ(queued.back().wait_for(0s), std::future_status::ready);
    EXPECT_NE(waiting.wait_for(0s), std::future_status::ready) << "a write past the bound did not wait";

    held.release();
    io.run();
    EXPECT_TRUE(held.done.get().has_value());
    waiting.get();
    std::size_t rows = 0;
    for (const auto& batch : host.ledger.commits) rows += batch.size();
    EXPECT_EQ(rows, Worker::most_unawaited + 1);
}

TEST(StoreWorker, a_write_for_later_shares_the_commit_of_the_writes_awaited_beside_it) {
    LedgerHost host;
    Worker worker(host, "test-worker", cancelled());
    asio::io_context io;
    std::string noted = "noted";
    auto later = asio::co_spawn(io, write_later(worker, std::move(noted)), asio::use_future);
    auto awaited = spawn_write(io, worker, "awaited");
    io.run();
    later.get();
    EXPECT_TRUE(awaited.get().has_value());
    EXPECT_EQ(host.ledger.commits, (Batches{{"noted", "awaited"}}));
}

asio::awaitable<std::thread::id> write_then_where(Worker& worker, std::string target) {
    const auto written = co_await worker.write(std::move(target));
    EXPECT_TRUE(written.has_value());
    co_return std::this_thread::get_id();
}

TEST(StoreWorker, each_caller_is_resumed_on_its_own_executor) {
    LedgerHost host;
    Worker worker(host, "test-worker", cancelled());
    asio::io_context first_io;
    asio::io_context second_io;
    std::vector<std::future<std::thread::id>> first;
    std::vector<std::future<std::thread::id>> second;
    for (int i = 0; i < 3; ++i) {
        std::string one = "first-" + std::to_string(i);
        std::string other = "second-" + std::to_string(i);
        first.push_back(asio::co_spawn(first_io, write_then_where(worker, std::move(one)), asio::use_future));
        second.push_back(asio::co_spawn(second_io, write_then_where(worker, std::move(other)), asio::use_future));
    }
    std::promise<std::thread::id> first_thread;
    std::promise<std::thread::id> second_thread;
    std::thread first_runner([&] {
        first_thread.set_value(std::this_thread::get_id());
        first_io.run();
    });
    std::thread second_runner([&] {
        second_thread.set_value(std::this_thread::get_id());
        second_io.run();
    });
    first_runner.join();
    second_runner.join();
    const auto first_id = first_thread.get_future().get();
    const auto second_id = second_thread.get_future().get();
    for (auto& resumed : first) EXPECT_EQ(resumed.get(), first_id);
    for (auto& resumed : second) EXPECT_EQ(resumed.get(), second_id);
}

}  // namespace
}  // namespace collab::testing
