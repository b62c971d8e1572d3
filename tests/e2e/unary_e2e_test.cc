// CreateChatCompletion and ListModels end to end, over real sockets.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "tests/e2e/stack.h"

namespace seedgate::testing {
namespace {

class UnaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stack_ = Stack::Start();
    ASSERT_NE(stack_, nullptr);
  }

  nlohmann::json LastUpstreamBody() {
    auto requests = stack_->emulator->recent_requests();
    EXPECT_FALSE(requests.empty());
    if (requests.empty()) return {};
    return nlohmann::json::parse(requests.back().body);
  }

  std::unique_ptr<Stack> stack_;
};

TEST_F(UnaryTest, AnswersWithEveryDocumentedField) {
  grpc::ClientContext context;
  v1::ChatCompletion response;
  grpc::Status status = stack_->stub->CreateChatCompletion(
      &context, UserRequest("Please introduce yourself"), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.id().empty());
  EXPECT_EQ(response.object(), "chat.completion");
  EXPECT_EQ(response.model().rfind("doubao-seed-2-0-pro", 0), 0u) << response.model();
  EXPECT_EQ(response.service_tier(), v1::SERVICE_TIER_DEFAULT);
  EXPECT_GT(response.created(), 1700000000);
  ASSERT_EQ(response.choices_size(), 1);
  const v1::Choice& choice = response.choices(0);
  EXPECT_EQ(choice.message().role(), v1::ROLE_ASSISTANT);
  EXPECT_FALSE(choice.message().content().empty());
  EXPECT_EQ(choice.finish_reason(), v1::FINISH_REASON_STOP);
  EXPECT_FALSE(choice.message().has_reasoning_content());
  EXPECT_GT(response.usage().prompt_tokens(), 0);
  EXPECT_GT(response.usage().completion_tokens(), 0);
  EXPECT_EQ(response.usage().total_tokens(),
            response.usage().prompt_tokens() + response.usage().completion_tokens());
}

TEST_F(UnaryTest, SendsWhatTheCallerSetAndNothingElse) {
  v1::CreateChatCompletionRequest request = UserRequest("hello");
  request.set_temperature(0);
  request.set_max_tokens(0);
  request.set_parallel_tool_calls(false);
  grpc::ClientContext context;
  v1::ChatCompletion response;
  stack_->stub->CreateChatCompletion(&context, request, &response);

  nlohmann::json body = LastUpstreamBody();
  EXPECT_EQ(body["stream"], false);
  EXPECT_EQ(body["model"], "doubao-seed-2.0-pro");
  ASSERT_TRUE(body.contains("temperature"));
  EXPECT_EQ(body["temperature"], 0);
  ASSERT_TRUE(body.contains("max_tokens"));
  EXPECT_EQ(body["max_tokens"], 0);
  EXPECT_EQ(body["parallel_tool_calls"], false);
  for (const char* unset : {"top_p", "stop", "thinking", "logprobs", "tools", "tool_choice",
                            "response_format", "max_completion_tokens", "stream_options"}) {
    EXPECT_FALSE(body.contains(unset)) << unset << " was sent although unset";
  }
  EXPECT_EQ(body["messages"][0]["role"], "user");
  EXPECT_EQ(body["messages"][0]["content"], "hello");
}

TEST_F(UnaryTest, SendsTheApiKeyAsBearer) {
  grpc::ClientContext context;
  v1::ChatCompletion response;
  ASSERT_TRUE(stack_->stub->CreateChatCompletion(&context, UserRequest("hi"), &response).ok());
  // The emulator accepted the key (it refuses any other), and did not record it.
  auto requests = stack_->emulator->recent_requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests.back().target, "/v1/chat/completions");
}

