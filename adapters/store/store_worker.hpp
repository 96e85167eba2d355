#pragma once
// Blocking store work (a SQLite or libpq call may wait seconds for a lock or a server) kept off the
// event loops: it runs on a thread of its own, and the coroutine that asked for it is resumed on its
// own executor once the answer is in. Meanwhile that event loop goes on accepting, answering other
// requests and acting on signals.
//
// Writes that arrive together are committed in one transaction (group commit): one WAL append or one
// round trip for a burst of commands instead of one each. Each caller still learns its own result: a
// write completes only once its transaction is committed (a failed commit fails every write in it),
// and any other call runs alone, seeing every write queued before it.

#include <poll.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <type_traits>
#include <variant>
#include <vector>

#include "core/ports.hpp"

namespace collab::store {

using SteadyClock = std::chrono::steady_clock;

// poll() until `deadline` (time_point::max(): no deadline), through signals; 0 when the time is up.
int poll_until(std::span<pollfd> fds, SteadyClock::time_point deadline);

// Names the calling thread `name` (at most 15 characters: top -H, perf and the bench tell the stores'
// work from the event loop's by it) and makes it a background thread (SCHED_BATCH, same priority):
// woken by the event loop on the loop's core, it no longer preempts the loop, which finishes its step
// first. Preempted, the loop still held the lock the woken thread wanted at once, and the two took
// turns through futexes: on one core, half the context switches of a change and a tenth of its CPU.
// The price: on a core busy with other processes, store work may wait for the end of their time
// slice. Only the default policy is changed, never one the operator chose (chrt, systemd's
// CPUSchedulingPolicy=); false when the thread keeps its policy.
bool become_background_thread(const char* name);

// An answer on its way from a worker thread to the coroutine waiting for it. The worker keeps the
// result, then wakes the coroutine on the coroutine's own executor: the timer is touched there only.
template <typename T>
struct ThreadAnswer {
    explicit ThreadAnswer(const boost::asio::any_io_executor& executor)
        : caller(boost::asio::prefer(executor, boost::asio::execution::outstanding_work.tracked)),
          wake(executor, boost::asio::steady_timer::time_point::max()) {}

    // On the worker thread, once for each answer: the same `value` for all of them, with one wake-up
    // for each run of answers awaited on the same executor. The posted wake-up holds the worker's
    // references, so that each state is released on its caller's executor, where its timer lives.
    static void answer_all(std::span<std::shared_ptr<ThreadAnswer>> answers, const ApiResult<T>& value) {
        for (std::size_t first = 0; first < answers.size();) {
            std::size_t end = first + 1;
            while (end < answers.size() && answers[end]->caller == answers[first]->caller) ++end;
            std::vector<std::shared_ptr<ThreadAnswer>> run;
            for (std::size_t i = first; i < end; ++i) {
                answers[i]->result = value;
                run.push_back(std::move(answers[i]));
            }
            auto caller = run.front()->caller;
            boost::asio::post(caller, [run = std::move(run)] {
                for (const auto& answer : run) {
                    answer->answered = true;
                    // A wait still to start completes at once, one under way is woken.
                    answer->wake.expires_at(boost::asio::steady_timer::time_point::min());
                }
            });
            first = end;
        }
    }

    static void answer(std::shared_ptr<ThreadAnswer> self, ApiResult<T> value) {
        self->result = std::move(value);
        auto caller = self->caller;
        boost::asio::post(caller, [self = std::move(self)] {
            self->answered = true;
            self->wake.expires_at(boost::asio::steady_timer::time_point::min());
        });
    }

    // On the caller's executor. Woken without an answer (the caller cancelled its wait): `cancelled`;
    // the worker still completes the work.
    static boost::asio::awaitable<ApiResult<T>> wait(std::shared_ptr<ThreadAnswer> self, ApiError cancelled) {
        co_await self->wake.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (!self->answered) co_return std::unexpected(std::move(cancelled));
        co_return std::move(self->result);
    }

    boost::asio::any_io_executor caller;  // counts as work: the caller's event loop runs until the answer is in
    boost::asio::steady_timer wake;
    ApiResult<T> result;
    bool answered = false;
};

// Tells a worker's thread that work is queued or that it must stop. An eventfd underneath, so that
// the thread can wait for work and for a socket at once.
class WorkerWake {
public:
    WorkerWake();  // throws std::system_error
    ~WorkerWake();
    WorkerWake(const WorkerWake&) = delete;
    WorkerWake& operator=(const WorkerWake&) = delete;

    // A caller queued work: true when it is the first of a burst and must announce() the burst.
    bool schedule();
    // On the caller's executor, once the event loop has queued what the current burst sends: the
    // thread is then woken once per burst, not once per call, and the burst shares one commit.
    void announce();
    void stop();

