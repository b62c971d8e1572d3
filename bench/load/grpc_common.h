// What seedgate-bench's two gRPC drivers (callback API, completion queue)
// share: the channels and the request, the schedule that starts calls, and
// the bookkeeping of a finished call.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "bench/load/load.h"
#include "seedgate/v1/chat.grpc.pb.h"

namespace seedgate::bench {

// What both drivers hold while a load runs: the options, the schedule, the
// recorder, the channels and the request.
class GrpcLoadBase {
 public:
  GrpcLoadBase(const LoadOptions& options, Schedule& schedule, Recorder& recorder);
  virtual ~GrpcLoadBase() = default;

  // Starts one call meant to start at `intended` (already counted in flight).
  virtual void Issue(Clock::time_point intended) = 0;
  // A call has finished: records it. In closed loop its slot starts the next
  // call while the schedule allows one; otherwise the slot ends.
  void OnDone(const CallOutcome& outcome);

  const LoadOptions& options() const { return options_; }
  Schedule& schedule() { return schedule_; }
  Recorder& recorder() { return recorder_; }
  const v1::CreateChatCompletionRequest& request() const { return request_; }

 protected:
  // The next channel, in turn (one HTTP/2 connection each).
  v1::ChatService::Stub* NextStub();

 private:
  const LoadOptions& options_;
  Schedule& schedule_;
  Recorder& recorder_;
  std::vector<std::unique_ptr<v1::ChatService::Stub>> stubs_;
  std::atomic<uint64_t> next_stub_{0};
  const v1::CreateChatCompletionRequest request_;
};

// Runs the whole load through `load`. Open loop: a pacer thread starts calls
// at their scheduled times (dropping, and counting, calls beyond
// --max_in_flight). Closed loop: --concurrency calls start now, and each
// finished call starts the next. Then waits for the calls in flight; returns
// whether they all finished before the drain deadline. `load` is deleted only
// then: calls still in flight refer to it.
bool RunLoad(std::unique_ptr<GrpcLoadBase> load);

std::chrono::system_clock::time_point CallDeadline(const LoadOptions& options);

// The outcome of a unary call that ended with `status` and `response`.
CallOutcome UnaryOutcome(const Schedule& schedule, Clock::time_point intended,
                         const grpc::Status& status, const v1::ChatCompletion& response);

// What a stream has received so far: time to first chunk and the gaps between
// chunks (for measured calls), and the numbered tokens.
class StreamProgress {
 public:
  StreamProgress(const Schedule& schedule, Clock::time_point intended);
  void OnChunk(const v1::ChatCompletionChunk& chunk, Recorder& recorder);
  // The whole call's outcome, once it ended with `status`.
  CallOutcome Finish(const grpc::Status& status);

 private:
  Clock::time_point intended_;
  Clock::time_point last_chunk_;
  CallOutcome outcome_;
};

}  // namespace seedgate::bench
