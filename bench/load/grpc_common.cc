#include "bench/load/grpc_common.h"

#include <algorithm>
#include <thread>

namespace seedgate::bench {

std::vector<std::unique_ptr<v1::ChatService::Stub>> MakeStubs(const LoadOptions& options) {
  std::vector<std::unique_ptr<v1::ChatService::Stub>> stubs;
  for (int i = 0; i < std::max(1, options.channels); ++i) {
    grpc::ChannelArguments args;
    // A channel of its own per stub: a separate HTTP/2 connection each.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("seedgate.bench.channel", i);
    auto channel =
        grpc::CreateCustomChannel(options.target, grpc::InsecureChannelCredentials(), args);
    stubs.push_back(v1::ChatService::NewStub(channel));
  }
  return stubs;
}

v1::CreateChatCompletionRequest MakeRequest(const LoadOptions& options) {
  v1::CreateChatCompletionRequest request;
  request.set_model(options.model);
  v1::Message* m = request.add_messages();
  m->set_role(v1::ROLE_USER);
  m->set_content_text(options.Prompt());
  return request;
}

std::chrono::system_clock::time_point CallDeadline(const LoadOptions& options) {
  return std::chrono::system_clock::now() +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(
             std::chrono::duration<double>(options.timeout_s));
}

std::string GrpcCodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  auto i = static_cast<size_t>(code);
  return i < sizeof kNames / sizeof kNames[0] ? kNames[i] : "CODE_" + std::to_string(i);
}

bool RunSchedule(const LoadOptions& options, Schedule& schedule, Recorder& recorder,
                 const std::function<void(Clock::time_point intended)>& issue) {
  if (options.open_loop()) {
    std::thread pacer([&] {
      auto interval = std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>(1.0 / options.rate));
      Clock::time_point next = schedule.start();
      for (int64_t i = 0; next < schedule.end() && (options.total <= 0 || i < options.total);
           ++i, next += interval) {
        std::this_thread::sleep_until(next);
        if (schedule.Measured(next)) recorder.OnPacerLag(Ns(Clock::now() - next));
        if (recorder.in_flight() >= options.max_in_flight) {
          recorder.OnDropped();
          continue;
        }
        recorder.CallStarted();
        issue(next);
      }
      recorder.IssuingDone();
    });
    pacer.join();
  } else {
    Clock::time_point now = Clock::now();
    for (int i = 0; i < options.concurrency && schedule.ClaimNext(now); ++i) {
      recorder.CallStarted();
      issue(now);
    }
    recorder.IssuingDone();
  }
  auto drain =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.drain_s));
  // Closed loop: slots stop claiming at the window's end (or --total).
  return recorder.WaitIdle(std::max(schedule.end(), Clock::now()) + drain);
}

}  // namespace seedgate::bench
