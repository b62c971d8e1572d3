#include "server/metrics/access_log.h"

#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <exception>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "server/metrics/labels.h"

namespace seedgate::metrics {
namespace {

// Lines waiting for the writer thread; past it, the oldest are dropped.
constexpr size_t kQueueLines = 16384;

double Millis(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

}  // namespace

absl::StatusOr<std::unique_ptr<AccessLog>> AccessLog::Open(const std::string& destination,
                                                           bool log_content) {
  spdlog::sink_ptr sink;
  try {
    if (destination == "stderr") {
      sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    } else {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(destination);
    }
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("--access_log: cannot open ", destination, ": ", e.what()));
  }
  // Its own queue and thread (not spdlog's global ones): several servers
  // may live in one process (tests), and nothing else shares the queue.
  auto pool = std::make_shared<spdlog::details::thread_pool>(kQueueLines, 1);
  auto logger = std::make_shared<spdlog::async_logger>(
      "access", std::move(sink), pool, spdlog::async_overflow_policy::overrun_oldest);
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::info);
  // Flushing is the writer thread's work, so each line can reach the file
  // promptly without costing the RPC anything.
  logger->flush_on(spdlog::level::info);
  return std::unique_ptr<AccessLog>(new AccessLog(std::move(logger), std::move(pool), log_content));
}

AccessLog::~AccessLog() { Flush(); }

void AccessLog::Write(const AccessLogEntry& entry) { logger_->info(Format(entry, log_content_)); }

void AccessLog::Flush() {
  // An async logger's flush is queued behind the lines before it: once the
  // queue is empty, the writer thread has taken the flush too.
  logger_->flush();
  for (int i = 0; i < 2000 && pool_->queue_size() > 0; ++i) absl::SleepFor(absl::Milliseconds(1));
  absl::SleepFor(absl::Milliseconds(5));  // the last item, taken but maybe not yet written
}

size_t AccessLog::dropped_lines() const { return pool_->overrun_counter(); }

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
