// The gRPC driver on the completion-queue API. One thread waits on one
// completion queue and runs every call's next step. That thread is also the
// one polling the connections, so an arriving response or chunk wakes one
// thread, where the callback API wakes a poller that then hands the
// completion to another of its callback threads. The generator's own
// hand-offs would otherwise count as latency added by seedgate.
//
// Calls start from the pacer thread (open loop) or from the completion of
// the call before them (closed loop); latency counts from the scheduled time.
#include <memory>
#include <thread>
#include <vector>

#include "bench/load/drivers.h"
#include "bench/load/grpc_common.h"

namespace seedgate::bench {
namespace {

// A call is the tag of its one operation in flight; Proceed runs its next step.
class CqCall {
 public:
  virtual ~CqCall() = default;
  virtual void Proceed(bool ok) = 0;
};

class CqLoad {
 public:
  CqLoad(const LoadOptions& options, Schedule& schedule, Recorder& recorder)
      : options_(options),
        schedule_(schedule),
        recorder_(recorder),
        stubs_(MakeStubs(options)),
        request_(MakeRequest(options)),
        poller_([this] { Poll(); }) {}

  // Only once no call is in flight.
  ~CqLoad() {
    cq_.Shutdown();
    poller_.join();
  }

  // Starts one call meant to start at `intended` (already counted in flight).
  void Issue(Clock::time_point intended);
  void OnDone(const CallOutcome& outcome);

  const LoadOptions& options() const { return options_; }
  const Schedule& schedule() const { return schedule_; }
  Recorder& recorder() { return recorder_; }
  const v1::CreateChatCompletionRequest& request() const { return request_; }
  grpc::CompletionQueue* cq() { return &cq_; }

 private:
  void Poll() {
    void* tag = nullptr;
    bool ok = false;
    while (cq_.Next(&tag, &ok)) static_cast<CqCall*>(tag)->Proceed(ok);
  }

  const LoadOptions& options_;
  Schedule& schedule_;
  Recorder& recorder_;
  std::vector<std::unique_ptr<v1::ChatService::Stub>> stubs_;
  std::atomic<uint64_t> next_stub_{0};
  const v1::CreateChatCompletionRequest request_;
  grpc::CompletionQueue cq_;
  std::thread poller_;  // last: it uses everything above
};

class UnaryCall final : public CqCall {
 public:
  UnaryCall(CqLoad* load, Clock::time_point intended) : load_(load), intended_(intended) {
    context_.set_deadline(CallDeadline(load->options()));
  }
  void Start(v1::ChatService::Stub* stub) {
    reader_ = stub->PrepareAsyncCreateChatCompletion(&context_, load_->request(), load_->cq());
    reader_->StartCall();
    reader_->Finish(&response_, &status_, this);
  }

  void Proceed(bool /*ok: always true for Finish*/) override {
    CallOutcome outcome;
    outcome.measured = load_->schedule().Measured(intended_);
    outcome.latency_ns = Ns(Clock::now() - intended_);
    if (status_.ok()) {
      if (response_.choices_size() > 0) {
        outcome.tokens.OnText(response_.choices(0).message().content());
      }
    } else {
      outcome.error = GrpcCodeName(status_.error_code());
    }
    CqLoad* load = load_;
    delete this;
    load->OnDone(outcome);
  }

 private:
  CqLoad* load_;
  Clock::time_point intended_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::ChatCompletion>> reader_;
  v1::ChatCompletion response_;
  grpc::Status status_;
};

class StreamCall final : public CqCall {
 public:
  StreamCall(CqLoad* load, Clock::time_point intended)
      : load_(load), intended_(intended), measured_(load->schedule().Measured(intended)) {
    context_.set_deadline(CallDeadline(load->options()));
  }
  void Start(v1::ChatService::Stub* stub) {
    reader_ = stub->PrepareAsyncStreamChatCompletion(&context_, load_->request(), load_->cq());
    step_ = Step::kStarting;
    reader_->StartCall(this);
  }

  void Proceed(bool ok) override {
    switch (step_) {
      case Step::kStarting:
        if (!ok) return FinishCall();
        step_ = Step::kReading;
        reader_->Read(&chunk_, this);
        return;
      case Step::kReading:
        if (!ok) return FinishCall();  // the stream ended
        OnChunk();
        reader_->Read(&chunk_, this);
        return;
      case Step::kFinishing:
        return Done();
    }
  }

 private:
  enum class Step { kStarting, kReading, kFinishing };

  void OnChunk() {
    Clock::time_point now = Clock::now();
    if (measured_) {
      if (outcome_.chunks == 0) {
        load_->recorder().OnFirstChunk(Ns(now - intended_));
      } else {
        load_->recorder().OnChunkGap(Ns(now - last_chunk_));
      }
    }
    last_chunk_ = now;
    ++outcome_.chunks;
    for (const auto& choice : chunk_.choices()) outcome_.tokens.OnText(choice.delta().content());
  }

  void FinishCall() {
    step_ = Step::kFinishing;
    reader_->Finish(&status_, this);
  }

  void Done() {
    outcome_.measured = measured_;
    outcome_.latency_ns = Ns(Clock::now() - intended_);
    if (!status_.ok()) outcome_.error = GrpcCodeName(status_.error_code());
    CqLoad* load = load_;
    CallOutcome outcome = std::move(outcome_);
    delete this;
    load->OnDone(outcome);
  }

  CqLoad* load_;
  Clock::time_point intended_;
  bool measured_;
  Step step_ = Step::kStarting;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientAsyncReader<v1::ChatCompletionChunk>> reader_;
  v1::ChatCompletionChunk chunk_;
  grpc::Status status_;
  Clock::time_point last_chunk_;
  CallOutcome outcome_;
};

void CqLoad::Issue(Clock::time_point intended) {
  v1::ChatService::Stub* stub = stubs_[next_stub_.fetch_add(1) % stubs_.size()].get();
  if (options_.streaming()) {
    (new StreamCall(this, intended))->Start(stub);
  } else {
    (new UnaryCall(this, intended))->Start(stub);
  }
}

void CqLoad::OnDone(const CallOutcome& outcome) {
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

bool RunGrpcCqLoad(const LoadOptions& options, Schedule& schedule, Recorder& recorder) {
  // Leaked when calls are still in flight at the end: they refer to it.
  auto* load = new CqLoad(options, schedule, recorder);
  bool drained = RunSchedule(options, schedule, recorder,
                             [load](Clock::time_point intended) { load->Issue(intended); });
  if (drained) delete load;
  return drained;
}

}  // namespace seedgate::bench
