#ifndef SEEDGATE_SERVER_UPSTREAM_CURL_LOOP_H_
#define SEEDGATE_SERVER_UPSTREAM_CURL_LOOP_H_

#include <curl/curl.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "server/upstream/connection_gate.h"

namespace seedgate::upstream {

// Something driven by the loop: an easy handle and what to do when it ends.
class LoopTransfer {
 public:
  virtual ~LoopTransfer() = default;
  // The transfer ended (CURLMSG_DONE); the loop has already removed it.
  // Runs on the loop thread.
  virtual void OnTransferDone(CURLcode result) = 0;
};

// One thread that does upstream I/O: a libcurl multi handle driven through
// libcurl's socket API (CURLMOPT_SOCKETFUNCTION / TIMERFUNCTION into an
// epoll set, curl_multi_socket_action), so a wakeup costs O(ready sockets),
// not O(open transfers). Another thread posting work wakes it through an
// eventfd. Every easy handle, and every callback libcurl makes, lives on this
// thread, so transfers need no locks of their own; other threads talk to a
// transfer only by posting a task here.
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
  // `h2_origin` (the base URL) marks a transfer that waits for an HTTP/2
  // connection (CURLOPT_PIPEWAIT): it passes the loop's ConnectionGate, which
  // may hold it back until a connection to that origin has room, and must
  // not set CURLOPT_PREREQFUNCTION itself.
  void Add(CURL* easy, absl::string_view h2_origin = {});
  // Loop thread only. The response of a transfer began (its first header
  // line): tells the gate that its connection answers (a no-op for a
  // transfer added without an `h2_origin`).
  void ResponseStarted(CURL* easy) { gate_.OnResponse(easy); }
  // Loop thread only. Stops a transfer without calling OnTransferDone.
  void Remove(CURL* easy);

  // A fresh easy handle (all options at their defaults), from this loop's
  // pool when it has one: curl_easy_init costs more than curl_easy_reset.
  // Loop thread only.
  CURL* AcquireEasy();
  // Gives back a handle from AcquireEasy that is not (or no longer) added.
  // Any thread; only the loop thread's handles are pooled.
  void ReleaseEasy(CURL* easy);

  // Transfers currently added.
  int active_transfers() const { return active_.load(std::memory_order_relaxed); }

 private:
  static int OnSocket(CURL* easy, curl_socket_t socket, int what, void* loop, void* socket_data);
  static int OnTimer(CURLM* multi, long timeout_ms, void* loop);
  static int OnConnected(void* easy, char* primary_ip, char* local_ip, int primary_port,
                         int local_port);

  void Run();
  void RunPostedTasks();
  void DispatchFinished();
  // Hands the transfers the gate let go to libcurl.
  void AddReleased();
  void Wake();
  // How long epoll may wait: until libcurl's timer, at most kMaxWaitMs.
  int WaitMs() const;

  CURLM* multi_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: Post() -> the loop
  // libcurl's timer, as an absolute steady-clock time in ns; -1 when unset.
  int64_t timer_due_ns_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<int> active_{0};
  absl::Mutex mu_;
  std::vector<std::function<void()>> posted_ ABSL_GUARDED_BY(mu_);
  // Loop thread only from here on.
  std::vector<CURL*> idle_easy_;
  ConnectionGate gate_;
  std::thread thread_;
};

}  // namespace seedgate::upstream

#endif  // SEEDGATE_SERVER_UPSTREAM_CURL_LOOP_H_
