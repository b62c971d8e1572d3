#include "bench/load/grpc_common.h"

#include <algorithm>
#include <thread>

namespace seedgate::bench {
namespace {

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

}  // namespace

GrpcLoadBase::GrpcLoadBase(const LoadOptions& options, Schedule& schedule, Recorder& recorder)
    : options_(options),
      schedule_(schedule),
      recorder_(recorder),
      stubs_(MakeStubs(options)),
      request_(MakeRequest(options)) {}

v1::ChatService::Stub* GrpcLoadBase::NextStub() {
  return stubs_[next_stub_.fetch_add(1) % stubs_.size()].get();
}

void GrpcLoadBase::OnDone(const CallOutcome& outcome) {
  recorder_.OnCallDone(outcome);
  if (!options_.open_loop()) {
    Clock::time_point now = Clock::now();
    if (schedule_.ClaimNext(now)) {
      Issue(now);  // the slot stays in flight
      return;
    }
  }
  recorder_.CallEnded();
}

std::chrono::system_clock::time_point CallDeadline(const LoadOptions& options) {
  return std::chrono::system_clock::now() +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(
             std::chrono::duration<double>(options.timeout_s));
}

bool RunLoad(std::unique_ptr<GrpcLoadBase> load) {
  const LoadOptions& options = load->options();
  Schedule& schedule = load->schedule();
  Recorder& recorder = load->recorder();
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
        load->Issue(next);
      }
      recorder.IssuingDone();
    });
    pacer.join();
  } else {
    Clock::time_point now = Clock::now();
    for (int i = 0; i < options.concurrency && schedule.ClaimNext(now); ++i) {
      recorder.CallStarted();
      load->Issue(now);
    }
    recorder.IssuingDone();
  }
  auto drain =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.drain_s));
  // Closed loop: slots stop claiming at the window's end (or --total).
  bool drained = recorder.WaitIdle(std::max(schedule.end(), Clock::now()) + drain);
  if (!drained) load.release();  // calls in flight still refer to it
  return drained;
}

CallOutcome UnaryOutcome(const Schedule& schedule, Clock::time_point intended,
                         const grpc::Status& status, const v1::ChatCompletion& response) {
  CallOutcome outcome;
  outcome.measured = schedule.Measured(intended);
  outcome.latency_ns = Ns(Clock::now() - intended);
  if (!status.ok()) {
    outcome.error = GrpcCodeName(status.error_code());
  } else if (response.choices_size() > 0) {
    outcome.tokens.OnText(response.choices(0).message().content());
  }
  return outcome;
}

StreamProgress::StreamProgress(const Schedule& schedule, Clock::time_point intended)
    : intended_(intended) {
  outcome_.measured = schedule.Measured(intended);
}

void StreamProgress::OnChunk(const v1::ChatCompletionChunk& chunk, Recorder& recorder) {
  Clock::time_point now = Clock::now();
  if (outcome_.measured) {
    if (outcome_.chunks == 0) {
      recorder.OnFirstChunk(Ns(now - intended_));
    } else {
      recorder.OnChunkGap(Ns(now - last_chunk_));
    }
  }
  last_chunk_ = now;
  ++outcome_.chunks;
  for (const auto& choice : chunk.choices()) outcome_.tokens.OnText(choice.delta().content());
  std::optional<int64_t> written = outcome_.tokens.TakeStamp();
  if (written && outcome_.measured) recorder.OnChunkDelay(Ns(now.time_since_epoch()) - *written);
}

CallOutcome StreamProgress::Finish(const grpc::Status& status) {
  outcome_.latency_ns = Ns(Clock::now() - intended_);
  if (!status.ok()) outcome_.error = GrpcCodeName(status.error_code());
  return std::move(outcome_);
}

}  // namespace seedgate::bench
