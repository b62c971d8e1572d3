#include "server/upstream/curl_loop.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

namespace seedgate::upstream {
namespace {

// Upper bound on one wait, so a missed wakeup can never stall the loop for
// long; libcurl's own timers shorten it further.
constexpr int kMaxPollMs = 1000;

void CheckM(CURLMcode code, const char* what) {
  if (code != CURLM_OK) {
    // Only programming errors (bad handle, wrong thread) get here.
    std::fprintf(stderr, "seedgate: %s failed: %s\n", what, curl_multi_strerror(code));
    std::abort();
  }
}

}  // namespace

CurlLoop::CurlLoop() : multi_(curl_multi_init()) {
  // Many concurrent calls share few HTTP/2 connections to the upstream.
  curl_multi_setopt(multi_, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  thread_ = std::thread([this] { Run(); });
}

CurlLoop::~CurlLoop() {
  stopping_.store(true);
  curl_multi_wakeup(multi_);
  thread_.join();
  curl_multi_cleanup(multi_);
}

void CurlLoop::Post(std::function<void()> task) {
  {
    absl::MutexLock lock(&mu_);
    posted_.push_back(std::move(task));
  }
  curl_multi_wakeup(multi_);
}

void CurlLoop::Add(CURL* easy) {
  CheckM(curl_multi_add_handle(multi_, easy), "curl_multi_add_handle");
  active_.fetch_add(1, std::memory_order_relaxed);
}

void CurlLoop::Remove(CURL* easy) {
  CheckM(curl_multi_remove_handle(multi_, easy), "curl_multi_remove_handle");
  active_.fetch_sub(1, std::memory_order_relaxed);
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
    Remove(easy);
    if (transfer != nullptr) transfer->OnTransferDone(result);
  }
}

void CurlLoop::Run() {
  while (!stopping_.load()) {
    RunPostedTasks();
    int running = 0;
    CheckM(curl_multi_perform(multi_, &running), "curl_multi_perform");
    DispatchFinished();
    // Tasks posted by the callbacks above must not wait for the next event.
    {
      absl::MutexLock lock(&mu_);
      if (!posted_.empty()) continue;
    }
    CheckM(curl_multi_poll(multi_, nullptr, 0, kMaxPollMs, nullptr), "curl_multi_poll");
  }
  RunPostedTasks();
}

}  // namespace seedgate::upstream
