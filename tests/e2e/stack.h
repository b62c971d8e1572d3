#ifndef SEEDGATE_TESTS_E2E_STACK_H_
#define SEEDGATE_TESTS_E2E_STACK_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "seedgate/v1/chat.grpc.pb.h"
#include "server/config/server_config.h"
#include "server/service/seedgate_server.h"
#include "tools/fake_upstream/emulator.h"

namespace seedgate::testing {

inline constexpr char kTestApiKey[] = "sk-test-7f3a9c2e51d04b8e";

// The whole path under test, on real loopback sockets: a gRPC client ->
// seedgate (in this process) -> the upstream emulator (in this process).
struct Stack {
  std::unique_ptr<fake_upstream::Emulator> emulator;
  std::unique_ptr<service::SeedgateServer> server;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::ChatService::Stub> stub;

  // Starts the emulator with `emulator_options` (its api_key defaults to
  // kTestApiKey) and a seedgate pointed at it; `config` may preset any field
  // (upstream_base_urls, when empty, becomes the emulator's URL).
  static std::unique_ptr<Stack> Start(fake_upstream::EmulatorOptions emulator_options = {},
                                      config::ServerConfig config = {});
};

// A request with one user message.
v1::CreateChatCompletionRequest UserRequest(const std::string& text,
                                            const std::string& model = "doubao-seed-2.0-pro");

// A request with one user message and two tools, get_weather and get_time,
// each taking a required string "city".
v1::CreateChatCompletionRequest CityToolsRequest(const std::string& text);

// The google.rpc details of a failed call.
struct Details {
  google::rpc::ErrorInfo error_info;
  bool has_error_info = false;
  google::rpc::RetryInfo retry_info;
  bool has_retry_info = false;
  google::rpc::BadRequest bad_request;
  bool has_bad_request = false;
  google::rpc::RequestInfo request_info;
  bool has_request_info = false;
};
Details DecodeDetails(const grpc::Status& status);

// Everything a stream delivered.
struct StreamResult {
  std::vector<v1::ChatCompletionChunk> chunks;
  grpc::Status status;
  std::string content;    // every delta.content, in order
  std::string reasoning;  // every delta.reasoning_content, in order
};
StreamResult ReadStream(v1::ChatService::Stub& stub, const v1::CreateChatCompletionRequest& request,
                        std::chrono::milliseconds timeout = std::chrono::seconds(20));

// Whether the emulator has counted `n` streams completed, waiting up to 2 s
// for it: it counts a stream once its write of [DONE] has completed, which on
// a loaded machine can come a moment after the client has read the answer.
bool StreamsCompleted(fake_upstream::Emulator& emulator, int n);

}  // namespace seedgate::testing

#endif  // SEEDGATE_TESTS_E2E_STACK_H_
