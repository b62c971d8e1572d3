#ifndef SEEDGATE_SERVER_UPSTREAM_CURL_LOOP_H_
#define SEEDGATE_SERVER_UPSTREAM_CURL_LOOP_H_

#include <curl/curl.h>

#include <atomic>
#include <functional>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace seedgate::upstream {

// Something driven by the loop: an easy handle and what to do when it ends.
class LoopTransfer {
 public:
  virtual ~LoopTransfer() = default;
  // The transfer ended (CURLMSG_DONE); the loop has already removed it.
  // Runs on the loop thread.
  virtual void OnTransferDone(CURLcode result) = 0;
};

// The one thread that does all upstream I/O: a libcurl multi handle driven by
// curl_multi_poll, woken by curl_multi_wakeup when another thread posts work.
// Every easy handle, and every callback libcurl makes, lives on this thread,
// so transfers need no locks of their own; other threads talk to a transfer
// only by posting a task here.
class CurlLoop {
 public:
  CurlLoop();
  ~CurlLoop();  // stops the thread; transfers still running are abandoned
  CurlLoop(const CurlLoop&) = delete;
  CurlLoop& operator=(const CurlLoop&) = delete;

  // Runs `task` on the loop thread, soon. Thread-safe.
  void Post(std::function<void()> task);

  bool InLoopThread() const { return std::this_thread::get_id() == thread_.get_id(); }

  // Loop thread only. `easy` must carry `transfer` as CURLOPT_PRIVATE.
  void Add(CURL* easy);
  // Loop thread only. Stops a transfer without calling OnTransferDone.
  void Remove(CURL* easy);

  // Transfers currently added.
  int active_transfers() const { return active_.load(std::memory_order_relaxed); }

 private:
  void Run();
  void RunPostedTasks();
  void DispatchFinished();

  CURLM* multi_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> active_{0};
  absl::Mutex mu_;
  std::vector<std::function<void()>> posted_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace seedgate::upstream

#endif  // SEEDGATE_SERVER_UPSTREAM_CURL_LOOP_H_
