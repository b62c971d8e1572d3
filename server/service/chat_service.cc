#include "server/service/chat_service.h"

#include "server/metrics/rpc_recorder.h"
#include "server/service/grpc_status.h"
#include "server/service/stream_chat_reactor.h"
#include "server/service/unary_chat_reactor.h"
#include "server/translate/model_catalog.h"

namespace seedgate::service {

grpc::ServerUnaryReactor* ChatService::CreateChatCompletion(
    grpc::CallbackServerContext* context, const v1::CreateChatCompletionRequest* request,
    v1::ChatCompletion* response) {
  return StartUnaryChat(context, request, response, env_);
}

grpc::ServerWriteReactor<v1::ChatCompletionChunk>* ChatService::StreamChatCompletion(
    grpc::CallbackServerContext* context, const v1::CreateChatCompletionRequest* request) {
  return StartStreamChat(context, request, env_);
}

grpc::ServerUnaryReactor* ChatService::ListModels(grpc::CallbackServerContext* context,
                                                  const v1::ListModelsRequest* /*request*/,
                                                  v1::ListModelsResponse* response) {
  metrics::RpcRecorder recorder(env_.metrics, metrics::Method::kListModels, "", env_.access_log);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Caller> caller = Identify(*context, env_);
  if (!caller.ok()) {
    recorder.Finish(caller.status(), absl::InfiniteFuture());
    reactor->Finish(ToCallerStatus(caller.status(), env_));
    return reactor;
  }
  recorder.SetClient(caller->name);
  *response = translate::ModelCatalog();
  recorder.Finish(absl::OkStatus(), absl::InfiniteFuture());
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace seedgate::service
