#include "server/service/unary_chat_reactor.h"

#include <memory>

#include "server/metrics/rpc_recorder.h"
#include "server/service/answer_checks.h"
#include "server/service/grpc_status.h"

namespace seedgate::service {
namespace {

class UnaryChatReactor final : public grpc::ServerUnaryReactor {
 public:
  UnaryChatReactor(grpc::CallbackServerContext* context,
                   const v1::CreateChatCompletionRequest* request, v1::ChatCompletion* response,
                   const ChatCallEnv& env)
      : env_(env),
        deadline_(RpcDeadline(*context)),
        recorder_(env.metrics, metrics::Method::kCreateChatCompletion, request->model()) {
    if (env_.admission != nullptr) {
      absl::Status admitted = env_.admission->Enter();
      if (!admitted.ok()) {
        FinishWith(admitted);
        return;
      }
      admitted_ = true;
    }
    absl::StatusOr<std::string> body = PrepareUpstreamBody(*request, /*streaming=*/false, env_);
    if (!body.ok()) {
      FinishWith(body.status());
      return;
    }
    absl::StatusOr<std::unique_ptr<AnswerChecks>> checks =
        AnswerChecks::ForRequest(*request, &recorder_);
    if (!checks.ok()) {
      FinishWith(checks.status());
      return;
    }
    checks_ = *std::move(checks);
    // The callback runs on the upstream loop; Finish may be called from any
    // thread, and this reactor lives until OnDone, which follows Finish.
    call_ = env_.client->Complete(
        *std::move(body), deadline_,
        [this, response](absl::StatusOr<v1::ChatCompletion> result) {
          if (!result.ok()) {
            FinishWith(result.status());
            return;
          }
          *response = *std::move(result);
          if (response->has_usage()) recorder_.OnUsage(response->usage());
          FinishWith(checks_->CheckCompletion(*response));
        },
        &recorder_);
  }

  void OnCancel() override {
    if (call_ != nullptr) call_->Cancel();
  }

  void OnDone() override {
    if (admitted_) env_.admission->Leave();
    delete this;
  }

 private:
  void FinishWith(const absl::Status& status) {
    recorder_.Finish(status, deadline_);
    Finish(ToGrpcStatus(status, env_.secrets));
  }

  const ChatCallEnv& env_;
  const absl::Time deadline_;
  metrics::RpcRecorder recorder_;
  std::unique_ptr<AnswerChecks> checks_;  // set before the upstream call
  std::shared_ptr<upstream::ChatCall> call_;
  bool admitted_ = false;
};

}  // namespace

grpc::ServerUnaryReactor* StartUnaryChat(grpc::CallbackServerContext* context,
                                         const v1::CreateChatCompletionRequest* request,
                                         v1::ChatCompletion* response, const ChatCallEnv& env) {
  return new UnaryChatReactor(context, request, response, env);
}

}  // namespace seedgate::service
