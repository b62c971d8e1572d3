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

// Upstream I/O: a libcurl multi handle driven through libcurl's socket API
// (CURLMOPT_SOCKETFUNCTION / TIMERFUNCTION into an epoll set,
// curl_multi_socket_action), so a wakeup costs O(ready sockets), not
// O(open transfers), by a thread of its own that waits on the sockets.
//
// One thread at a time drives the loop: its own thread between waits, or a
// thread that posts a task while the loop thread waits. That thread runs the
// task at once, with the sends it starts (a new call's request leaves
// before Post returns), instead of waking the loop thread through its
// eventfd: one thread hand-off less per call. Every easy handle, and every
// callback libcurl makes, is used only by the driving thread, so transfers
// need no locks of their own; other threads talk to a transfer only by
// posting a task.
class CurlLoop {
 public:
  CurlLoop();
  ~CurlLoop();  // stops the thread; transfers still running are abandoned
  CurlLoop(const CurlLoop&) = delete;
  CurlLoop& operator=(const CurlLoop&) = delete;

  // Runs `task` as the loop's driver, soon: on the calling thread before
  // Post returns when nobody drives the loop (its thread is waiting for
  // I/O), else on whichever thread drives it next. Tasks run one at a time,
  // each after those posted before it. Thread-safe; a task that posts runs
  // the new task after itself.
  void Post(std::function<void()> task);

  // Whether the calling thread drives this loop now.
  bool DrivenByThisThread() const;

  // Driver only. `easy` must carry `transfer` as CURLOPT_PRIVATE.
  // `h2_origin` (the base URL) marks a transfer that waits for an HTTP/2
  // connection (CURLOPT_PIPEWAIT): it passes the loop's ConnectionGate, which
  // may hold it back until a connection to that origin has room, and must
  // not set CURLOPT_PREREQFUNCTION itself.
  void Add(CURL* easy, absl::string_view h2_origin = {});
  // Driver only. The response of a transfer began (its first header
  // line): tells the gate that its connection answers (a no-op for a
  // transfer added without an `h2_origin`).
  void ResponseStarted(CURL* easy) { gate_.OnResponse(easy); }
  // Driver only. Stops a transfer without calling OnTransferDone.
  void Remove(CURL* easy);

  // A fresh easy handle (all options at their defaults), from this loop's
  // pool when it has one: curl_easy_init costs more than curl_easy_reset.
  // Driver only.
  CURL* AcquireEasy();
  // Gives back a handle from AcquireEasy that is not (or no longer) added.
  // Any thread; only the driver's handles are pooled.
  void ReleaseEasy(CURL* easy);

  // Transfers currently added.
  int active_transfers() const { return active_.load(std::memory_order_relaxed); }

 private:
  static int OnSocket(CURL* easy, curl_socket_t socket, int what, void* loop, void* socket_data);
  static int OnTimer(CURLM* multi, long timeout_ms, void* loop);
  static int OnConnected(void* easy, char* primary_ip, char* local_ip, int primary_port,
                         int local_port);

  void Run();
  // Runs `task` on this thread, which holds drive_mu_ and releases it.
  void DriveInline(std::function<void()> task) ABSL_UNLOCK_FUNCTION(drive_mu_);
  void RunPostedTasks() ABSL_EXCLUSIVE_LOCKS_REQUIRED(drive_mu_);
  // Acts on what tasks and callbacks left behind: finished transfers, gate
  // releases, a libcurl timer that is due (a new transfer's is at once).
  void Settle() ABSL_EXCLUSIVE_LOCKS_REQUIRED(drive_mu_);
  // Lets libcurl act on its timer if it is due; true if it was.
  bool RunDueTimer() ABSL_EXCLUSIVE_LOCKS_REQUIRED(drive_mu_);
  void DispatchFinished() ABSL_EXCLUSIVE_LOCKS_REQUIRED(drive_mu_);
  // Hands the transfers the gate let go to libcurl.
  void AddReleased() ABSL_EXCLUSIVE_LOCKS_REQUIRED(drive_mu_);
  bool HasPosted();
  void Wake();
  // How long epoll may wait: until libcurl's timer, at most kMaxWaitMs.
  int WaitMs() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(drive_mu_);

  CURLM* multi_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: Post() -> the loop thread
  std::atomic<bool> stopping_{false};
  std::atomic<int> active_{0};
  absl::Mutex mu_;
  std::vector<std::function<void()>> posted_ ABSL_GUARDED_BY(mu_);
  // Held by the thread that drives the loop. Driver only from here on (the
  // multi handle too): libcurl's callbacks use these, on the driver.
  absl::Mutex drive_mu_;
  // libcurl's timer, as an absolute steady-clock time in ns; -1 when unset.
  int64_t timer_due_ns_ = -1;
  // When the loop thread's current wait ends by itself (steady-clock ns): a
  // driver that leaves libcurl's timer due earlier wakes the thread.
  int64_t wait_ends_ns_ = 0;
  std::vector<CURL*> idle_easy_;
  ConnectionGate gate_;
  std::thread thread_;
};

}  // namespace seedgate::upstream

#endif  // SEEDGATE_SERVER_UPSTREAM_CURL_LOOP_H_
