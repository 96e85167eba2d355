#include "adapters/store/store_worker.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <system_error>
#include <utility>

namespace collab::store {

int poll_until(std::span<pollfd> fds, SteadyClock::time_point deadline) {
    for (;;) {
        int timeout = -1;
        if (deadline != SteadyClock::time_point::max()) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
            timeout = static_cast<int>(std::clamp<long long>(left, 0, INT_MAX));
        }
        const int ready = ::poll(fds.data(), fds.size(), timeout);
        if (ready >= 0 || errno != EINTR) return ready;
    }
}

bool become_background_thread(const char* name) {
    ::pthread_setname_np(::pthread_self(), name);
    int policy = SCHED_OTHER;
    sched_param priority{};
    if (::pthread_getschedparam(::pthread_self(), &policy, &priority) != 0 || policy != SCHED_OTHER) return false;
    // Needs no privilege; where it is refused anyway, the thread keeps the default policy.
    return ::pthread_setschedparam(::pthread_self(), SCHED_BATCH, &priority) == 0;
}

WorkerWake::WorkerWake() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

WorkerWake::~WorkerWake() {
    ::close(fd_);
}

bool WorkerWake::schedule() {
    std::lock_guard lock(mutex_);
    return !std::exchange(scheduled_, true);
}

void WorkerWake::announce() {
    std::lock_guard lock(mutex_);
    scheduled_ = false;
    announced_ = true;
    const std::uint64_t one = 1;
    if (::write(fd_, &one, sizeof one) < 0) {
        // Only on overflow of the counter, and then the thread is awake anyway.
    }
}

void WorkerWake::stop() {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    const std::uint64_t one = 1;
    if (::write(fd_, &one, sizeof one) < 0) {
        // As above: the thread is awake anyway.
    }
}

WorkerWake::Woken WorkerWake::wait(SteadyClock::time_point deadline, int fd, short events) {
    {
        std::lock_guard lock(mutex_);
        if (announced_ || stopping_) return Woken::work;
    }
    std::array<pollfd, 2> fds{{{fd_, POLLIN, 0}, {fd, events, 0}}};
    const int ready = poll_until(fds, deadline);
    if (ready == 0) return Woken::deadline;
    // An error is left for whoever reads the fd to report.
    if (ready < 0) return fd >= 0 ? Woken::fd_ready : Woken::work;
    if (fds[1].revents != 0) return Woken::fd_ready;
    return Woken::work;
}

void WorkerWake::clear() {
    std::lock_guard lock(mutex_);
    announced_ = false;
    std::uint64_t count = 0;
    while (::read(fd_, &count, sizeof count) > 0) {
    }
}

bool WorkerWake::stopping() const {
    std::lock_guard lock(mutex_);
    return stopping_;
}

}  // namespace collab::store
