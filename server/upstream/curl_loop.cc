#include "server/upstream/curl_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace seedgate::upstream {
namespace {

// Upper bound on one wait, so a missed wakeup can never stall the loop for
// long; libcurl's own timer shortens it further.
constexpr int kMaxWaitMs = 1000;
// Ready sockets handled per epoll_wait.
constexpr int kMaxEvents = 256;
// HTTP/2 streams one upstream connection may carry, unless the server
// allows fewer.
constexpr long kMaxStreamsPerConnection = 1000;
// Idle easy handles kept for reuse: enough for a burst of calls, small next
// to what the calls themselves hold.
constexpr size_t kMaxIdleEasy = 256;
// epoll_event.data of the wakeup eventfd; sockets carry their fd (>= 0).
constexpr uint64_t kWakeTag = ~uint64_t{0};

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

[[noreturn]] void Die(const char* what, const char* why) {
  // Only programming errors (bad handle, wrong thread) or an exhausted
  // process (no fds for epoll) get here.
  std::fprintf(stderr, "seedgate: %s failed: %s\n", what, why);
  std::abort();
}

void CheckM(CURLMcode code, const char* what) {
  if (code != CURLM_OK) Die(what, curl_multi_strerror(code));
}

// Rounds of timer actions and posted tasks a posting thread runs before it
// leaves the rest to the loop thread.
constexpr int kMaxInlineRounds = 4;

// The loop this thread drives now, if any: libcurl's pre-request callback
// gets only the easy handle.
thread_local CurlLoop* driven_loop = nullptr;

// Marks the calling thread as the driver of `loop` for its lifetime.
class DriverScope {
 public:
  explicit DriverScope(CurlLoop* loop) : outer_(driven_loop) { driven_loop = loop; }
  ~DriverScope() { driven_loop = outer_; }
  DriverScope(const DriverScope&) = delete;
  DriverScope& operator=(const DriverScope&) = delete;

 private:
  CurlLoop* const outer_;  // a task of one loop may post to another
};

}  // namespace

CurlLoop::CurlLoop() : multi_(curl_multi_init()), gate_(kMaxStreamsPerConnection) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) Die("epoll_create1", std::strerror(errno));
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) Die("eventfd", std::strerror(errno));
  epoll_event wake{};
  wake.events = EPOLLIN;
  wake.data.u64 = kWakeTag;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake) != 0) {
    Die("epoll_ctl", std::strerror(errno));
  }

  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlLoop::OnSocket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlLoop::OnTimer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  // Many concurrent calls share few HTTP/2 connections to the upstream.
  curl_multi_setopt(multi_, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  // libcurl's default (100) opens another connection for the 101st stream;
  // a burst of calls then opens one connection per call that arrives while
  // that connection is in its TLS handshake (measured: 500 streams at once
  // took 205 connections). libcurl still honours the server's own
  // SETTINGS_MAX_CONCURRENT_STREAMS.
  curl_multi_setopt(multi_, CURLMOPT_MAX_CONCURRENT_STREAMS, kMaxStreamsPerConnection);
  // Keep idle upstream connections for reuse: libcurl's default cache shrinks
  // with the number of transfers in progress, and a reconnect costs a TCP
  // (and TLS) handshake per call (measured: 583 new connections for 23,299
  // unary calls without this).
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, 1024L);
  thread_ = std::thread([this] { Run(); });
}

CurlLoop::~CurlLoop() {
  stopping_.store(true);
  Wake();
  thread_.join();
  // A posting thread may still be driving.
  absl::MutexLock drive(&drive_mu_);
  curl_multi_cleanup(multi_);
  for (CURL* easy : idle_easy_) curl_easy_cleanup(easy);
  close(wake_fd_);
  close(epoll_fd_);
}

bool CurlLoop::DrivenByThisThread() const { return driven_loop == this; }

void CurlLoop::Post(std::function<void()> task) {
  // Nobody drives the loop: its thread waits for I/O. Run the task here
  // rather than wake that thread for it. A driver that posts (a task, a
  // libcurl callback) queues: it runs the new task when it is done.
  if (driven_loop != this && drive_mu_.TryLock()) {
    if (!stopping_.load()) {
      DriveInline(std::move(task));
      return;
    }
    drive_mu_.Unlock();  // shutting down: queued, like every task from now on
  }
  bool was_empty;
  {
    absl::MutexLock lock(&mu_);
    was_empty = posted_.empty();
    posted_.push_back(std::move(task));
  }
  // One wakeup per batch: the loop drains the whole queue before it waits
  // again, so a task posted behind others needs no wakeup of its own; nor
  // does one its own driver posts.
  if (was_empty && driven_loop != this) Wake();
}