    enum class Woken { fd_ready, work, deadline };
    // Until work is announced or a stop asked (`work`, at once when either already is), `fd` is ready
    // for `events` (-1: no fd), or `deadline` passes.
    Woken wait(SteadyClock::time_point deadline, int fd, short events);
    // The thread takes in what was announced.
    void clear();
    bool stopping() const;

private:
    mutable std::mutex mutex_;
    bool scheduled_ = false;
    bool announced_ = false;
    bool stopping_ = false;
    int fd_ = -1;
};

// What a store may do on its worker's thread while no work is queued (keep a connection up, clean up).
class Idle {
public:
    using Woken = WorkerWake::Woken;

    // Waits until work is announced or a stop asked, `fd` is ready for `events`, or `deadline` passes.
    Woken wait(SteadyClock::time_point deadline, int fd = -1, short events = 0) {
        return wake_->wait(deadline, fd, events);
    }
    // Answers the work queued so far now, as the worker would once idle() returns (a store that has no
    // session meanwhile fails it at once); false once the worker stops.
    virtual bool answer_queued() = 0;

protected:
    explicit Idle(std::shared_ptr<WorkerWake> wake) : wake_(std::move(wake)) {}
    ~Idle() = default;

    std::shared_ptr<WorkerWake> wake_;
};

// The store's side of a worker, called on the worker's thread only. `Write` is what the store commits
// in groups (void: nothing).
template <typename Session, typename Write = void>
class WorkerHost;

template <typename Session>
class WorkerHost<Session, void> {
public:
    virtual ~WorkerHost() = default;
    // What the next work runs on, or why there is none: the work then fails with that error, unrun.
    virtual ApiResult<Session*> session() = 0;
    // Returns once work may be queued (see Idle::wait); a store with upkeep of its own does it meanwhile.
    virtual void idle(Idle& idle) { idle.wait(SteadyClock::time_point::max()); }
};

template <typename Session, typename Write>
class WorkerHost : public WorkerHost<Session, void> {
public:
    // Writes `writes` in one transaction: success only once the commit is confirmed.
    virtual ApiResult<void> commit(Session& session, std::span<const Write> writes) = 0;
};

// A session that is always there, for work that writes nothing in groups.
template <typename Session>
class FixedSession final : public WorkerHost<Session> {
public:
    explicit FixedSession(Session& session) : session_(session) {}
    ApiResult<Session*> session() override { return &session_; }

private:
    Session& session_;
};

// One thread that runs a store's blocking work in the order it was asked for (a connection is used by
// one thread at a time anyway).
template <typename Session, typename Write = void>
class StoreWorker final : private Idle {
public:
    // The thread is a background thread named `name` (become_background_thread). `cancelled` is the
    // answer of a call whose caller stopped waiting; at most `writes_per_commit` writes share a
    // transaction. The thread starts here: `host` must be ready for it.
    StoreWorker(WorkerHost<Session, Write>& host, const char* name, ApiError cancelled,
                std::size_t writes_per_commit = std::numeric_limits<std::size_t>::max())
        : Idle(std::make_shared<WorkerWake>()),
          host_(host),
          cancelled_(std::move(cancelled)),
          writes_per_commit_(writes_per_commit),
          thread_([this, name] {
              become_background_thread(name);
              run();
          }) {}
    // Answers what is queued, then stops the thread.
    ~StoreWorker() {
        wake_->stop();
        thread_.join();
    }
    StoreWorker(const StoreWorker&) = delete;
    StoreWorker& operator=(const StoreWorker&) = delete;

    // Runs `work` on the thread, on the host's session; the caller's event loop stays free meanwhile.
    template <typename T>
    boost::asio::awaitable<ApiResult<T>> call(std::function<ApiResult<T>(Session&)> work) {
        auto executor = co_await boost::asio::this_coro::executor;
        auto pending = std::make_shared<ThreadAnswer<T>>(executor);
        Call job{[pending, work = std::move(work)](const ApiResult<Session*>& session) mutable {
            ApiResult<T> result = session ? work(**session) : ApiResult<T>(std::unexpected(session.error()));
            ThreadAnswer<T>::answer(std::move(pending), std::move(result));
        }};
        enqueue(std::move(job), executor);
        ApiError cancelled = cancelled_;
        co_return co_await ThreadAnswer<T>::wait(std::move(pending), std::move(cancelled));
    }

    // Queues `work` and returns at once, for work whose outcome nobody waits for; it still runs in
    // order with the rest: a call queued after it sees what it wrote. Past `most_unawaited` such
    // jobs waiting, the caller waits for its own: a store slower than the commands cannot make the
    // queue grow without bound.
    boost::asio::awaitable<void> later(std::function<ApiResult<void>(Session&)> work) {
        if (backlogged()) {
            (void)co_await call(std::move(work));
            co_return;
        }
        auto executor = co_await boost::asio::this_coro::executor;
        ++unawaited_;
        Call job{[this, work = std::move(work)](const ApiResult<Session*>& session) {
            if (session) (void)work(**session);
            --unawaited_;
        }};
        enqueue(std::move(job), executor);
    }

