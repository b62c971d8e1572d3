// A tiny in-test ChatService: records each call's metadata, counts attempts,
// and fails on cue, so tests can see what the client library sends and how
// its retry policy behaves. Plaintext or TLS, on a free loopback port.
#ifndef SEEDGATE_TESTS_CLIENT_FAKE_CHAT_SERVER_H_
#define SEEDGATE_TESTS_CLIENT_FAKE_CHAT_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "seedgate/v1/chat.grpc.pb.h"

namespace seedgate::testing {

struct FakeBehaviour {
  // The first N attempts of each RPC fail with `failure_code`...
  int fail_first_attempts = 0;
  grpc::StatusCode failure_code = grpc::StatusCode::UNAVAILABLE;
  // ...and, for StreamChatCompletion, after writing one chunk when set.
  bool stream_fails_after_a_chunk = false;
};

class FakeChatServer : public v1::ChatService::Service {
 public:
  // TLS when both PEM files are given.
  explicit FakeChatServer(FakeBehaviour behaviour, const std::string& cert_file = "",
                          const std::string& key_file = "");
  ~FakeChatServer() override;

  int port() const { return port_; }
  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }
  int attempts() const { return attempts_; }
  // The metadata of the last call (lower-case keys; gRPC's own included).
  std::multimap<std::string, std::string> last_metadata() const;

  grpc::Status CreateChatCompletion(grpc::ServerContext* context,
                                    const v1::CreateChatCompletionRequest* request,
                                    v1::ChatCompletion* response) override;
  grpc::Status StreamChatCompletion(grpc::ServerContext* context,
                                    const v1::CreateChatCompletionRequest* request,
                                    grpc::ServerWriter<v1::ChatCompletionChunk>* writer) override;
  grpc::Status ListModels(grpc::ServerContext* context, const v1::ListModelsRequest* request,
                          v1::ListModelsResponse* response) override;

 private:
  // Records the call; true if this attempt is to fail.
  bool Attempt(grpc::ServerContext* context);

  FakeBehaviour behaviour_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::atomic<int> attempts_{0};
  mutable std::mutex mu_;
  std::multimap<std::string, std::string> last_metadata_;
};

}  // namespace seedgate::testing

#endif  // SEEDGATE_TESTS_CLIENT_FAKE_CHAT_SERVER_H_