TEST_F(UnaryTest, ThinkingReturnsReasoning) {
  v1::CreateChatCompletionRequest request = UserRequest("Prove that sqrt(2) is irrational");
  request.mutable_thinking()->set_type(v1::THINKING_TYPE_ENABLED);
  grpc::ClientContext context;
  v1::ChatCompletion response;
  ASSERT_TRUE(stack_->stub->CreateChatCompletion(&context, request, &response).ok());
  EXPECT_FALSE(response.choices(0).message().reasoning_content().empty());
  EXPECT_GT(response.usage().completion_tokens_details().reasoning_tokens(), 0);
  EXPECT_EQ(LastUpstreamBody()["thinking"]["type"], "enabled");
}

TEST_F(UnaryTest, ToolCallsComeBackWhole) {
  v1::CreateChatCompletionRequest request = CityToolsRequest("What's the weather in Paris?");
  grpc::ClientContext context;
  v1::ChatCompletion response;
  ASSERT_TRUE(stack_->stub->CreateChatCompletion(&context, request, &response).ok());
  const v1::Choice& choice = response.choices(0);
  EXPECT_EQ(choice.finish_reason(), v1::FINISH_REASON_TOOL_CALLS);
  ASSERT_GE(choice.message().tool_calls_size(), 1);
  const v1::ToolCall& call = choice.message().tool_calls(0);
  EXPECT_FALSE(call.id().empty());
  EXPECT_EQ(call.type(), v1::TOOL_TYPE_FUNCTION);
  EXPECT_EQ(call.function().name(), "get_weather");
  nlohmann::json arguments = nlohmann::json::parse(call.function().arguments());
  EXPECT_TRUE(arguments["city"].is_string());
}

TEST_F(UnaryTest, LogprobsAndLengthLimit) {
  v1::CreateChatCompletionRequest request = UserRequest("count #fake:tokens=20");
  request.set_logprobs(true);
  request.set_top_logprobs(2);
  request.set_max_tokens(5);
  grpc::ClientContext context;
  v1::ChatCompletion response;
  ASSERT_TRUE(stack_->stub->CreateChatCompletion(&context, request, &response).ok());
  const v1::Choice& choice = response.choices(0);
  EXPECT_EQ(choice.finish_reason(), v1::FINISH_REASON_LENGTH);
  ASSERT_EQ(choice.logprobs().content_size(), 5);
  EXPECT_LT(choice.logprobs().content(0).logprob(), 0);
  EXPECT_FALSE(choice.logprobs().content(0).bytes().empty());
  EXPECT_EQ(choice.logprobs().content(0).top_logprobs_size(), 2);
}

TEST_F(UnaryTest, JsonObjectResponseFormat) {
  v1::CreateChatCompletionRequest request = UserRequest("give me json");
  request.mutable_response_format()->set_type(v1::RESPONSE_FORMAT_TYPE_JSON_OBJECT);
  grpc::ClientContext context;
  v1::ChatCompletion response;
  ASSERT_TRUE(stack_->stub->CreateChatCompletion(&context, request, &response).ok());
  EXPECT_TRUE(nlohmann::json::parse(response.choices(0).message().content()).is_object());
  EXPECT_EQ(LastUpstreamBody()["response_format"]["type"], "json_object");
}

TEST_F(UnaryTest, ClientCancelClosesTheUpstreamConnection) {
  // OnCancel runs inline on a gRPC thread (the reactor is inlineable): it
  // must still reach the upstream transfer.
  grpc::ClientContext context;
  bool upstream_called = false;
  std::thread canceller([&] {
    upstream_called = stack_->emulator->WaitFor(
        [](const fake_upstream::EmulatorStats& s) { return s.requests == 1; },
        std::chrono::milliseconds(2000));
    context.TryCancel();
  });
  v1::ChatCompletion response;
  grpc::Status status = stack_->stub->CreateChatCompletion(
      &context, UserRequest("never answers #fake:fault=stall_first_byte"), &response);
  canceller.join();
  EXPECT_TRUE(upstream_called);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(stack_->emulator->WaitFor(
      [](const fake_upstream::EmulatorStats& s) { return s.connections_open == 0; },
      std::chrono::milliseconds(2000)))
      << "the upstream transfer outlived the cancelled call";
}

