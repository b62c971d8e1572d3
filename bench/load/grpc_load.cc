// The gRPC driver on the callback API: no thread per call. gRPC runs the
// completions on its own callback threads. Closed loop: a finished call
// starts the next from its completion callback. Open loop: one pacer thread
// starts calls at their scheduled times; latency counts from the scheduled
// time, so queueing anywhere (including in this process) shows.
#include <memory>
#include <vector>

#include "bench/load/drivers.h"
#include "bench/load/grpc_common.h"

namespace seedgate::bench {
namespace {

class GrpcLoad {
 public:
  GrpcLoad(const LoadOptions& options, Schedule& schedule, Recorder& recorder)
      : options_(options),
        schedule_(schedule),
        recorder_(recorder),
        stubs_(MakeStubs(options)),
        request_(MakeRequest(options)) {}

  // Starts one call meant to start at `intended` (already counted in flight).
  void Issue(Clock::time_point intended);
  void OnDone(const CallOutcome& outcome);

  const LoadOptions& options_;
  Schedule& schedule_;
  Recorder& recorder_;
  std::vector<std::unique_ptr<v1::ChatService::Stub>> stubs_;
  std::atomic<uint64_t> next_stub_{0};
  const v1::CreateChatCompletionRequest request_;
};

class UnaryCall {
 public:
  UnaryCall(GrpcLoad* load, Clock::time_point intended) : load_(load), intended_(intended) {
    context_.set_deadline(CallDeadline(load->options_));
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
      outcome.error = GrpcCodeName(status.error_code());
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
    context_.set_deadline(CallDeadline(load->options_));
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
    if (!status.ok()) outcome_.error = GrpcCodeName(status.error_code());
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

void GrpcLoad::Issue(Clock::time_point intended) {
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
      Issue(now);  // the slot stays in flight
      return;
    }
  }
  recorder_.CallEnded();
}

}  // namespace

bool RunGrpcLoad(const LoadOptions& options, Schedule& schedule, Recorder& recorder) {
  // Leaked when calls are still in flight at the end: they refer to it.
  auto* load = new GrpcLoad(options, schedule, recorder);
  bool drained = RunSchedule(options, schedule, recorder,
                             [load](Clock::time_point intended) { load->Issue(intended); });
  if (drained) delete load;
  return drained;
}

}  // namespace seedgate::bench
