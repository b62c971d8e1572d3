#include "server/upstream/timer_queue.h"

#include <utility>

namespace seedgate::upstream {

TimerQueue::TimerQueue() : thread_([this] { Run(); }) {}

TimerQueue::~TimerQueue() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void TimerQueue::RunAt(absl::Time when, std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  timers_.push(Timer{when, next_seq_++, std::move(task)});
}

size_t TimerQueue::pending() const {
  absl::MutexLock lock(&mu_);
  return timers_.size();
}

bool TimerQueue::ShouldWake() const {
  return stopping_ || (!timers_.empty() && timers_.top().when < waiting_until_);
}

void TimerQueue::Run() {
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    waiting_until_ = timers_.empty() ? absl::InfiniteFuture() : timers_.top().when;
    if (absl::Now() < waiting_until_) {
      // A new earlier timer, or the destructor, ends the wait early.
      mu_.AwaitWithDeadline(absl::Condition(this, &TimerQueue::ShouldWake), waiting_until_);
      continue;
    }
    std::function<void()> task = std::move(const_cast<Timer&>(timers_.top()).task);
    timers_.pop();
    mu_.Unlock();
    task();
    mu_.Lock();
  }
}

}  // namespace seedgate::upstream