TEST_F(UnaryTest, ListModelsNamesTheFourDocumentedModels) {
  grpc::ClientContext context;
  v1::ListModelsResponse response;
  ASSERT_TRUE(stack_->stub->ListModels(&context, v1::ListModelsRequest(), &response).ok());
  std::vector<std::string> ids;
  for (const auto& model : response.models()) ids.push_back(model.id());
  EXPECT_EQ(ids, (std::vector<std::string>{"doubao-seed-2.0-pro", "doubao-seed-2.0-lite",
                                           "doubao-seed-2.0-mini", "doubao-seed-2.0-code"}));
  EXPECT_EQ(response.default_model(), "doubao-seed-2.0-pro");
  EXPECT_EQ(stack_->emulator->stats().requests, 0) << "ListModels must not call the upstream";
}

TEST_F(UnaryTest, InvalidRequestListsEveryViolationAndCostsNoUpstreamCall) {
  v1::CreateChatCompletionRequest request = UserRequest("hi");
  request.set_temperature(3);
  request.set_top_p(-1);
  request.set_top_logprobs(5);  // without logprobs
  grpc::ClientContext context;
  v1::ChatCompletion response;
  grpc::Status status = stack_->stub->CreateChatCompletion(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  Details details = DecodeDetails(status);
  ASSERT_TRUE(details.has_bad_request);
  std::set<std::string> fields;
  for (const auto& violation : details.bad_request.field_violations()) {
    fields.insert(violation.field());
    EXPECT_FALSE(violation.description().empty());
  }
  EXPECT_TRUE(fields.count("temperature"));
  EXPECT_TRUE(fields.count("top_p"));
  EXPECT_TRUE(fields.count("top_logprobs"));
  EXPECT_EQ(stack_->emulator->stats().requests, 0);
}

TEST_F(UnaryTest, LargeInlineImageGetsThrough) {
  // A 6 MiB Base64 image: over gRPC's 4 MiB default receive limit.
  v1::CreateChatCompletionRequest request = UserRequest("");
  v1::Message* message = request.mutable_messages(0);
  auto* parts = message->mutable_content_parts();
  parts->add_parts()->set_text("Describe this image");
  std::string url = "data:image/png;base64," + std::string(6 << 20, 'A');
  parts->add_parts()->mutable_image_url()->set_url(url);
  grpc::ClientContext context;
  v1::ChatCompletion response;
  grpc::Status status = stack_->stub->CreateChatCompletion(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  nlohmann::json body = LastUpstreamBody();
  EXPECT_EQ(body["messages"][0]["content"][1]["type"], "image_url");
  EXPECT_EQ(body["messages"][0]["content"][1]["image_url"]["url"].get<std::string>().size(),
            url.size());
}

TEST_F(UnaryTest, FallsBackToTheNextBaseUrlWhenTheFirstCannotBeReached) {
  config::ServerConfig config;
  // Nothing listens on port 1.
  config.upstream_base_urls = {"http://127.0.0.1:1", "placeholder"};
  auto emulator_stack = Stack::Start({}, {});
  ASSERT_NE(emulator_stack, nullptr);
  config.upstream_base_urls[1] = emulator_stack->emulator->base_url();
  config.api_key = kTestApiKey;
  config.listen = "127.0.0.1:0";
  config.metrics_listen = "127.0.0.1:0";
  config.client_auth = "none";
  config.access_log = "off";
  auto server = service::SeedgateServer::Start(config);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = v1::ChatService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string((*server)->port()), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  v1::ChatCompletion response;
  grpc::Status status = stub->CreateChatCompletion(&context, UserRequest("hi"), &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(emulator_stack->emulator->stats().requests, 1);
}

}  // namespace
}  // namespace seedgate::testing
