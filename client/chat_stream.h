// ChatStream: one StreamChatCompletion call read as an iterator. Next() and
// status() belong to one thread; Cancel() may come from any thread.
#ifndef SEEDGATE_CLIENT_CHAT_STREAM_H_
#define SEEDGATE_CLIENT_CHAT_STREAM_H_

#include <grpcpp/client_context.h>
#include <grpcpp/support/sync_stream.h>

#include <memory>

#include "client/cancellation.h"
#include "client/result.h"
#include "seedgate/v1/chat.grpc.pb.h"

namespace seedgate::client {

class ChatStream {
 public:
  // Made by ChatClient::OpenStream. `error`, if set, is the result at once
  // (e.g. unusable metadata) and no call is made.
  ChatStream(std::unique_ptr<grpc::ClientContext> context,
             std::shared_ptr<Cancellation> cancellation);
  explicit ChatStream(ClientError error);
  // Cancels the call if it is still running.
  ~ChatStream();
  ChatStream(const ChatStream&) = delete;
  ChatStream& operator=(const ChatStream&) = delete;

  // The next chunk; false once the stream has ended, for any reason.
  bool Next(v1::ChatCompletionChunk* chunk);

  // Ends the call early; Next() then returns false and status() is
  // CANCELLED. Thread-safe, and harmless after the end.
  void Cancel();

  // After Next() returned false: OK only when the whole answer arrived.
  const Result<void>& status() const { return status_; }

 private:
  friend class ChatClient;
  void Start(std::unique_ptr<grpc::ClientReader<v1::ChatCompletionChunk>> reader);

  std::unique_ptr<grpc::ClientContext> context_;
  std::shared_ptr<Cancellation> cancellation_;
  std::unique_ptr<Cancellation::Scope> scope_;
  std::unique_ptr<grpc::ClientReader<v1::ChatCompletionChunk>> reader_;
  bool done_ = false;
  Result<void> status_;
};

}  // namespace seedgate::client

#endif  // SEEDGATE_CLIENT_CHAT_STREAM_H_
