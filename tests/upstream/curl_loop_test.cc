#include "server/upstream/curl_loop.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tools/fake_upstream/emulator.h"

namespace seedgate::upstream {
namespace {

using std::chrono::seconds;

// A one-shot event. (absl::Notification waits with Mutex::LockWhen, which
// the ThreadSanitizer build's absl::Mutex annotations leave out.)
class Event {
 public:
  void Notify() {
    std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
    cv_.notify_all();
  }
  bool HasBeenNotified() {
    std::lock_guard<std::mutex> lock(mu_);
    return notified_;
  }
  bool WaitFor(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return notified_; });
  }
  void Wait() { WaitFor(std::chrono::hours(1)); }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool notified_ = false;
};

// Posts tasks until one runs on the posting thread (the loop thread may not
// have reached its first wait yet). True once one has.
bool PostRunsInline(CurlLoop& loop) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    std::atomic<bool> inline_run{false};
    Event ran;
    const std::thread::id poster = std::this_thread::get_id();
    loop.Post([&] {
      inline_run = std::this_thread::get_id() == poster && loop.DrivenByThisThread();
      ran.Notify();
    });
    if (!ran.WaitFor(seconds(5))) return false;
    if (inline_run) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(CurlLoopTest, APostWhileTheLoopWaitsRunsOnThePostingThreadBeforePostReturns) {
  CurlLoop loop;
  EXPECT_FALSE(loop.DrivenByThisThread());
  EXPECT_TRUE(PostRunsInline(loop));
  EXPECT_FALSE(loop.DrivenByThisThread());  // only while the task ran
}

TEST(CurlLoopTest, APostWhileAnotherThreadDrivesIsQueuedAndRunsAfterIt) {
  CurlLoop loop;
  ASSERT_TRUE(PostRunsInline(loop));
  Event first_started, release_first, second_ran;
  std::mutex mu;
  std::vector<int> order;
  std::thread driver([&] {
    loop.Post([&] {
      first_started.Notify();
      release_first.Wait();
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(1);
    });
  });
  first_started.Wait();
  // The first task holds the loop: this Post must return without running.
  loop.Post([&] {
    {
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(2);
    }
    second_ran.Notify();
  });
  EXPECT_FALSE(second_ran.HasBeenNotified());
  release_first.Notify();
  ASSERT_TRUE(second_ran.WaitFor(seconds(5)));
  driver.join();
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(CurlLoopTest, ATaskThatPostsRunsTheNewTaskAfterItself) {
  CurlLoop loop;
  Event done;
  std::vector<int> order;  // touched only by the loop's driver
  loop.Post([&] {
    loop.Post([&] {
      order.push_back(2);
      done.Notify();
    });
    order.push_back(1);
  });
  ASSERT_TRUE(done.WaitFor(seconds(5)));
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(CurlLoopTest, TasksFromManyThreadsRunOneAtATimeInEachPostersOrder) {
  CurlLoop loop;
  constexpr int kThreads = 4;
  constexpr int kTasks = 2000;
  // Driver only: no lock, so ThreadSanitizer sees any two tasks that overlap.
  std::vector<int> last_seen(kThreads, -1);
  int out_of_order = 0;
  int running = 0;
  int overlapped = 0;
  std::atomic<int> left{kThreads * kTasks};
  Event all_ran;
  std::vector<std::thread> posters;
  for (int t = 0; t < kThreads; ++t) {
    posters.emplace_back([&, t] {
      for (int i = 0; i < kTasks; ++i) {
        loop.Post([&, t, i] {
          if (++running != 1) ++overlapped;
          if (i != last_seen[t] + 1) ++out_of_order;
          last_seen[t] = i;
          --running;
          if (left.fetch_sub(1) == 1) all_ran.Notify();
        });
      }
    });
  }
  for (auto& poster : posters) poster.join();
  ASSERT_TRUE(all_ran.WaitFor(seconds(30)));
  // The loop's driver wrote these; the event orders them before us.
  EXPECT_EQ(overlapped, 0);
  EXPECT_EQ(out_of_order, 0);
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(last_seen[t], kTasks - 1);
}

// One GET through the loop, remembering how it ended.
class Fetch final : public LoopTransfer {
 public:
  explicit Fetch(CurlLoop* loop) : loop_(loop) {}

  void Start(const std::string& url) {
    easy_ = loop_->AcquireEasy();
    curl_easy_setopt(easy_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy_, CURLOPT_PRIVATE, static_cast<LoopTransfer*>(this));
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &Fetch::OnBytes);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    loop_->Add(easy_);
  }

  void OnTransferDone(CURLcode result) override {
    long status = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    loop_->ReleaseEasy(easy_);
    result_ = result;
    status_ = status;
    done_.Notify();
  }

  bool Wait() { return done_.WaitFor(seconds(10)); }
  CURLcode result() const { return result_; }
  long status() const { return status_; }
  const std::string& body() const { return body_; }

 private:
  static size_t OnBytes(char* data, size_t size, size_t count, void* self) {
    static_cast<Fetch*>(self)->body_.append(data, size * count);
    return size * count;
  }

  CurlLoop* const loop_;
  CURL* easy_ = nullptr;
  std::string body_;
  CURLcode result_ = CURLE_OK;
  long status_ = 0;
  Event done_;
};

TEST(CurlLoopTest, TransfersStartedByPostingThreadsAndByTheLoopThreadComplete) {
  fake_upstream::Emulator emulator({});
  ASSERT_TRUE(emulator.Start().ok());
  const std::string url = emulator.base_url() + "/healthz";
  CurlLoop loop;
  ASSERT_TRUE(PostRunsInline(loop));
  // Started on this thread (the loop waits), then many at once from several
  // threads (some queued behind a driver), all over real connections.
  std::vector<std::unique_ptr<Fetch>> fetches;
  fetches.push_back(std::make_unique<Fetch>(&loop));
  loop.Post([&, fetch = fetches.back().get()] { fetch->Start(url); });
  constexpr int kPerThread = 20;
  for (int i = 0; i < 3 * kPerThread; ++i) fetches.push_back(std::make_unique<Fetch>(&loop));
  std::vector<std::thread> posters;
  for (int t = 0; t < 3; ++t) {
    posters.emplace_back([&, t] {
      for (int i = 1 + t * kPerThread; i <= (t + 1) * kPerThread; ++i) {
        loop.Post([&, fetch = fetches[i].get()] { fetch->Start(url); });
      }
    });
  }
  for (auto& poster : posters) poster.join();
  for (const auto& fetch : fetches) {
    ASSERT_TRUE(fetch->Wait());
    EXPECT_EQ(fetch->result(), CURLE_OK);
    EXPECT_EQ(fetch->status(), 200);
    EXPECT_NE(fetch->body().find("\"ok\""), std::string::npos) << fetch->body();
  }
  EXPECT_EQ(loop.active_transfers(), 0);
}

}  // namespace
}  // namespace seedgate::upstream
