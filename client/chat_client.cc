#include "client/chat_client.h"

namespace seedgate::client {

ChatClient::ChatClient(std::shared_ptr<grpc::Channel> channel, ClientOptions options)
    : channel_(std::move(channel)),
      options_(std::move(options)),
      stub_(v1::ChatService::NewStub(channel_)),
      health_(grpc::health::v1::Health::NewStub(channel_)) {}

Result<void> ChatClient::Prepare(const CallOptions& call, grpc::ClientContext* context) const {
  Metadata metadata = options_.metadata;
  if (!options_.bearer_token.empty()) metadata.push_back(BearerToken(options_.bearer_token));
  metadata.insert(metadata.end(), call.metadata.begin(), call.metadata.end());
  if (Result<void> valid = ValidateMetadata(metadata); !valid.ok()) return valid;
  for (const auto& [key, value] : metadata) context->AddMetadata(key, value);

  std::chrono::milliseconds timeout = call.timeout.value_or(options_.default_timeout);
  if (timeout.count() > 0) context->set_deadline(std::chrono::system_clock::now() + timeout);
  return {};
}

Result<v1::ChatCompletion> ChatClient::Chat(const v1::CreateChatCompletionRequest& request,
                                            const CallOptions& call) {
  grpc::ClientContext context;
  if (Result<void> prepared = Prepare(call, &context); !prepared.ok()) return prepared.error();
  Cancellation::Scope scope(call.cancellation.get(), &context);
  v1::ChatCompletion response;
  grpc::Status status = stub_->CreateChatCompletion(&context, request, &response);
  if (!status.ok()) return ClientError::FromStatus(status);
  return response;
}

Result<void> ChatClient::StreamChat(const v1::CreateChatCompletionRequest& request,
                                    const ChunkCallback& on_chunk, const CallOptions& call) {
  std::unique_ptr<ChatStream> stream = OpenStream(request, call);
  v1::ChatCompletionChunk chunk;
  while (stream->Next(&chunk)) {
    if (!on_chunk(chunk)) {
      stream->Cancel();
      while (stream->Next(&chunk)) {
      }
      return ClientError::Local(grpc::StatusCode::CANCELLED,
                                "stream stopped by the chunk callback");
    }
  }
  return stream->status();
}

std::unique_ptr<ChatStream> ChatClient::OpenStream(const v1::CreateChatCompletionRequest& request,
                                                   const CallOptions& call) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (Result<void> prepared = Prepare(call, context.get()); !prepared.ok()) {
    return std::make_unique<ChatStream>(prepared.error());
  }
  grpc::ClientContext* raw = context.get();
  auto stream = std::make_unique<ChatStream>(std::move(context), call.cancellation);
  stream->Start(stub_->StreamChatCompletion(raw, request));
  return stream;
}

Result<v1::ListModelsResponse> ChatClient::ListModels(const CallOptions& call) {
  grpc::ClientContext context;
  if (Result<void> prepared = Prepare(call, &context); !prepared.ok()) return prepared.error();
  Cancellation::Scope scope(call.cancellation.get(), &context);
  v1::ListModelsResponse response;
  grpc::Status status = stub_->ListModels(&context, v1::ListModelsRequest(), &response);
  if (!status.ok()) return ClientError::FromStatus(status);
  return response;
}

Result<HealthStatus> ChatClient::HealthCheck(const std::string& service, const CallOptions& call) {
  grpc::ClientContext context;
  if (Result<void> prepared = Prepare(call, &context); !prepared.ok()) return prepared.error();
  Cancellation::Scope scope(call.cancellation.get(), &context);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = health_->Check(&context, request, &response);
  if (!status.ok()) return ClientError::FromStatus(status);
  return response.status();
}

}  // namespace seedgate::client
