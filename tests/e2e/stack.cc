#include "tests/e2e/stack.h"

#include <gtest/gtest.h>

namespace seedgate::testing {

std::unique_ptr<Stack> Stack::Start(fake_upstream::EmulatorOptions emulator_options,
                                    config::ServerConfig config) {
  auto stack = std::make_unique<Stack>();
  if (emulator_options.api_key.empty()) emulator_options.api_key = kTestApiKey;
  stack->emulator = std::make_unique<fake_upstream::Emulator>(emulator_options);
  absl::Status started = stack->emulator->Start();
  EXPECT_TRUE(started.ok()) << started;
  if (!started.ok()) return nullptr;

  config.listen = "127.0.0.1:0";
  // Tests run side by side: never the fixed default port.
  if (config.metrics_listen == config::ServerConfig().metrics_listen) {
    config.metrics_listen = "127.0.0.1:0";
  }
  if (config.api_key.empty()) config.api_key = kTestApiKey;
  // In-process servers are test fixtures: unless a test chooses a mode,
  // everyone may call, as with --client_auth=none.
  if (config.client_auth.empty()) config.client_auth = "none";
  // Tests that read the access log give it a file; the rest keep stderr quiet.
  if (config.access_log == config::ServerConfig().access_log) config.access_log = "off";
  if (config.upstream_base_urls.empty() ||
      config.upstream_base_urls == config::ServerConfig().upstream_base_urls) {
    config.upstream_base_urls = {stack->emulator->base_url()};
  }
  auto server = service::SeedgateServer::Start(config);
  EXPECT_TRUE(server.ok()) << server.status();
  if (!server.ok()) return nullptr;
  stack->server = *std::move(server);
  stack->channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(stack->server->port()),
                                       grpc::InsecureChannelCredentials());
  stack->stub = v1::ChatService::NewStub(stack->channel);
  return stack;
}

v1::CreateChatCompletionRequest UserRequest(const std::string& text, const std::string& model) {
  v1::CreateChatCompletionRequest request;
  request.set_model(model);
  v1::Message* message = request.add_messages();
  message->set_role(v1::ROLE_USER);
  message->set_content_text(text);
  return request;
}

v1::CreateChatCompletionRequest CityToolsRequest(const std::string& text) {
  v1::CreateChatCompletionRequest request = UserRequest(text);
  for (const char* name : {"get_weather", "get_time"}) {
    v1::Tool* tool = request.add_tools();
    tool->mutable_function()->set_name(name);
    auto& parameters = *tool->mutable_function()->mutable_parameters()->mutable_fields();
    parameters["type"].set_string_value("object");
    auto& properties = *parameters["properties"].mutable_struct_value()->mutable_fields();
    (*properties["city"].mutable_struct_value()->mutable_fields())["type"].set_string_value(
        "string");
    parameters["required"].mutable_list_value()->add_values()->set_string_value("city");
  }
  return request;
}

Details DecodeDetails(const grpc::Status& status) {
  Details details;
  google::rpc::Status rpc_status;
  if (!rpc_status.ParseFromString(status.error_details())) return details;
  for (const auto& any : rpc_status.details()) {
    if (any.Is<google::rpc::ErrorInfo>()) {
      details.has_error_info = any.UnpackTo(&details.error_info);
    } else if (any.Is<google::rpc::RetryInfo>()) {
      details.has_retry_info = any.UnpackTo(&details.retry_info);
    } else if (any.Is<google::rpc::BadRequest>()) {
      details.has_bad_request = any.UnpackTo(&details.bad_request);
    } else if (any.Is<google::rpc::RequestInfo>()) {
      details.has_request_info = any.UnpackTo(&details.request_info);
    }
  }
  return details;
}

StreamResult ReadStream(v1::ChatService::Stub& stub, const v1::CreateChatCompletionRequest& request,
                        std::chrono::milliseconds timeout) {
  StreamResult result;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  auto reader = stub.StreamChatCompletion(&context, request);
  v1::ChatCompletionChunk chunk;
  while (reader->Read(&chunk)) {
    for (const auto& choice : chunk.choices()) {
      result.content += choice.delta().content();
      result.reasoning += choice.delta().reasoning_content();
    }
    result.chunks.push_back(chunk);
  }
  result.status = reader->Finish();
  return result;
}

bool StreamsCompleted(fake_upstream::Emulator& emulator, int n) {
  return emulator.WaitFor(
      [n](const fake_upstream::EmulatorStats& s) { return s.streams_completed == n; },
      std::chrono::milliseconds(2000));
}

}  // namespace seedgate::testing
