#include "server/metrics/access_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "server/metrics/labels.h"

namespace seedgate::metrics {
namespace {

// Lines waiting for the writer thread; past it, the oldest are dropped.
constexpr size_t kQueueLines = 16384;
// How long the writer lets a batch gather after its first line: short
// enough for `tail -f`, long enough that a busy server wakes the writer a
// few dozen times a second rather than once per RPC.
constexpr auto kBatchDelay = std::chrono::milliseconds(20);
// A batch this large is written at once.
constexpr size_t kWakeLines = 1024;

double Millis(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

}  // namespace

absl::StatusOr<std::unique_ptr<AccessLog>> AccessLog::Open(const std::string& destination,
                                                           bool log_content) {
  if (destination == "stderr") {
    return std::unique_ptr<AccessLog>(new AccessLog(STDERR_FILENO, false, log_content));
  }
  int fd = open(destination.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--access_log: cannot open ", destination, ": ", std::strerror(errno)));
  }
  return std::unique_ptr<AccessLog>(new AccessLog(fd, true, log_content));
}

AccessLog::AccessLog(int fd, bool owns_fd, bool log_content)
    : fd_(fd), owns_fd_(owns_fd), log_content_(log_content), writer_([this] { Run(); }) {}

AccessLog::~AccessLog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_writer_.notify_one();
  writer_.join();
  if (owns_fd_) close(fd_);
}

void AccessLog::Write(const AccessLogEntry& entry) {
  std::string line = Format(entry, log_content_);
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() >= kQueueLines) {
      queue_.pop_front();
      ++dropped_;
      ++done_;
    }
    queue_.push_back(std::move(line));
    ++queued_;
    // Only an idle writer needs waking (once); a gathering one wakes by
    // itself when the batch delay ends, or early for a large batch.
    wake = writer_idle_ || queue_.size() == kWakeLines;
    writer_idle_ = false;
  }
  if (wake) wake_writer_.notify_one();
}

void AccessLog::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t target = queued_;
  if (done_ >= target) return;
  flush_asked_ = true;
  wake_writer_.notify_one();
  batch_written_.wait(lock, [&] { return done_ >= target; });
}

size_t AccessLog::dropped_lines() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

void AccessLog::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (queue_.empty()) {
      if (stopping_) return;
      writer_idle_ = true;
      wake_writer_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      writer_idle_ = false;
      continue;
    }
    wake_writer_.wait_for(lock, kBatchDelay, [this] {
      return stopping_ || flush_asked_ || queue_.size() >= kWakeLines;
    });
    flush_asked_ = false;
    std::deque<std::string> batch;
    batch.swap(queue_);
    lock.unlock();
    std::string bytes;
    size_t size = 0;
    for (const std::string& line : batch) size += line.size() + 1;
    bytes.reserve(size);
    for (const std::string& line : batch) {
      bytes.append(line);
      bytes.push_back('\n');
    }
    WriteAll(bytes);
    lock.lock();
    done_ += batch.size();
    batch_written_.notify_all();
  }
}

void AccessLog::WriteAll(const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = write(fd_, bytes.data() + off, bytes.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to report it: the log itself is what failed
    off += static_cast<size_t>(n);
  }
}

std::string AccessLog::Format(const AccessLogEntry& e, bool log_content) {
  nlohmann::ordered_json line;
  line["time"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", e.start, absl::UTCTimeZone());
  line["method"] = std::string(e.method);
  line["client"] =
      e.client.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.client);
  line["model"] = e.model;
  line["code"] = e.code >= 0 && static_cast<size_t>(e.code) < kCodeNames.size()
                     ? std::string(kCodeNames[e.code])
                     : absl::StrCat(e.code);
  if (!e.error_reason.empty()) line["error_reason"] = e.error_reason;
  line["duration_ms"] = Millis(e.duration);
  if (e.time_to_first_token) line["ttft_ms"] = Millis(*e.time_to_first_token);
  if (e.prompt_tokens) line["prompt_tokens"] = *e.prompt_tokens;
  if (e.completion_tokens) line["completion_tokens"] = *e.completion_tokens;
  line["upstream_attempts"] = e.upstream_attempts;
  line["retries"] = e.upstream_retries;
  if (e.upstream_attempts > 0) {
    line["upstream_status"] = e.upstream_status;
    line["upstream_base_url"] = e.upstream_base_url;
  }
  if (!e.upstream_request_id.empty()) line["upstream_request_id"] = e.upstream_request_id;
  if (log_content) {
    line["request"] = e.request_content;
    line["response"] = e.response_content;
  }
  // Invalid UTF-8 (a stray byte from an upstream) must not throw.
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace seedgate::metrics
