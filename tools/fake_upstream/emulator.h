// fake-upstream: an in-process emulator of the Doubao Seed 2.0 chat-completions
// HTTP API (see /work/shared/reference/doubao-seed-2.0-chat-api.md), for tests,
// benchmarks and the local demo.
//
// Event-driven (Boost.Asio/Beast): all connections are served by `threads`
// io_context threads; delays use timers. HTTP/1.1 keep-alive; streams use
// chunked transfer encoding. Endpoints:
//   POST /v1/chat/completions   (alias /api/v3/chat/completions)
//   GET  /healthz               200 {"status":"ok"}
//   GET  /_emulator/stats       EmulatorStats as JSON
// Scenario directives (#fake:key=value in the last user message) are documented
// in DirectivesHelp() (tools/fake_upstream/responder.h) and `fake-upstream --help`.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace seedgate::fake_upstream {

struct EmulatorOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;    // 0: pick a free port
  std::string api_key;  // expected bearer key; empty: any non-empty bearer is accepted
  std::string tls_cert_file, tls_key_file;   // both set: HTTPS only
  int threads = 1;                           // io_context threads
  std::chrono::milliseconds token_delay{0};  // default delay between streamed tokens
};

struct EmulatorStats {            // counters since start
  int64_t requests = 0;           // HTTP requests other than /healthz and /_emulator/*
  int64_t unary_responses = 0;    // complete non-SSE responses to those (answers and errors)
  int64_t streams_started = 0;    // accepted stream requests (incl. fault=stall_first_byte)
  int64_t streams_completed = 0;  // [DONE] written
  int64_t streams_aborted_by_client = 0;  // peer closed/reset before the stream finished
  int64_t streams_ended_by_fault = 0;     // reset/truncate/error_event/error_chunk faults
  int64_t unary_aborted_by_client = 0;    // peer went away before a unary answer was sent
  int64_t connections_accepted = 0;
  int64_t connections_open = 0;
};

struct RecordedRequest {
  std::string method, target, body;
  // Header names lower-cased. Authorization is redacted to "Bearer <redacted>".
  std::map<std::string, std::string> headers;
};

class Emulator {
 public:
  explicit Emulator(EmulatorOptions options);
  ~Emulator();  // stops
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  absl::Status Start();  // binds and starts serving; returns once listening
  void Stop();           // idempotent; closes every connection

  uint16_t port() const;
  std::string base_url() const;  // "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT"
  EmulatorStats stats() const;
  std::vector<RecordedRequest> recent_requests() const;  // last 64, oldest first
  // Blocks until pred(stats()) holds or timeout; returns whether it held.
  bool WaitFor(std::function<bool(const EmulatorStats&)> pred, std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace seedgate::fake_upstream