void CurlLoop::DriveInline(std::function<void()> task) {
  bool wake = false;
  {
    DriverScope driver(this);
    RunPostedTasks();  // the tasks posted before this one go first
    task();
    Settle();
    // The loop thread sleeps until wait_ends_ns_ unless woken: wake it if
    // libcurl now wants it sooner, or if work is left over.
    wake = (timer_due_ns_ >= 0 && timer_due_ns_ < wait_ends_ns_) || HasPosted();
  }
  drive_mu_.Unlock();
  if (wake) Wake();
}

void CurlLoop::Settle() {
  for (int round = 0;; ++round) {
    DispatchFinished();
    AddReleased();
    if (round == kMaxInlineRounds) return;
    if (RunDueTimer()) continue;
    if (!HasPosted()) return;
    RunPostedTasks();
  }
}

bool CurlLoop::RunDueTimer() {
  if (timer_due_ns_ < 0 || timer_due_ns_ > NowNs()) return false;
  timer_due_ns_ = -1;
  int running = 0;
  CheckM(curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running),
         "curl_multi_socket_action");
  return true;
}

bool CurlLoop::HasPosted() {
  absl::MutexLock lock(&mu_);
  return !posted_.empty();
}

void CurlLoop::Wake() {
  uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: the loop will wake anyway.
  while (write(wake_fd_, &one, sizeof(one)) < 0 && errno == EINTR) {
  }
}

void CurlLoop::Add(CURL* easy, absl::string_view h2_origin) {
  active_.fetch_add(1, std::memory_order_relaxed);
  if (!h2_origin.empty()) {
    curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, &CurlLoop::OnConnected);
    curl_easy_setopt(easy, CURLOPT_PREREQDATA, easy);
    if (!gate_.Admit(easy, h2_origin)) return;  // AddReleased hands it over
  }
  CheckM(curl_multi_add_handle(multi_, easy), "curl_multi_add_handle");
}

void CurlLoop::Remove(CURL* easy) {
  active_.fetch_sub(1, std::memory_order_relaxed);
  if (gate_.Forget(easy, /*finished=*/false)) return;  // never reached libcurl
  CheckM(curl_multi_remove_handle(multi_, easy), "curl_multi_remove_handle");
}

int CurlLoop::OnConnected(void* easy, char* /*primary_ip*/, char* /*local_ip*/,
                          int /*primary_port*/, int local_port) {
  // On the driver, inside libcurl: the transfer has its connection (new
  // or shared), named by its local port. No handle may be added from here;
  // the loop hands released transfers over after libcurl returns.
  if (driven_loop != nullptr) driven_loop->gate_.OnConnected(easy, local_port);
  return CURL_PREREQFUNC_OK;
}

void CurlLoop::AddReleased() {
  for (ConnectionGate::Ticket ticket : gate_.TakeReleased()) {
    CheckM(curl_multi_add_handle(multi_, static_cast<CURL*>(const_cast<void*>(ticket))),
           "curl_multi_add_handle");
  }
}

CURL* CurlLoop::AcquireEasy() {
  if (idle_easy_.empty()) return curl_easy_init();
  CURL* easy = idle_easy_.back();
  idle_easy_.pop_back();
  return easy;
}

void CurlLoop::ReleaseEasy(CURL* easy) {
  if (!DrivenByThisThread() || idle_easy_.size() >= kMaxIdleEasy) {
    curl_easy_cleanup(easy);
    return;
  }
  // Back to the defaults. Connections belong to the multi handle's cache, so
  // nothing of a connection is lost or carried over.
  curl_easy_reset(easy);
  idle_easy_.push_back(easy);
}

