// The client library against the real path: ChatClient -> seedgate -> the
// upstream emulator, over loopback sockets.

#include "client/chat_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "client/channel.h"
#include "client/stream_accumulator.h"
#include "tests/e2e/stack.h"

namespace seedgate::testing {
namespace {

using client::CallOptions;
using client::ChatClient;
using client::ClientOptions;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

class ClientLibraryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stack_ = Stack::Start();
    ASSERT_NE(stack_, nullptr);
  }

  ChatClient Client(ClientOptions options = {}) {
    client::ChannelOptions channel;
    channel.target = "127.0.0.1:" + std::to_string(stack_->server->port());
    auto created = client::CreateChannel(channel);
    EXPECT_TRUE(created.ok());
    return ChatClient(*created, std::move(options));
  }

  bool EmulatorSees(std::function<bool(const fake_upstream::EmulatorStats&)> pred) {
    return stack_->emulator->WaitFor(std::move(pred), milliseconds(3000));
  }

  std::unique_ptr<Stack> stack_;
};

TEST_F(ClientLibraryTest, UnaryChat) {
  auto answer = Client().Chat(UserRequest("hello"));
  ASSERT_TRUE(answer.ok()) << answer.error().ToString();
  ASSERT_EQ(answer->choices_size(), 1);
  EXPECT_FALSE(answer->choices(0).message().content().empty());
  EXPECT_GT(answer->usage().total_tokens(), 0);
}

TEST_F(ClientLibraryTest, StreamByCallbackGivesTheUnaryAnswer) {
  ChatClient client = Client();
  auto whole = client.Chat(UserRequest("hello"));
  ASSERT_TRUE(whole.ok());
  std::string content;
  int chunks = 0;
  auto status = client.StreamChat(UserRequest("hello #fake:delay_ms=5"),
                                  [&](const v1::ChatCompletionChunk& chunk) {
                                    ++chunks;
                                    for (const auto& c : chunk.choices()) {
                                      content += c.delta().content();
                                    }
                                    return true;
                                  });
  ASSERT_TRUE(status.ok()) << status.error().ToString();
  EXPECT_GT(chunks, 3);
  EXPECT_EQ(content, whole->choices(0).message().content());
}

TEST_F(ClientLibraryTest, StreamByIteratorWithReasoningToolCallsAndUsage) {
  v1::CreateChatCompletionRequest request = CityToolsRequest("weather in Paris? #fake:parallel=2");
  request.mutable_thinking()->set_type(v1::THINKING_TYPE_ENABLED);
  request.mutable_stream_options()->set_include_usage(true);
  auto stream = Client().OpenStream(request);
  client::StreamAccumulator answer;
  v1::ChatCompletionChunk chunk;
  while (stream->Next(&chunk)) answer.Add(chunk);
  ASSERT_TRUE(stream->status().ok()) << stream->status().error().ToString();

  const v1::Choice& choice = answer.completion().choices(0);
  EXPECT_FALSE(choice.message().reasoning_content().empty());
  ASSERT_EQ(choice.message().tool_calls_size(), 2);
  for (const auto& call : choice.message().tool_calls()) {
    EXPECT_FALSE(call.id().empty());
    EXPECT_TRUE(nlohmann::json::parse(call.function().arguments())["city"].is_string());
  }
  EXPECT_EQ(choice.finish_reason(), v1::FINISH_REASON_TOOL_CALLS);
  EXPECT_GT(answer.completion().usage().total_tokens(), 0);
}

TEST_F(ClientLibraryTest, IteratorStreamCancelledFromAnotherThread) {
  auto stream = Client().OpenStream(UserRequest("long #fake:tokens=200 #fake:delay_ms=50"));
  v1::ChatCompletionChunk chunk;
  ASSERT_TRUE(stream->Next(&chunk));
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(150));
    stream->Cancel();
  });
  int more = 0;
  while (stream->Next(&chunk)) ++more;
  canceller.join();
  EXPECT_LT(more, 100);
  ASSERT_FALSE(stream->status().ok());
  EXPECT_EQ(stream->status().error().code, grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(EmulatorSees([](const auto& s) { return s.streams_aborted_by_client == 1; }))
      << "the upstream kept generating after the cancel";
  EXPECT_EQ(stack_->emulator->stats().streams_completed, 0);
}

TEST_F(ClientLibraryTest, CallbackStreamCancelledFromAnotherThread) {
  auto cancellation = std::make_shared<client::Cancellation>();
  CallOptions call;
  call.cancellation = cancellation;
  std::thread canceller;
  int chunks = 0;
  auto status = Client().StreamChat(
      UserRequest("long #fake:tokens=200 #fake:delay_ms=50"),
      [&](const v1::ChatCompletionChunk&) {
        if (++chunks == 1) {
          canceller = std::thread([cancellation] {
            std::this_thread::sleep_for(milliseconds(100));
            cancellation->Cancel();
          });
        }
        return true;
      },
      call);
  canceller.join();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(cancellation->cancelled());
  EXPECT_TRUE(EmulatorSees([](const auto& s) { return s.streams_aborted_by_client == 1; }));
}

