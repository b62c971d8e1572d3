// seedgate-bench: what every driver (gRPC, HTTP) shares: the options, the
// schedule that decides when calls start (closed or open loop), the check of
// the emulator's numbered tokens, and the recorder that turns finished calls
// into a report.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "bench/load/histogram.h"

namespace seedgate::bench {

using Clock = std::chrono::steady_clock;

inline int64_t Ns(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

struct LoadOptions {
  std::string protocol = "grpc";  // grpc | http
  std::string target;             // grpc: host:port; http: base URL (http://host:port)
  std::string rpc = "unary";      // unary | stream
  int concurrency = 0;            // closed loop: calls kept in flight
  double rate = 0;                // open loop: calls started per second
  double warmup_s = 1;            // calls started before this are not measured
  double duration_s = 10;         // measurement window, after the warm-up
  int64_t total = 0;              // stop after this many calls (0: the window decides)
  int tokens = 12;                // #fake:tokens
  int delay_ms = 0;               // #fake:delay_ms (between streamed tokens)
  int channels = 1;               // grpc: distinct HTTP/2 connections
  std::string grpc_api = "cq";    // grpc: cq (completion queue, one thread) | callback
  int max_in_flight = 20000;      // open loop: calls beyond this are dropped (counted)
  double timeout_s = 120;         // per-call deadline
  double drain_s = 150;           // wait this long for the calls in flight after the window
  std::string model = "doubao-seed-2.0-pro";
  std::string api_key = "sk-bench";  // http: the bearer key sent to the emulator/proxy
  std::string json_out;              // write the report as JSON here too
  std::string label;                 // free text copied into the report
  bool check = false;  // exit 1 unless every call succeeded and every stream was whole

  bool open_loop() const { return rate > 0; }
  bool streaming() const { return rpc == "stream"; }
  // The last user message: the emulator's scenario directives.
  std::string Prompt() const;
};

// The emulator numbers its answer tokens "t0 t1 t2 ..." (#fake:number_tokens=1);
// a unary answer is the whole text, a stream delivers one token per chunk.
// Streamed tokens also carry the emulator's steady clock when it wrote them,
// "t7@<ns>" (#fake:stamp_tokens=1), which gives each chunk's delay.
class TokenChecker {
 public:
  void OnText(std::string_view text);  // any run of whitespace-separated tokens
  // The stamp of the last stamped token since the previous call, if any.
  std::optional<int64_t> TakeStamp() {
    std::optional<int64_t> stamp = stamp_ns_;
    stamp_ns_.reset();
    return stamp;
  }
  int64_t next() const { return next_; }
  int64_t lost() const { return lost_; }
  int64_t out_of_order() const { return out_of_order_; }
  int64_t garbage() const { return garbage_; }
  // Every token 0..expected-1 arrived, once, in order, and nothing else.
  bool Whole(int64_t expected) const {
    return next_ == expected && lost_ == 0 && out_of_order_ == 0 && garbage_ == 0;
  }

 private:
  void OnToken(std::string_view token);
  int64_t next_ = 0, lost_ = 0, out_of_order_ = 0, garbage_ = 0;
  std::optional<int64_t> stamp_ns_;
};

// When calls start. Thread-safe.
class Schedule {
 public:
  explicit Schedule(const LoadOptions& options);
  Clock::time_point start() const { return start_; }
  Clock::time_point measure_start() const { return measure_start_; }
  Clock::time_point end() const { return end_; }
  bool Measured(Clock::time_point intended) const { return intended >= measure_start_; }
  // Closed loop: claims the next call, if the window and the total allow one.
  bool ClaimNext(Clock::time_point now);
  int64_t issued() const { return issued_.load(); }

 private:
  const LoadOptions& options_;
  Clock::time_point start_, measure_start_, end_;
  std::atomic<int64_t> issued_{0};
};

// One finished call.
struct CallOutcome {
  bool measured = false;
  std::string error;  // empty: success ("OK" status / HTTP 200 and a readable answer)
  int64_t latency_ns = 0;
  int64_t chunks = 0;
  TokenChecker tokens;
};

class Recorder {
 public:
  explicit Recorder(const LoadOptions& options) : options_(options) {}

  // Chunk timing, recorded as it happens (measured calls only).
  void OnFirstChunk(int64_t ns) { ttfc_.Record(ns); }
  void OnChunkGap(int64_t ns) { gap_.Record(ns); }
  // From the emulator's write of a chunk to its arrival here.
  void OnChunkDelay(int64_t ns) { delay_.Record(ns); }
  void OnPacerLag(int64_t ns) { pacer_lag_.Record(ns); }
  void OnDropped() { dropped_.fetch_add(1); }
  void OnCallDone(const CallOutcome& outcome);

  // In-flight accounting; Wait returns when nothing is in flight and
  // `issuing_done` was signalled, or at `deadline`.
  void CallStarted();
  void CallEnded();
  void IssuingDone();
  bool WaitIdle(Clock::time_point deadline);
  int64_t in_flight() const { return in_flight_.load(); }

  // Prints the report to stdout (and JSON to options.json_out); returns
  // whether the run passes --check.
  bool Report(const Schedule& schedule, double bench_cpu_s, bool drained);

 private:
  const LoadOptions& options_;
  Histogram latency_, ttfc_, gap_, delay_, pacer_lag_;
  std::atomic<int64_t> dropped_{0};
  std::atomic<int64_t> in_flight_{0}, peak_in_flight_{0};

  std::mutex mu_;
  std::condition_variable idle_;
  bool issuing_done_ = false;
  int64_t calls_ = 0, ok_ = 0, unmeasured_ = 0, chunks_ = 0;
  int64_t streams_whole_ = 0, answers_not_whole_ = 0;
  int64_t tokens_lost_ = 0, tokens_out_of_order_ = 0, tokens_garbage_ = 0;
  std::map<std::string, int64_t> errors_;
  Clock::time_point last_done_{};
};

}  // namespace seedgate::bench