int CurlLoop::OnSocket(CURL* /*easy*/, curl_socket_t socket, int what, void* loop_ptr,
                       void* socket_data) {
  auto* loop = static_cast<CurlLoop*>(loop_ptr);
  if (what == CURL_POLL_REMOVE) {
    // libcurl says so before it closes the socket; a socket closed already
    // has left the epoll set by itself, so an error here is harmless.
    epoll_ctl(loop->epoll_fd_, EPOLL_CTL_DEL, socket, nullptr);
    return 0;
  }
  epoll_event event{};
  if (what & CURL_POLL_IN) event.events |= EPOLLIN;
  if (what & CURL_POLL_OUT) event.events |= EPOLLOUT;
  event.data.u64 = static_cast<uint64_t>(socket);
  // socket_data marks a socket already in the set (curl_multi_assign).
  int op = socket_data != nullptr ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (epoll_ctl(loop->epoll_fd_, op, socket, &event) != 0) {
    // The fd number may have been reused since libcurl last told us about it.
    op = op == EPOLL_CTL_ADD ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(loop->epoll_fd_, op, socket, &event) != 0) return -1;
  }
  if (socket_data == nullptr) curl_multi_assign(loop->multi_, socket, loop);
  return 0;
}

int CurlLoop::OnTimer(CURLM* /*multi*/, long timeout_ms, void* loop_ptr) {
  auto* loop = static_cast<CurlLoop*>(loop_ptr);
  // libcurl must not be re-entered from here: the loop acts on it once the
  // current call returns.
  loop->timer_due_ns_ = timeout_ms < 0 ? -1 : NowNs() + int64_t{timeout_ms} * 1'000'000;
  return 0;
}

int CurlLoop::WaitMs() const {
  if (timer_due_ns_ < 0) return kMaxWaitMs;
  int64_t left_ns = timer_due_ns_ - NowNs();
  if (left_ns <= 0) return 0;
  // Round up: waking early would only spin.
  int64_t left_ms = (left_ns + 999'999) / 1'000'000;
  return left_ms < kMaxWaitMs ? static_cast<int>(left_ms) : kMaxWaitMs;
}

void CurlLoop::RunPostedTasks() {
  std::vector<std::function<void()>> tasks;
  {
    absl::MutexLock lock(&mu_);
    tasks.swap(posted_);
  }
  for (auto& task : tasks) task();
}

void CurlLoop::DispatchFinished() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    CURLcode result = msg->data.result;
    LoopTransfer* transfer = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &transfer);
    active_.fetch_sub(1, std::memory_order_relaxed);
    gate_.Forget(easy, /*finished=*/true);
    CheckM(curl_multi_remove_handle(multi_, easy), "curl_multi_remove_handle");
    if (transfer != nullptr) transfer->OnTransferDone(result);
  }
}

void CurlLoop::Run() {
  DriverScope driver(this);
  epoll_event events[kMaxEvents];
  int running = 0;
  drive_mu_.Lock();
  while (!stopping_.load()) {
    RunPostedTasks();
    DispatchFinished();
    AddReleased();
    // Tasks posted by the callbacks above must not wait for the next event.
    const int wait_ms = HasPosted() ? 0 : WaitMs();
    wait_ends_ns_ = NowNs() + int64_t{wait_ms} * 1'000'000;
    // While this thread waits, a posting thread may drive the loop.
    drive_mu_.Unlock();
    const int ready = epoll_wait(epoll_fd_, events, kMaxEvents, wait_ms);
    const int wait_errno = errno;
    drive_mu_.Lock();
    if (ready < 0) {
      if (wait_errno == EINTR) continue;
      Die("epoll_wait", std::strerror(wait_errno));
    }
    for (int i = 0; i < ready; ++i) {
      if (events[i].data.u64 == kWakeTag) {
        uint64_t count;
        while (read(wake_fd_, &count, sizeof(count)) < 0 && errno == EINTR) {
        }
        continue;
      }
      int flags = 0;
      if (events[i].events & (EPOLLIN | EPOLLHUP)) flags |= CURL_CSELECT_IN;
      if (events[i].events & EPOLLOUT) flags |= CURL_CSELECT_OUT;
      if (events[i].events & EPOLLERR) flags |= CURL_CSELECT_ERR;
      // A driver may have closed this socket while this thread waited (a
      // removed transfer): libcurl ignores sockets it no longer knows.
      CheckM(curl_multi_socket_action(multi_, static_cast<curl_socket_t>(events[i].data.u64), flags,
                                      &running),
             "curl_multi_socket_action");
    }
    RunDueTimer();
  }
  RunPostedTasks();
  drive_mu_.Unlock();
}

}  // namespace seedgate::upstream
