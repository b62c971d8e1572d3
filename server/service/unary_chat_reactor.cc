#include "server/service/unary_chat_reactor.h"

#include <memory>

#include "server/metrics/rpc_recorder.h"
#include "server/service/answer_checks.h"
#include "server/service/call_admission.h"
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
        recorder_(env.metrics, metrics::Method::kCreateChatCompletion, request->model(),
                  env.access_log) {
    if (absl::Status entered = admission_.Enter(*context, recorder_); !entered.ok()) {
      FinishWith(entered);
      return;
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
    if (recorder_.wants_content()) recorder_.SetRequestContent(*body);
    // The callback runs on the upstream loop; Finish may be called from any
    // thread, and this reactor lives until OnDone, which follows Finish.
    call_ = env_.client->Complete(*std::move(body),
                                  UpstreamCallOptions(*request, deadline_, &recorder_),
                                  [this, response](absl::StatusOr<v1::ChatCompletion> result) {
                                    if (!result.ok()) {
                                      FinishWith(result.status());
                                      return;
                                    }
                                    *response = *std::move(result);
                                    if (response->has_usage()) recorder_.OnUsage(response->usage());
                                    if (recorder_.wants_content()) {
                                      for (const auto& choice : response->choices()) {
                                        recorder_.AddResponseContent(choice.message().content());
                                      }
                                    }
                                    FinishWith(checks_->CheckCompletion(*response));
                                  });
  }

  void OnCancel() override {
    if (call_ != nullptr) call_->Cancel();
  }

  // Lets gRPC run OnCancel and OnDone on its own thread that saw the event,
  // instead of handing each to its executor thread: that hand-off was one
  // more thread wake-up and context switch per call. Both reactions are
  // short and never block (OnCancel posts to the upstream loop; OnDone
  // releases counters and deletes the reactor), which is what gRPC asks of
  // an inlineable reactor. gRPC calls this hook internal; `override` makes
  // a gRPC without it fail to compile rather than silently hop again.
  bool InternalInlineable() override { return true; }

  void OnDone() override {
    admission_.LeaveServer();
    admission_.SettleQuota(recorder_.total_tokens());
    SelfDestruct();
  }

 private:
  // The reactor's last act. gRPC runs OnDone only after Finish and OnCancel
  // have returned, but orders them inside libgrpc++, where ThreadSanitizer
  // cannot see it: tests/sanitizers/tsan.supp names this.
  void SelfDestruct() { delete this; }

  void FinishWith(const absl::Status& status) {
    recorder_.Finish(status, deadline_);
    admission_.SettleQuota(recorder_.total_tokens());
    Finish(ToCallerStatus(status, env_));
  }

  const ChatCallEnv& env_;
  const absl::Time deadline_;
  metrics::RpcRecorder recorder_;
  std::unique_ptr<AnswerChecks> checks_;  // set before the upstream call
  std::shared_ptr<upstream::ChatCall> call_;
  CallAdmission admission_{env_, /*stream=*/false};
};

}  // namespace

grpc::ServerUnaryReactor* StartUnaryChat(grpc::CallbackServerContext* context,
                                         const v1::CreateChatCompletionRequest* request,
                                         v1::ChatCompletion* response, const ChatCallEnv& env) {
  return new UnaryChatReactor(context, request, response, env);
}

}  // namespace seedgate::service
