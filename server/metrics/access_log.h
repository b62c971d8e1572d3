#ifndef SEEDGATE_SERVER_METRICS_ACCESS_LOG_H_
#define SEEDGATE_SERVER_METRICS_ACCESS_LOG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace spdlog {
class logger;
namespace details {
class thread_pool;
}
}  // namespace spdlog

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
// line and queues it, and never waits for the disk or the terminal. When
// the queue is full the oldest lines are dropped (counted in
// dropped_lines()), so that a stalled stderr slows no RPC.
class AccessLog {
 public:
  // `destination`: "stderr" or a file path (appended to).
  static absl::StatusOr<std::unique_ptr<AccessLog>> Open(const std::string& destination,
                                                         bool log_content);
  ~AccessLog();

  void Write(const AccessLogEntry& entry);
  // Waits until every queued line is written (tests, shutdown).
  void Flush();

  bool log_content() const { return log_content_; }
  size_t dropped_lines() const;

  // The line Write queues for `entry` (no newline).
  static std::string Format(const AccessLogEntry& entry, bool log_content);

 private:
  AccessLog(std::shared_ptr<spdlog::logger> logger,
            std::shared_ptr<spdlog::details::thread_pool> pool, bool log_content)
      : logger_(std::move(logger)), pool_(std::move(pool)), log_content_(log_content) {}

  std::shared_ptr<spdlog::logger> logger_;
  std::shared_ptr<spdlog::details::thread_pool> pool_;
  const bool log_content_;
};

}  // namespace seedgate::metrics

#endif  // SEEDGATE_SERVER_METRICS_ACCESS_LOG_H_
