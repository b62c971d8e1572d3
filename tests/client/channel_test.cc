// The channel and call plumbing, observed from a fake server: metadata on the
// wire, TLS with a CA file, and which failures the retry policy retries.

#include "client/channel.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "client/chat_client.h"
#include "tests/client/fake_chat_server.h"
#include "tests/support/tls_cert.h"

namespace seedgate::testing {
namespace {

using client::CallOptions;
using client::ChannelOptions;
using client::ChatClient;
using client::ClientOptions;
using ::testing::Contains;
using ::testing::Key;
using ::testing::Not;
using ::testing::Pair;

ChatClient Connect(const FakeChatServer& server, bool retries = true, ClientOptions options = {}) {
  ChannelOptions channel;
  channel.target = server.target();
  channel.retries = retries;
  auto created = client::CreateChannel(channel);
  EXPECT_TRUE(created.ok());
  return ChatClient(*created, std::move(options));
}

FakeBehaviour Fails(int attempts, grpc::StatusCode code = grpc::StatusCode::UNAVAILABLE,
                    bool after_a_chunk = false) {
  FakeBehaviour behaviour;
  behaviour.fail_first_attempts = attempts;
  behaviour.failure_code = code;
  behaviour.stream_fails_after_a_chunk = after_a_chunk;
  return behaviour;
}

v1::CreateChatCompletionRequest Hello() {
  v1::CreateChatCompletionRequest request;
  auto* message = request.add_messages();
  message->set_role(v1::ROLE_USER);
  message->set_content_text("hello");
  return request;
}

TEST(ClientChannelTest, BearerTokenAndMetadataReachTheServer) {
  FakeChatServer server({});
  ClientOptions options;
  options.bearer_token = "sk-secret-token";
  options.metadata = {{"x-team", "search"}};
  ChatClient client = Connect(server, true, options);
  CallOptions call;
  call.metadata = {{"x-request-tag", "abc-1"}};
  ASSERT_TRUE(client.ListModels(call).ok());
  auto seen = server.last_metadata();
  EXPECT_THAT(seen, Contains(Pair("authorization", "Bearer sk-secret-token")));
  EXPECT_THAT(seen, Contains(Pair("x-team", "search")));
  EXPECT_THAT(seen, Contains(Pair("x-request-tag", "abc-1")));
  EXPECT_THAT(seen, Contains(Pair("user-agent", ::testing::HasSubstr("seedgate-client/"))));

  // Without a token, no authorization header at all.
  ChatClient anonymous = Connect(server);
  ASSERT_TRUE(anonymous.Chat(Hello()).ok());
  EXPECT_THAT(server.last_metadata(), Not(Contains(Key("authorization"))));
}

TEST(ClientChannelTest, UnsendableMetadataIsRefusedBeforeAnyCall) {
  FakeChatServer server({});
  ClientOptions options;
  options.bearer_token = "line\nbreak";
  ChatClient client = Connect(server, true, options);
  auto result = client.ListModels();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(result.error().message, ::testing::HasSubstr("authorization"));
  EXPECT_THAT(result.error().ToString(), Not(::testing::HasSubstr("line")))
      << "a token never shows in an error";

  ChatClient plain = Connect(server);
  CallOptions call;
  call.metadata = {{"X-Upper", "v"}};
  auto stream = plain.OpenStream(Hello(), call);
  v1::ChatCompletionChunk chunk;
  EXPECT_FALSE(stream->Next(&chunk));
  EXPECT_EQ(stream->status().error().code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(server.attempts(), 0);
}

TEST(ClientChannelTest, TlsWithACaFile) {
  TlsFiles tls = MakeSelfSignedCert();
  FakeChatServer server({}, tls.cert_file, tls.key_file);
  ChannelOptions channel;
  channel.target = "localhost:" + std::to_string(server.port());
  channel.tls = true;
  channel.ca_file = tls.cert_file;
  auto created = client::CreateChannel(channel);
  ASSERT_TRUE(created.ok());
  ChatClient client(*created);
  auto models = client.ListModels();
  ASSERT_TRUE(models.ok()) << models.error().ToString();
  EXPECT_EQ(models->models(0).id(), "fake-model");

  // The system store does not know the throwaway CA.
  channel.ca_file.clear();
  ChatClient untrusted(*client::CreateChannel(channel));
  CallOptions call;
  call.timeout = std::chrono::seconds(5);
  auto refused = untrusted.ListModels(call);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, grpc::StatusCode::UNAVAILABLE);

  channel.ca_file = tls.dir + "/no-such-file.pem";
  auto missing = client::CreateChannel(channel);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message, ::testing::HasSubstr("no-such-file.pem"));
}

TEST(ClientChannelTest, RetryServiceConfigIsJsonForTheThreeRpcs) {
  auto config = nlohmann::json::parse(client::RetryServiceConfigJson());
  std::set<std::string> methods;
  for (const auto& method_config : config["methodConfig"]) {
    EXPECT_EQ(method_config["retryPolicy"]["retryableStatusCodes"],
              nlohmann::json::array({"UNAVAILABLE"}));
    for (const auto& name : method_config["name"]) {
      EXPECT_EQ(name["service"], "seedgate.v1.ChatService");
      methods.insert(name["method"].get<std::string>());
    }
  }
  EXPECT_EQ(methods,
            (std::set<std::string>{"ListModels", "CreateChatCompletion", "StreamChatCompletion"}));
}

TEST(ClientChannelTest, ListModelsIsRetriedOnUnavailable) {
  FakeChatServer server(Fails(2));
  auto models = Connect(server).ListModels();
  ASSERT_TRUE(models.ok()) << models.error().ToString();
  EXPECT_EQ(server.attempts(), 3);
}

TEST(ClientChannelTest, WithoutRetriesTheFirstFailureIsTheResult) {
  FakeChatServer server(Fails(1));
  auto models = Connect(server, /*retries=*/false).ListModels();
  ASSERT_FALSE(models.ok());
  EXPECT_EQ(models.error().code, grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(server.attempts(), 1);
}

TEST(ClientChannelTest, RetriesStopAtMaxAttempts) {
  FakeChatServer server(Fails(100));
  auto models = Connect(server).ListModels();
  ASSERT_FALSE(models.ok());
  EXPECT_EQ(models.error().code, grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(server.attempts(), 4);
}

TEST(ClientChannelTest, OnlyUnavailableIsRetried) {
  FakeChatServer server(Fails(1, grpc::StatusCode::RESOURCE_EXHAUSTED));
  auto answer = Connect(server).Chat(Hello());
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(server.attempts(), 1) << "rate limits are the caller's decision";
}

TEST(ClientChannelTest, UnaryChatFailingBeforeAnyResponseIsRetried) {
  FakeChatServer server(Fails(1));
  auto answer = Connect(server).Chat(Hello());
  ASSERT_TRUE(answer.ok()) << answer.error().ToString();
  EXPECT_EQ(answer->choices(0).message().content(), "fake answer");
  EXPECT_EQ(server.attempts(), 2);
}

TEST(ClientChannelTest, StreamFailingBeforeAnyChunkIsRetried) {
  FakeChatServer server(Fails(1));
  std::vector<std::string> chunks;
  auto status = Connect(server).StreamChat(Hello(), [&](const v1::ChatCompletionChunk& chunk) {
    chunks.push_back(chunk.choices(0).delta().content());
    return true;
  });
  ASSERT_TRUE(status.ok()) << status.error().ToString();
  EXPECT_EQ(chunks, std::vector<std::string>{"fake chunk"});
  EXPECT_EQ(server.attempts(), 2);
}

TEST(ClientChannelTest, StreamFailingAfterAChunkIsNotRetried) {
  FakeChatServer server(Fails(1, grpc::StatusCode::UNAVAILABLE, /*after_a_chunk=*/true));
  std::vector<std::string> chunks;
  auto status = Connect(server).StreamChat(Hello(), [&](const v1::ChatCompletionChunk& chunk) {
    chunks.push_back(chunk.choices(0).delta().content());
    return true;
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(chunks.size(), 1u) << "no chunk is ever delivered twice";
  EXPECT_EQ(server.attempts(), 1);
}

}  // namespace
}  // namespace seedgate::testing
