#include "server/upstream/timer_queue.h"

#include <gtest/gtest.h>

#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

namespace seedgate::upstream {
namespace {

TEST(TimerQueueTest, RunsTasksInTimeOrderNotInArmingOrder) {
  TimerQueue timers;
  absl::Mutex mu;
  std::vector<int> order;
  absl::Notification all_ran;
  const absl::Time now = absl::Now();
  auto record = [&](int id) {
    return [&, id] {
      absl::MutexLock lock(&mu);
      order.push_back(id);
      if (order.size() == 4) all_ran.Notify();
    };
  };
  timers.RunAt(now + absl::Milliseconds(120), record(3));
  timers.RunAt(now + absl::Milliseconds(60), record(2));
  timers.RunAt(now - absl::Seconds(1), record(0));  // already due
  timers.RunAt(now + absl::Milliseconds(60), record(21));
  ASSERT_TRUE(all_ran.WaitForNotificationWithTimeout(absl::Seconds(10)));
  absl::MutexLock lock(&mu);
  EXPECT_EQ(order, (std::vector<int>{0, 2, 21, 3}));
}

TEST(TimerQueueTest, ATaskDoesNotRunBeforeItsTime) {
  TimerQueue timers;
  absl::Notification ran;
  const absl::Time due = absl::Now() + absl::Milliseconds(200);
  absl::Time ran_at;
  timers.RunAt(due, [&] {
    ran_at = absl::Now();
    ran.Notify();
  });
  ASSERT_TRUE(ran.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_GE(ran_at, due);
}

TEST(TimerQueueTest, AnEarlierTimerArmedDuringAWaitRunsFirst) {
  TimerQueue timers;
  absl::Notification early;
  timers.RunAt(absl::Now() + absl::Hours(1), [] {});
  timers.RunAt(absl::Now() + absl::Milliseconds(10), [&] { early.Notify(); });
  EXPECT_TRUE(early.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(timers.pending(), 1u);
}

TEST(TimerQueueTest, DestroyingDropsTasksNotYetDue) {
  bool ran = false;
  {
    TimerQueue timers;
    timers.RunAt(absl::Now() + absl::Hours(1), [&] { ran = true; });
  }
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace seedgate::upstream
