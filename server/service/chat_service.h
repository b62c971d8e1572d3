#ifndef SEEDGATE_SERVER_SERVICE_CHAT_SERVICE_H_
#define SEEDGATE_SERVER_SERVICE_CHAT_SERVICE_H_

#include "seedgate/v1/chat.grpc.pb.h"
#include "server/service/chat_call_env.h"

namespace seedgate::service {

// seedgate.v1.ChatService on gRPC's callback API: no thread is held per RPC;
// upstream I/O runs on the upstream loop.
class ChatService final : public v1::ChatService::CallbackService {
 public:
  explicit ChatService(ChatCallEnv env) : env_(std::move(env)) {}

  grpc::ServerUnaryReactor* CreateChatCompletion(grpc::CallbackServerContext* context,
                                                 const v1::CreateChatCompletionRequest* request,
                                                 v1::ChatCompletion* response) override;

  grpc::ServerWriteReactor<v1::ChatCompletionChunk>* StreamChatCompletion(
      grpc::CallbackServerContext* context,
      const v1::CreateChatCompletionRequest* request) override;

  grpc::ServerUnaryReactor* ListModels(grpc::CallbackServerContext* context,
                                       const v1::ListModelsRequest* request,
                                       v1::ListModelsResponse* response) override;

 private:
  const ChatCallEnv env_;
};

}  // namespace seedgate::service

#endif  // SEEDGATE_SERVER_SERVICE_CHAT_SERVICE_H_
