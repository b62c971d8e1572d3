#include "server/service/unary_chat_reactor.h"

#include <memory>

#include "server/service/grpc_status.h"

namespace seedgate::service {
namespace {

class UnaryChatReactor final : public grpc::ServerUnaryReactor {
 public:
  UnaryChatReactor(grpc::CallbackServerContext* context,
                   const v1::CreateChatCompletionRequest* request, v1::ChatCompletion* response,
                   const ChatCallEnv& env)
      : env_(env) {
    absl::StatusOr<std::string> body = PrepareUpstreamBody(*request, /*streaming=*/false, env_);
    if (!body.ok()) {
      Finish(ToGrpcStatus(body.status(), env_.secrets));
      return;
    }
    // The callback runs on the upstream loop; Finish may be called from any
    // thread, and this reactor lives until OnDone, which follows Finish.
    call_ = env_.client->Complete(*std::move(body), RpcDeadline(*context),
                                  [this, response](absl::StatusOr<v1::ChatCompletion> result) {
                                    if (result.ok()) {
                                      *response = *std::move(result);
                                      Finish(grpc::Status::OK);
                                    } else {
                                      Finish(ToGrpcStatus(result.status(), env_.secrets));
                                    }
                                  });
  }

  void OnCancel() override {
    if (call_ != nullptr) call_->Cancel();
  }

  void OnDone() override { delete this; }

 private:
  const ChatCallEnv& env_;
  std::shared_ptr<upstream::ChatCall> call_;
};

}  // namespace

grpc::ServerUnaryReactor* StartUnaryChat(grpc::CallbackServerContext* context,
                                         const v1::CreateChatCompletionRequest* request,
                                         v1::ChatCompletion* response, const ChatCallEnv& env) {
  return new UnaryChatReactor(context, request, response, env);
}

}  // namespace seedgate::service
