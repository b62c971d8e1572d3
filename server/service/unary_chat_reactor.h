#ifndef SEEDGATE_SERVER_SERVICE_UNARY_CHAT_REACTOR_H_
#define SEEDGATE_SERVER_SERVICE_UNARY_CHAT_REACTOR_H_

#include <grpcpp/support/server_callback.h>

#include "seedgate/v1/chat.pb.h"
#include "server/service/chat_call_env.h"

namespace seedgate::service {

// CreateChatCompletion: one upstream call with `stream: false`. No thread
// waits for it; the reactor finishes from the upstream loop's callback, and a
// cancelled RPC aborts the upstream transfer.
grpc::ServerUnaryReactor* StartUnaryChat(grpc::CallbackServerContext* context,
                                         const v1::CreateChatCompletionRequest* request,
                                         v1::ChatCompletion* response, const ChatCallEnv& env);

}  // namespace seedgate::service

#endif  // SEEDGATE_SERVER_SERVICE_UNARY_CHAT_REACTOR_H_
