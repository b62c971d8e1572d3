#include "client/chat_stream.h"

namespace seedgate::client {

ChatStream::ChatStream(std::unique_ptr<grpc::ClientContext> context,
                       std::shared_ptr<Cancellation> cancellation)
    : context_(std::move(context)),
      cancellation_(cancellation ? std::move(cancellation) : std::make_shared<Cancellation>()),
      scope_(std::make_unique<Cancellation::Scope>(cancellation_.get(), context_.get())) {}

ChatStream::ChatStream(ClientError error)
    : cancellation_(std::make_shared<Cancellation>()), done_(true), status_(std::move(error)) {}

void ChatStream::Start(std::unique_ptr<grpc::ClientReader<v1::ChatCompletionChunk>> reader) {
  reader_ = std::move(reader);
}

ChatStream::~ChatStream() {
  if (done_) return;
  Cancel();
  // gRPC wants every call finished before its context goes away.
  v1::ChatCompletionChunk ignored;
  while (Next(&ignored)) {
  }
}

bool ChatStream::Next(v1::ChatCompletionChunk* chunk) {
  if (done_) return false;
  if (reader_->Read(chunk)) return true;
  done_ = true;
  grpc::Status status = reader_->Finish();
  if (!status.ok()) status_ = ClientError::FromStatus(status);
  return false;
}

void ChatStream::Cancel() { cancellation_->Cancel(); }

}  // namespace seedgate::client
