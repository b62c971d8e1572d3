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

class CqLoad final : public GrpcLoadBase {
 public:
  CqLoad(const LoadOptions& options, Schedule& schedule, Recorder& recorder)
      : GrpcLoadBase(options, schedule, recorder), poller_([this] { Poll(); }) {}

  // Only once no call is in flight.
  ~CqLoad() override {
    cq_.Shutdown();
    poller_.join();
  }

  void Issue(Clock::time_point intended) override;
  grpc::CompletionQueue* cq() { return &cq_; }

 private:
  void Poll() {
    void* tag = nullptr;
    bool ok = false;
    while (cq_.Next(&tag, &ok)) static_cast<CqCall*>(tag)->Proceed(ok);
  }

  grpc::CompletionQueue cq_;
  std::thread poller_;  // last: it uses the queue
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
    CallOutcome outcome = UnaryOutcome(load_->schedule(), intended_, status_, response_);
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
      : load_(load), progress_(load->schedule(), intended) {
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
        progress_.OnChunk(chunk_, load_->recorder());
        reader_->Read(&chunk_, this);
        return;
      case Step::kFinishing: {
        CallOutcome outcome = progress_.Finish(status_);
        CqLoad* load = load_;
        delete this;
        load->OnDone(outcome);
        return;
      }
    }
  }

 private:
  enum class Step { kStarting, kReading, kFinishing };

  void FinishCall() {
    step_ = Step::kFinishing;
    reader_->Finish(&status_, this);
  }

  CqLoad* load_;
  StreamProgress progress_;
  Step step_ = Step::kStarting;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientAsyncReader<v1::ChatCompletionChunk>> reader_;
  v1::ChatCompletionChunk chunk_;
  grpc::Status status_;
};

void CqLoad::Issue(Clock::time_point intended) {
  v1::ChatService::Stub* stub = NextStub();
  if (options().streaming()) {
    (new StreamCall(this, intended))->Start(stub);
  } else {
    (new UnaryCall(this, intended))->Start(stub);
  }
}

}  // namespace

bool RunGrpcCqLoad(const LoadOptions& options, Schedule& schedule, Recorder& recorder) {
  return RunLoad(std::make_unique<CqLoad>(options, schedule, recorder));
}

}  // namespace seedgate::bench
