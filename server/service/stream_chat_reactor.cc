#include "server/service/stream_chat_reactor.h"

#include <deque>
#include <memory>
#include <optional>

#include "absl/synchronization/mutex.h"
#include "server/metrics/rpc_recorder.h"
#include "server/service/answer_checks.h"
#include "server/service/call_admission.h"
#include "server/service/grpc_status.h"

namespace seedgate::service {
namespace {

// Chunks that may wait behind the write in flight before the upstream is
// paused. One upstream read can complete several events at once; they are
// queued whole, so the queue can briefly exceed this by one read's worth.
constexpr size_t kMaxQueuedChunks = 8;

class StreamChatReactor final : public grpc::ServerWriteReactor<v1::ChatCompletionChunk>,
                                public upstream::ChunkSink {
 public:
  StreamChatReactor(grpc::CallbackServerContext* context,
                    const v1::CreateChatCompletionRequest* request, const ChatCallEnv& env)
      : env_(env),
        deadline_(RpcDeadline(*context)),
        recorder_(env.metrics, metrics::Method::kStreamChatCompletion, request->model(),
                  env.access_log) {
    if (absl::Status entered = admission_.Enter(*context, recorder_); !entered.ok()) {
      recorder_.Finish(entered, deadline_);
      Finish(ToCallerStatus(entered, env_));
      return;
    }
    absl::StatusOr<std::string> body = PrepareUpstreamBody(*request, /*streaming=*/true, env_);
    if (!body.ok()) {
      recorder_.Finish(body.status(), deadline_);
      Finish(ToCallerStatus(body.status(), env_));
      return;
    }
    absl::StatusOr<std::unique_ptr<AnswerChecks>> checks =
        AnswerChecks::ForRequest(*request, &recorder_);
    if (!checks.ok()) {
      recorder_.Finish(checks.status(), deadline_);
      Finish(ToCallerStatus(checks.status(), env_));
      return;
    }
    checks_ = *std::move(checks);
    if (recorder_.wants_content()) recorder_.SetRequestContent(*body);
    call_ = env_.client->Stream(*std::move(body),
                                UpstreamCallOptions(*request, deadline_, &recorder_), this);
  }

  // upstream::ChunkSink, on the upstream loop's driver: the loop thread, or
  // a gRPC thread inside call_->Resume() or Cancel() (mu_ is never held
  // across those).
  bool ReadyForChunks() override {
    absl::MutexLock lock(&mu_);
    if (queue_.size() < kMaxQueuedChunks) return true;
    upstream_paused_ = true;
    return false;
  }

  void OnChunk(v1::ChatCompletionChunk chunk) override {
    // Outside mu_: only the loop's driver (one thread at a time) uses
    // checks_, and what it records are counters.
    checks_->CheckChunk(chunk);
    const v1::ChatCompletionChunk* to_write = nullptr;
    {
      absl::MutexLock lock(&mu_);
      if (chunk.has_usage()) recorder_.OnUsage(chunk.usage());
      if (recorder_.wants_content()) {
        for (const auto& choice : chunk.choices()) {
          recorder_.AddResponseContent(choice.delta().content());
        }
      }
      if (client_gone_) return;
      queue_.push_back(std::move(chunk));
      to_write = NextWriteLocked();
    }
    if (to_write != nullptr) StartWrite(to_write);
  }

  void OnFinish(absl::Status status) override {
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      upstream_status_ = checks_->StreamStatus(std::move(status));
      finish = FinishLocked();
    }
    if (finish) Finish(*finish);
  }

  // grpc reactions.
  void OnWriteDone(bool ok) override {
    const v1::ChatCompletionChunk* to_write = nullptr;
    std::optional<grpc::Status> finish;
    bool resume = false;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      queue_.pop_front();
      if (!ok) client_gone_ = true;  // the stream is broken: nothing more can be sent
      if (client_gone_) queue_.clear();
      to_write = NextWriteLocked();
      finish = FinishLocked();
      if (upstream_paused_ && queue_.size() < kMaxQueuedChunks) {
        upstream_paused_ = false;
        resume = true;
      }
    }
    if (!ok && call_ != nullptr) call_->Cancel();
    if (resume && call_ != nullptr) call_->Resume();
    if (to_write != nullptr) StartWrite(to_write);
    if (finish) Finish(*finish);
  }

  void OnCancel() override {
    {
      absl::MutexLock lock(&mu_);
      client_gone_ = true;
    }
    if (call_ != nullptr) call_->Cancel();
  }

  void OnDone() override {
    admission_.LeaveServer();
    {
      absl::MutexLock lock(&mu_);
      SettleQuotaLocked();
    }
    SelfDestruct();
  }

 private:
  // The reactor's last act. gRPC runs OnDone only after Finish and every
  // other reaction have returned, but orders them inside libgrpc++, where
  // ThreadSanitizer cannot see it: tests/sanitizers/tsan.supp names this.
  void SelfDestruct() { delete this; }

  // Gives back the stream slot and charges the tokens, once.
  void SettleQuotaLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    admission_.SettleQuota(recorder_.total_tokens());
  }

  // The chunk to write now, if none is in flight.
  const v1::ChatCompletionChunk* NextWriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || queue_.empty() || client_gone_) return nullptr;
    writing_ = true;
    if (metrics::CarriesTokens(queue_.front())) recorder_.OnTokensSent();
    return &queue_.front();  // stays put: deque::push_back keeps references
  }

  // The final status, once the upstream is done and every chunk is out (or
  // the client is gone), exactly once.
  std::optional<grpc::Status> FinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || !upstream_status_ || writing_) return std::nullopt;
    if (!queue_.empty() && !client_gone_) return std::nullopt;
    finished_ = true;
    recorder_.Finish(*upstream_status_, deadline_);
    // Before the caller hears the end: its next stream finds the slot free.
    SettleQuotaLocked();
    return ToCallerStatus(*upstream_status_, env_);
  }

  const ChatCallEnv& env_;
  const absl::Time deadline_;
  std::shared_ptr<upstream::ChatCall> call_;
  // Entered in the constructor; its quota settled under mu_ (the upstream
  // loop and gRPC's threads both end the call), left in OnDone.
  CallAdmission admission_{env_, /*stream=*/true};
  // Set before the upstream call; used by the ChunkSink callbacks only.
  std::unique_ptr<AnswerChecks> checks_;

  absl::Mutex mu_;
  std::deque<v1::ChatCompletionChunk> queue_ ABSL_GUARDED_BY(mu_);  // front is in flight
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool upstream_paused_ ABSL_GUARDED_BY(mu_) = false;
  bool client_gone_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<absl::Status> upstream_status_ ABSL_GUARDED_BY(mu_);
  // Called under mu_, except OnAttemptDone (loop's driver, no lock), which
  // reads only the recorder's constant members.
  metrics::RpcRecorder recorder_;
};

}  // namespace

grpc::ServerWriteReactor<v1::ChatCompletionChunk>* StartStreamChat(
    grpc::CallbackServerContext* context, const v1::CreateChatCompletionRequest* request,
    const ChatCallEnv& env) {
  return new StreamChatReactor(context, request, env);
}

}  // namespace seedgate::service
