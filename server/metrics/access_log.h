#ifndef SEEDGATE_SERVER_METRICS_ACCESS_LOG_H_
#define SEEDGATE_SERVER_METRICS_ACCESS_LOG_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace seedgate::metrics {

// What the access log says about one RPC.
struct AccessLogEntry {
  absl::Time start;
  absl::string_view method;
  std::string client;        // empty: not authenticated
  std::string model;         // as requested
  int code = 0;              // gRPC status code
  std::string error_reason;  // google.rpc.ErrorInfo reason, if any
  absl::Duration duration;
  std::optional<absl::Duration> time_to_first_token;  // streams that sent tokens
  std::optional<int64_t> prompt_tokens;
  std::optional<int64_t> completion_tokens;
  // The upstream side; zero/empty when no upstream call was made.
  int upstream_attempts = 0;
  int upstream_retries = 0;
  int upstream_status = 0;  // HTTP status of the last attempt
  std::string upstream_base_url;
  std::string upstream_request_id;
  // Only with --log_content.
  std::string request_content;   // the upstream request body (JSON)
  std::string response_content;  // the answer's text
};

// One JSON line per RPC, written by a background thread: Write formats the
// line and queues it, and never waits for the disk or the terminal. The
// writer takes the queue in batches, at most kBatchDelay after a line
// arrives, with one write() per batch: waking a thread for every line would
// cost each RPC a context switch. When the queue is full the oldest lines
// are dropped (counted in dropped_lines()), so that a stalled stderr slows
// no RPC.
class AccessLog {
 public:
  // `destination`: "stderr" or a file path (appended to).
  static absl::StatusOr<std::unique_ptr<AccessLog>> Open(const std::string& destination,
                                                         bool log_content);
  ~AccessLog();  // writes what is queued

  void Write(const AccessLogEntry& entry);
  // Waits until every line queued before the call is written (tests).
  void Flush();

  bool log_content() const { return log_content_; }
  size_t dropped_lines() const;

  // The line Write queues for `entry` (no newline).
  static std::string Format(const AccessLogEntry& entry, bool log_content);

 private:
  AccessLog(int fd, bool owns_fd, bool log_content);
  void Run();
  void WriteAll(const std::string& bytes);

  const int fd_;
  const bool owns_fd_;
  const bool log_content_;
  mutable std::mutex mu_;
  std::condition_variable wake_writer_;    // lines to write, a flush, or stop
  std::condition_variable batch_written_;  // for Flush
  std::deque<std::string> queue_;          // guarded by mu_
  uint64_t queued_ = 0;                    // lines ever queued
  uint64_t done_ = 0;                      // of those, written or dropped
  size_t dropped_ = 0;
  bool writer_idle_ = false;  // waiting for a first line: the only time Write wakes it
  bool flush_asked_ = false;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace seedgate::metrics

#endif  // SEEDGATE_SERVER_METRICS_ACCESS_LOG_H_
