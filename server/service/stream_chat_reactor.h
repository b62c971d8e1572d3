#ifndef SEEDGATE_SERVER_SERVICE_STREAM_CHAT_REACTOR_H_
#define SEEDGATE_SERVER_SERVICE_STREAM_CHAT_REACTOR_H_

#include <grpcpp/support/server_callback.h>

#include "seedgate/v1/chat.pb.h"
#include "server/service/chat_call_env.h"

namespace seedgate::service {

// StreamChatCompletion: one upstream call with `stream: true`. Each upstream
// event is written to the client as soon as it arrives. gRPC allows one write
// in flight; while a few chunks wait behind it the upstream transfer is
// paused, so a slow reader holds back the upstream instead of growing a
// buffer. A cancelled RPC aborts the upstream transfer.
grpc::ServerWriteReactor<v1::ChatCompletionChunk>* StartStreamChat(
    grpc::CallbackServerContext* context, const v1::CreateChatCompletionRequest* request,
    const ChatCallEnv& env);

}  // namespace seedgate::service

#endif  // SEEDGATE_SERVER_SERVICE_STREAM_CHAT_REACTOR_H_