TEST_F(ClientLibraryTest, CallbackReturningFalseStopsTheStream) {
  int chunks = 0;
  auto status = Client().StreamChat(UserRequest("long #fake:tokens=200 #fake:delay_ms=20"),
                                    [&](const v1::ChatCompletionChunk&) { return ++chunks < 3; });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, grpc::StatusCode::CANCELLED);
  EXPECT_EQ(chunks, 3);
  EXPECT_TRUE(EmulatorSees([](const auto& s) { return s.streams_aborted_by_client == 1; }));
}

TEST_F(ClientLibraryTest, UnaryCancelledWhileTheModelIsSilent) {
  auto cancellation = std::make_shared<client::Cancellation>();
  CallOptions call;
  call.cancellation = cancellation;
  std::thread canceller([&] {
    EmulatorSees([](const auto& s) { return s.requests == 1; });
    cancellation->Cancel();
  });
  auto answer = Client().Chat(UserRequest("hi #fake:fault=stall_first_byte"), call);
  canceller.join();
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(EmulatorSees([](const auto& s) { return s.connections_open == 0; }));
}

TEST_F(ClientLibraryTest, DefaultDeadlineApplies) {
  ClientOptions options;
  options.default_timeout = milliseconds(500);
  ChatClient client = Client(options);
  auto start = std::chrono::steady_clock::now();
  auto answer = client.Chat(UserRequest("hi #fake:fault=stall_first_byte"));
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));

  auto stream = client.OpenStream(UserRequest("hi #fake:fault=stall_first_byte"));
  v1::ChatCompletionChunk chunk;
  EXPECT_FALSE(stream->Next(&chunk));
  EXPECT_EQ(stream->status().error().code, grpc::StatusCode::DEADLINE_EXCEEDED);

  // A per-call timeout overrides the default.
  CallOptions call;
  call.timeout = std::chrono::seconds(20);
  EXPECT_TRUE(client.Chat(UserRequest("hi #fake:delay_ms=1"), call).ok());
}

TEST_F(ClientLibraryTest, RateLimitDetailsAreDecoded) {
  auto answer = Client().Chat(UserRequest("fail #fake:error=429 #fake:retry_after=7"));
  ASSERT_FALSE(answer.ok());
  const client::ClientError& error = answer.error();
  EXPECT_EQ(error.code, grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(error.reason, "RATE_LIMIT_ERROR");
  EXPECT_EQ(error.domain, "evolink.ai");
  EXPECT_EQ(error.type, "rate_limit_error");
  EXPECT_EQ(error.http_status, 429);
  ASSERT_TRUE(error.retry_delay.has_value());
  EXPECT_EQ(*error.retry_delay, std::chrono::seconds(7));
  EXPECT_FALSE(error.request_id.empty());
  EXPECT_THAT(error.ToString(), HasSubstr("retry after: 7s"));
  EXPECT_EQ(stack_->emulator->stats().requests, 1) << "RESOURCE_EXHAUSTED is not retried";

  // The same through a stream.
  auto status = Client().StreamChat(UserRequest("fail #fake:error=429 #fake:retry_after=7"),
                                    [](const v1::ChatCompletionChunk&) { return true; });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().reason, "RATE_LIMIT_ERROR");
  EXPECT_EQ(*status.error().retry_delay, std::chrono::seconds(7));
}

TEST_F(ClientLibraryTest, ValidationErrorsListEveryFieldPath) {
  v1::CreateChatCompletionRequest request = UserRequest("hi");
  request.set_temperature(3);
  request.set_top_p(-1);
  auto answer = Client().Chat(request);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(answer.error().reason, "INVALID_REQUEST");
  std::set<std::string> fields;
  for (const auto& v : answer.error().violations) {
    fields.insert(v.field);
    EXPECT_FALSE(v.description.empty());
  }
  EXPECT_EQ(fields, (std::set<std::string>{"temperature", "top_p"}));
  EXPECT_THAT(answer.error().ToString(), HasSubstr("violations:\n    "));
}

TEST_F(ClientLibraryTest, ListModelsAndHealthCheck) {
  ChatClient client = Client();
  auto models = client.ListModels();
  ASSERT_TRUE(models.ok()) << models.error().ToString();
  EXPECT_EQ(models->models_size(), 4);
  EXPECT_EQ(models->default_model(), "doubao-seed-2.0-pro");

  auto health = client.HealthCheck();
  ASSERT_TRUE(health.ok()) << health.error().ToString();
  EXPECT_EQ(*health, grpc::health::v1::HealthCheckResponse::SERVING);
  auto unknown = client.HealthCheck("no.such.Service");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace seedgate::testing
