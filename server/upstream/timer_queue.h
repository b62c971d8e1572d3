#ifndef SEEDGATE_SERVER_UPSTREAM_TIMER_QUEUE_H_
#define SEEDGATE_SERVER_UPSTREAM_TIMER_QUEUE_H_

#include <condition_variable>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "absl/time/time.h"

namespace seedgate::upstream {

// Runs tasks at given times, on one thread of its own, shared by every call:
// retry back-off, first-byte and idle timeouts. A task should only post work
// to where it belongs (a CurlLoop) and return. Timers are never cancelled:
// a task that is no longer wanted finds that out itself (it holds a weak
// reference and an attempt number), which keeps arming a timer one heap push.
class TimerQueue {
 public:
  TimerQueue();
  ~TimerQueue();  // tasks not yet due are dropped
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  // Runs `task` at `when` (at once when that has passed). Thread-safe.
  void RunAt(absl::Time when, std::function<void()> task);

  // Tasks waiting.
  size_t pending() const;

 private:
  struct Timer {
    absl::Time when;
    uint64_t seq;  // keeps tasks due at the same time in order
    std::function<void()> task;
    bool operator>(const Timer& other) const {
      return when != other.when ? when > other.when : seq > other.seq;
    }
  };

  void Run();

  mutable std::mutex mu_;
  std::condition_variable wake_;
  // Guarded by mu_.
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  uint64_t next_seq_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace seedgate::upstream

#endif  // SEEDGATE_SERVER_UPSTREAM_TIMER_QUEUE_H_
