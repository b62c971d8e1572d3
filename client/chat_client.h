// ChatClient: seedgate's RPCs with a default deadline, per-call metadata,
// cancellation from another thread, and errors decoded into ClientError.
// Thread-safe: share one ChatClient (and its channel) across threads.
#ifndef SEEDGATE_CLIENT_CHAT_CLIENT_H_
#define SEEDGATE_CLIENT_CHAT_CLIENT_H_

#include <grpcpp/channel.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "client/cancellation.h"
#include "client/chat_stream.h"
#include "client/metadata.h"
#include "client/result.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "seedgate/v1/chat.grpc.pb.h"

namespace seedgate::client {

struct ClientOptions {
  // Deadline of a call that sets none; zero means no deadline. For a stream
  // it bounds the whole stream, not the wait for the first chunk.
  std::chrono::milliseconds default_timeout = std::chrono::minutes(10);
  // Sent as `authorization: Bearer <token>` on every call when not empty.
  // The library never logs or prints it; use TLS beyond loopback.
  std::string bearer_token;
  Metadata metadata;  // sent on every call
};

struct CallOptions {
  std::optional<std::chrono::milliseconds> timeout;  // overrides default_timeout
  Metadata metadata;                                 // added to ClientOptions::metadata
  // Cancel() on it from any thread ends the call with CANCELLED.
  std::shared_ptr<Cancellation> cancellation;
};

using HealthStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;

class ChatClient {
 public:
  explicit ChatClient(std::shared_ptr<grpc::Channel> channel, ClientOptions options = {});

  // CreateChatCompletion: the whole answer at once.
  Result<v1::ChatCompletion> Chat(const v1::CreateChatCompletionRequest& request,
                                  const CallOptions& call = {});

  // StreamChatCompletion, handing each chunk to `on_chunk` as it arrives, on
  // the calling thread. Returning false from `on_chunk` cancels the stream
  // (the result is then CANCELLED). OK only when the whole answer arrived.
  using ChunkCallback = std::function<bool(const v1::ChatCompletionChunk&)>;
  Result<void> StreamChat(const v1::CreateChatCompletionRequest& request,
                          const ChunkCallback& on_chunk, const CallOptions& call = {});

  // StreamChatCompletion as an iterator:
  //   auto stream = client.OpenStream(request);
  //   while (stream->Next(&chunk)) { ... }
  //   if (!stream->status().ok()) ... stream->status().error() ...
  std::unique_ptr<ChatStream> OpenStream(const v1::CreateChatCompletionRequest& request,
                                         const CallOptions& call = {});

  Result<v1::ListModelsResponse> ListModels(const CallOptions& call = {});

  // grpc.health.v1.Health/Check; "" is the server as a whole.
  Result<HealthStatus> HealthCheck(const std::string& service = "", const CallOptions& call = {});

 private:
  // Deadline and metadata for one call; an error if the metadata is unusable.
  Result<void> Prepare(const CallOptions& call, grpc::ClientContext* context) const;

  std::shared_ptr<grpc::Channel> channel_;
  ClientOptions options_;
  std::unique_ptr<v1::ChatService::Stub> stub_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

}  // namespace seedgate::client

#endif  // SEEDGATE_CLIENT_CHAT_CLIENT_H_
