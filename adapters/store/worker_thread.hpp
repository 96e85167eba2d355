#pragma once
// Blocking work (a SQLite or libpq call may wait seconds for a lock or a server) kept off the event
// loop: it runs on a thread of its own, and the coroutine that asked for it is resumed on its own
// executor once the answer is in. Meanwhile that event loop goes on accepting, answering other
// requests and acting on signals.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/ports.hpp"

namespace collab::store {

// An answer on its way from a worker thread to the coroutine waiting for it. The worker keeps the
// result, then wakes the coroutine on the coroutine's own executor: the timer is touched there only.
template <typename T>
struct ThreadAnswer {
    explicit ThreadAnswer(const boost::asio::any_io_executor& executor)
        : caller(boost::asio::prefer(executor, boost::asio::execution::outstanding_work.tracked)),
          wake(executor, boost::asio::steady_timer::time_point::max()) {}

    // On the worker thread, once. Takes the worker's reference along, so that the state is released
    // on the caller's executor, where its timer lives.
    static void answer(std::shared_ptr<ThreadAnswer> self, ApiResult<T> value) {
        self->result = std::move(value);
        auto caller = self->caller;
        boost::asio::post(caller, [self = std::move(self)] {
            self->answered = true;
            // A wait still to start completes at once, one under way is woken.
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

// One thread that runs blocking calls in the order they were asked for (a SQLite connection is
// used by one thread at a time anyway).
class WorkerThread {
public:
    // `cancelled` is the answer of a call whose caller stopped waiting.
    explicit WorkerThread(ApiError cancelled);
    ~WorkerThread();  // finishes what is queued, then stops the thread
    WorkerThread(const WorkerThread&) = delete;
    WorkerThread& operator=(const WorkerThread&) = delete;

    // Runs `work` on the thread; the caller's event loop stays free meanwhile.
    template <typename T>
    boost::asio::awaitable<ApiResult<T>> call(std::function<ApiResult<T>()> work) {
        auto executor = co_await boost::asio::this_coro::executor;
        auto pending = std::make_shared<ThreadAnswer<T>>(executor);
        enqueue([pending, work = std::move(work)]() mutable { ThreadAnswer<T>::answer(std::move(pending), work()); });
        ApiError cancelled = cancelled_;
        co_return co_await ThreadAnswer<T>::wait(std::move(pending), std::move(cancelled));
    }

private:
    void enqueue(std::function<void()> job);
    void run();

    const ApiError cancelled_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> queue_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace collab::store
