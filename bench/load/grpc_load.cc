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

class GrpcLoad final : public GrpcLoadBase {
 public:
  using GrpcLoadBase::GrpcLoadBase;
  void Issue(Clock::time_point intended) override;
};

class UnaryCall {
 public:
  UnaryCall(GrpcLoad* load, Clock::time_point intended) : load_(load), intended_(intended) {
    context_.set_deadline(CallDeadline(load->options()));
  }
  void Start(v1::ChatService::Stub* stub) {
    stub->async()->CreateChatCompletion(&context_, &load_->request(), &response_,
                                        [this](grpc::Status status) { Done(status); });
  }

 private:
  void Done(const grpc::Status& status) {
    CallOutcome outcome = UnaryOutcome(load_->schedule(), intended_, status, response_);
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
      : load_(load), progress_(load->schedule(), intended) {
    context_.set_deadline(CallDeadline(load->options()));
  }
  void Start(v1::ChatService::Stub* stub) {
    stub->async()->StreamChatCompletion(&context_, &load_->request(), this);
    StartRead(&chunk_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the stream ended; OnDone follows
    progress_.OnChunk(chunk_, load_->recorder());
    StartRead(&chunk_);
  }

  void OnDone(const grpc::Status& status) override {
    CallOutcome outcome = progress_.Finish(status);
    GrpcLoad* load = load_;
    delete this;
    load->OnDone(outcome);
  }

 private:
  GrpcLoad* load_;
  StreamProgress progress_;
  grpc::ClientContext context_;
  v1::ChatCompletionChunk chunk_;
};

void GrpcLoad::Issue(Clock::time_point intended) {
  v1::ChatService::Stub* stub = NextStub();
  if (options().streaming()) {
    (new StreamCall(this, intended))->Start(stub);
  } else {
    (new UnaryCall(this, intended))->Start(stub);
  }
}

}  // namespace

bool RunGrpcLoad(const LoadOptions& options, Schedule& schedule, Recorder& recorder) {
  return RunLoad(std::make_unique<GrpcLoad>(options, schedule, recorder));
}

}  // namespace seedgate::bench
