// The gRPC driver: gRPC's callback API, no thread per call. Closed loop: a
// finished call starts the next from its completion callback. Open loop: one
// pacer thread starts calls at their scheduled times; latency counts from the
// scheduled time, so queueing anywhere (including in this process) shows.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <thread>
#include <vector>

#include "bench/load/drivers.h"
#include "seedgate/v1/chat.grpc.pb.h"

namespace seedgate::bench {
namespace {

int64_t Ns(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

class GrpcLoad {
 public:
  GrpcLoad(const LoadOptions& options, Schedule& schedule, Recorder& recorder)
      : options_(options), schedule_(schedule), recorder_(recorder) {
    for (int i = 0; i < std::max(1, options.channels); ++i) {
      grpc::ChannelArguments args;
      // A channel of its own per stub: a separate HTTP/2 connection each.
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
      args.SetInt("seedgate.bench.channel", i);
      auto channel =
          grpc::CreateCustomChannel(options.target, grpc::InsecureChannelCredentials(), args);
      stubs_.push_back(v1::ChatService::NewStub(channel));
    }
    request_.set_model(options.model);
    v1::Message* m = request_.add_messages();
    m->set_role(v1::ROLE_USER);
    m->set_content_text(options.Prompt());
  }

  // Starts one call meant to start at `intended`; `counted`: the caller
  // already counts it in flight (a closed-loop slot passing to its next call).
  void Issue(Clock::time_point intended, bool counted = false);
  void OnDone(const CallOutcome& outcome);

  const LoadOptions& options_;
  Schedule& schedule_;
  Recorder& recorder_;
  std::vector<std::unique_ptr<v1::ChatService::Stub>> stubs_;
  std::atomic<uint64_t> next_stub_{0};
  v1::CreateChatCompletionRequest request_;  // read-only once calls start
};

std::chrono::system_clock::time_point Deadline(const LoadOptions& options) {
  return std::chrono::system_clock::now() +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(
             std::chrono::duration<double>(options.timeout_s));
}

std::string CodeName(grpc::StatusCode code) {
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

class UnaryCall {
 public:
  UnaryCall(GrpcLoad* load, Clock::time_point intended) : load_(load), intended_(intended) {
    context_.set_deadline(Deadline(load->options_));
  }
  void Start(v1::ChatService::Stub* stub) {
    stub->async()->CreateChatCompletion(&context_, &load_->request_, &response_,
                                        [this](grpc::Status status) { Done(status); });
  }

 private:
  void Done(const grpc::Status& status) {
    CallOutcome outcome;
    outcome.measured = load_->schedule_.Measured(intended_);
    outcome.latency_ns = Ns(Clock::now() - intended_);
    if (status.ok()) {
      if (response_.choices_size() > 0) {
        outcome.tokens.OnText(response_.choices(0).message().content());
      }
    } else {
      outcome.error = CodeName(status.error_code());
    }
    GrpcLoad* load = load_;
    delete this;
    load->OnDone(outcome);
  }

  GrpcLoad* load_;
  Clock::time_point intended_;
  grpc::ClientContext context_;
  v1::ChatCompletion response_;
};

class StreamCall final : public grpc::ClientReadReactor<v1::ChatCompletionChunk> {
 public:
  StreamCall(GrpcLoad* load, Clock::time_point intended)
      : load_(load), intended_(intended), measured_(load->schedule_.Measured(intended)) {
    context_.set_deadline(Deadline(load->options_));
  }
  void Start(v1::ChatService::Stub* stub) {
    stub->async()->StreamChatCompletion(&context_, &load_->request_, this);
    StartRead(&chunk_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the stream ended; OnDone follows
    Clock::time_point now = Clock::now();
    if (measured_) {
      if (outcome_.chunks == 0) {
        load_->recorder_.OnFirstChunk(Ns(now - intended_));
      } else {
        load_->recorder_.OnChunkGap(Ns(now - last_chunk_));
      }
    }
    last_chunk_ = now;
    ++outcome_.chunks;
    for (const auto& choice : chunk_.choices()) outcome_.tokens.OnText(choice.delta().content());
    StartRead(&chunk_);
  }

  void OnDone(const grpc::Status& status) override {
    outcome_.measured = measured_;
    outcome_.latency_ns = Ns(Clock::now() - intended_);
    if (!status.ok()) outcome_.error = CodeName(status.error_code());
    GrpcLoad* load = load_;
    CallOutcome outcome = std::move(outcome_);
    delete this;
    load->OnDone(outcome);
  }

 private:
  GrpcLoad* load_;
  Clock::time_point intended_;
  bool measured_;
  grpc::ClientContext context_;
  v1::ChatCompletionChunk chunk_;
  Clock::time_point last_chunk_;
  CallOutcome outcome_;
};

void GrpcLoad::Issue(Clock::time_point intended, bool counted) {
  if (!counted) recorder_.CallStarted();
  v1::ChatService::Stub* stub = stubs_[next_stub_.fetch_add(1) % stubs_.size()].get();
  if (options_.streaming()) {
    (new StreamCall(this, intended))->Start(stub);
  } else {
    (new UnaryCall(this, intended))->Start(stub);
  }
}

void GrpcLoad::OnDone(const CallOutcome& outcome) {
  recorder_.OnCallDone(outcome);
  if (!options_.open_loop()) {
    Clock::time_point now = Clock::now();
    if (schedule_.ClaimNext(now)) {
      Issue(now, /*counted=*/true);  // the slot stays in flight
      return;
    }
  }
  recorder_.CallEnded();
}

}  // namespace

bool RunGrpcLoad(const LoadOptions& options, Schedule& schedule, Recorder& recorder) {
  // Leaked when calls are still in flight at the end: they refer to it.
  auto* load_ptr = new GrpcLoad(options, schedule, recorder);
  GrpcLoad& load = *load_ptr;
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
        load.Issue(next);
      }
      recorder.IssuingDone();
    });
    pacer.join();
  } else {
    Clock::time_point now = Clock::now();
    for (int i = 0; i < options.concurrency && schedule.ClaimNext(now); ++i) load.Issue(now);
    recorder.IssuingDone();
  }
  auto drain =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.drain_s));
  // Closed loop: slots stop claiming at the window's end (or --total).
  bool drained = recorder.WaitIdle(std::max(schedule.end(), Clock::now()) + drain);
  if (drained) delete load_ptr;
  return drained;
}

}  // namespace seedgate::bench
