#include "server/service/chat_call_env.h"

#include <chrono>

#include "server/service/grpc_status.h"
#include "server/translate/request_json.h"
#include "server/translate/request_validation.h"

namespace seedgate::service {

absl::StatusOr<std::string> PrepareUpstreamBody(const v1::CreateChatCompletionRequest& request,
                                                bool streaming, const ChatCallEnv& env) {
  translate::ValidationOptions options;
  options.streaming = streaming;
  options.allow_unknown_models = env.allow_unknown_models;
  if (absl::Status valid = translate::CheckRequest(request, options); !valid.ok()) return valid;
  return translate::RequestToJson(request, streaming).dump();
}

bool IsMultimodal(const v1::CreateChatCompletionRequest& request) {
  for (const v1::Message& message : request.messages()) {
    for (const v1::ContentPart& part : message.content_parts().parts()) {
      if (part.has_image_url() || part.has_video_url()) return true;
    }
  }
  return false;
}

absl::StatusOr<Caller> Identify(const grpc::CallbackServerContext& context,
                                const ChatCallEnv& env) {
  if (env.auth == nullptr) return Caller{"anonymous", {}};
  return env.auth->Authenticate(context);
}

grpc::Status ToCallerStatus(const absl::Status& status, const ChatCallEnv& env) {
  if (status.ok()) return grpc::Status::OK;
  if (env.upstream_key == nullptr) return ToGrpcStatus(status, env.secrets);
  std::vector<std::string> secrets = env.upstream_key->EveryKey();
  secrets.insert(secrets.end(), env.secrets.begin(), env.secrets.end());
  return ToGrpcStatus(status, secrets);
}

upstream::CallOptions UpstreamCallOptions(const v1::CreateChatCompletionRequest& request,
                                          absl::Time deadline,
                                          upstream::AttemptObserver* observer) {
  upstream::CallOptions call;
  call.deadline = deadline;
  call.multimodal = IsMultimodal(request);
  call.observer = observer;
  return call;
}

absl::Time RpcDeadline(const grpc::CallbackServerContext& context) {
  auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return absl::InfiniteFuture();
  return absl::FromChrono(deadline);
}

}  // namespace seedgate::service
