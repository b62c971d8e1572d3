#include "server/upstream/timer_queue.h"

#include <chrono>
#include <utility>

#include "absl/time/clock.h"

namespace seedgate::upstream {

// std::mutex and std::condition_variable rather than absl::Mutex::Await: the
// ThreadSanitizer pass sees pthread primitives, but not the waits inside the
// uninstrumented Debian Abseil.

TimerQueue::TimerQueue() : thread_([this] { Run(); }) {}

TimerQueue::~TimerQueue() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void TimerQueue::RunAt(absl::Time when, std::function<void()> task) {
  bool earliest = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    earliest = timers_.empty() || when < timers_.top().when;
    timers_.push(Timer{when, next_seq_++, std::move(task)});
  }
  if (earliest) wake_.notify_one();  // the wait may now end sooner
}

size_t TimerQueue::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return timers_.size();
}

void TimerQueue::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (timers_.empty()) {
      wake_.wait(lock);
      continue;
    }
    const absl::Time due = timers_.top().when;
    const absl::Time now = absl::Now();
    if (now < due) {
      // Woken early by an earlier timer or the destructor; else times out.
      wake_.wait_for(lock, absl::ToChronoNanoseconds(due - now));
      continue;
    }
    std::function<void()> task = std::move(const_cast<Timer&>(timers_.top()).task);
    timers_.pop();
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace seedgate::upstream