    // Commits `write` together with the writes queued next to it; completes once committed.
    template <typename W = Write>
    requires(!std::is_void_v<W>) boost::asio::awaitable<ApiResult<void>> write(W write) {
        auto executor = co_await boost::asio::this_coro::executor;
        auto pending = queue_write(std::move(write), executor, true);
        co_return co_await committed(std::move(pending));
    }

    // The same, returning at once: for what is written after the fact, whose commit nobody waits for
    // (bounded as later() is).
    template <typename W = Write>
    requires(!std::is_void_v<W>) boost::asio::awaitable<void> write_later(W write) {
        if (backlogged()) {
            (void)co_await this->write(std::move(write));
            co_return;
        }
        auto executor = co_await boost::asio::this_coro::executor;
        queue_write(std::move(write), executor, false);
    }

    // Queues `write` without suspending, from a coroutine on `executor`: for a store that queues under
    // a lock of its own, so that its writes are committed in the order the lock let them through. With
    // `awaited`, returns what to pass to committed(); else nothing, and nobody waits for the commit.
    using WriteAnswer = std::shared_ptr<ThreadAnswer<void>>;
    template <typename W = Write>
    requires(!std::is_void_v<W>) WriteAnswer
        queue_write(W write, const boost::asio::any_io_executor& executor, bool awaited) {
        WriteAnswer pending = awaited ? std::make_shared<ThreadAnswer<void>>(executor) : nullptr;
        if (!awaited) ++unawaited_;
        enqueue(Written{std::move(write), pending}, executor);
        return pending;
    }
    boost::asio::awaitable<ApiResult<void>> committed(WriteAnswer pending) {
        ApiError cancelled = cancelled_;
        co_return co_await ThreadAnswer<void>::wait(std::move(pending), std::move(cancelled));
    }
    // Whether so much is queued that nobody waits for, that callers should wait for their own.
    bool backlogged() const { return unawaited_ >= most_unawaited; }

    static constexpr std::size_t most_unawaited = 10'000;

private:
    struct Call {
        std::function<void(const ApiResult<Session*>& session)> run;  // runs the work, or fails it, and answers
    };
    struct Written {
        std::conditional_t<std::is_void_v<Write>, std::monostate, Write> value;
        std::shared_ptr<ThreadAnswer<void>> answer;  // none: nobody waits for it (write_later)
    };
    using Job = std::variant<Call, Written>;

    void enqueue(Job job, const boost::asio::any_io_executor& executor) {
        {
            std::lock_guard lock(mutex_);
            queue_.push_back(std::move(job));
        }
        if (wake_->schedule()) boost::asio::post(executor, [wake = wake_] { wake->announce(); });
    }

    void run() {
        do host_.idle(*this);
        while (answer_queued());
    }

    bool answer_queued() override {
        // Let event loops on other threads finish queueing their bursts too: a bigger batch, one commit.
        std::this_thread::yield();
        wake_->clear();
        std::deque<Job> jobs;
        {
            std::lock_guard lock(mutex_);
            jobs.swap(queue_);
        }
        std::vector<Written> writes;
        for (auto& job : jobs) {
            if (auto* written = std::get_if<Written>(&job)) {
                writes.push_back(std::move(*written));
                continue;
            }
            commit(writes);
            std::get<Call>(job).run(host_.session());
        }
        commit(writes);
        if (!wake_->stopping()) return true;
        std::lock_guard lock(mutex_);
        return !queue_.empty();
    }

    void commit(std::vector<Written>& writes) {
        if constexpr (!std::is_void_v<Write>) {
            for (std::size_t first = 0; first < writes.size(); first += writes_per_commit_) {
                const std::size_t end = first + std::min(writes.size() - first, writes_per_commit_);
                std::vector<Write> values;
                std::vector<std::shared_ptr<ThreadAnswer<void>>> answers;
                std::size_t unanswered = 0;
                for (std::size_t i = first; i < end; ++i) {
                    values.push_back(std::move(writes[i].value));
                    if (writes[i].answer)
                        answers.push_back(std::move(writes[i].answer));
                    else
                        ++unanswered;
                }
                const auto session = host_.session();
                const ApiResult<void> committed =
                    session ? host_.commit(**session, values) : ApiResult<void>(std::unexpected(session.error()));
                unawaited_ -= unanswered;
                ThreadAnswer<void>::answer_all(answers, committed);
            }
        }
        writes.clear();
    }

    WorkerHost<Session, Write>& host_;
    const ApiError cancelled_;
    const std::size_t writes_per_commit_;
    std::mutex mutex_;
    std::deque<Job> queue_;
    std::atomic<std::size_t> unawaited_{0};  // jobs and writes queued by later() and write_later(), not yet done
    std::thread thread_;
};

}  // namespace collab::store
