// Upstream errors and faults, as a gRPC caller sees them.

#include <gtest/gtest.h>

#include <thread>

#include "absl/strings/match.h"
#include "tests/e2e/stack.h"

namespace seedgate::testing {
namespace {

class ErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stack_ = Stack::Start();
    ASSERT_NE(stack_, nullptr);
  }

  grpc::Status Unary(const std::string& text) {
    grpc::ClientContext context;
    v1::ChatCompletion response;
    return stack_->stub->CreateChatCompletion(&context, UserRequest(text), &response);
  }

  std::unique_ptr<Stack> stack_;
};

struct Mapping {
  int http_status;
  grpc::StatusCode code;
  std::string reason;

  friend void PrintTo(const Mapping& m, std::ostream* out) {
    *out << "HTTP " << m.http_status << " -> " << m.reason;
  }
};

class ErrorMappingTest : public ErrorsTest, public ::testing::WithParamInterface<Mapping> {};

TEST_P(ErrorMappingTest, UnaryAndStreamMapTheSameWay) {
  const Mapping& m = GetParam();
  std::string text = "fail #fake:error=" + std::to_string(m.http_status);
  for (bool streaming : {false, true}) {
    SCOPED_TRACE(streaming ? "stream" : "unary");
    grpc::Status status;
    if (streaming) {
      StreamResult stream = ReadStream(*stack_->stub, UserRequest(text));
      EXPECT_TRUE(stream.chunks.empty());
      status = stream.status;
    } else {
      status = Unary(text);
    }
    EXPECT_EQ(status.error_code(), m.code) << status.error_message();
    EXPECT_TRUE(absl::StrContains(status.error_message(), std::to_string(m.http_status)))
        << status.error_message();
    Details details = DecodeDetails(status);
    ASSERT_TRUE(details.has_error_info);
    EXPECT_EQ(details.error_info.reason(), m.reason);
    EXPECT_EQ(details.error_info.domain(), "evolink.ai");
    EXPECT_EQ(details.error_info.metadata().at("http_status"), std::to_string(m.http_status));
    EXPECT_TRUE(details.has_request_info) << "the upstream request id reaches the caller";
    EXPECT_FALSE(details.request_info.request_id().empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    ReferenceTable, ErrorMappingTest,
    ::testing::Values(Mapping{400, grpc::StatusCode::INVALID_ARGUMENT, "INVALID_REQUEST_ERROR"},
                      Mapping{401, grpc::StatusCode::INTERNAL, "AUTHENTICATION_ERROR"},
                      Mapping{402, grpc::StatusCode::RESOURCE_EXHAUSTED,
                              "INSUFFICIENT_QUOTA_ERROR"},
                      Mapping{403, grpc::StatusCode::PERMISSION_DENIED, "PERMISSION_ERROR"},
                      Mapping{404, grpc::StatusCode::NOT_FOUND, "NOT_FOUND_ERROR"},
                      Mapping{413, grpc::StatusCode::INVALID_ARGUMENT, "REQUEST_TOO_LARGE_ERROR"},
                      Mapping{429, grpc::StatusCode::RESOURCE_EXHAUSTED, "RATE_LIMIT_ERROR"},
                      Mapping{500, grpc::StatusCode::INTERNAL, "INTERNAL_SERVER_ERROR"},
                      Mapping{502, grpc::StatusCode::UNAVAILABLE, "UPSTREAM_ERROR"},
                      Mapping{503, grpc::StatusCode::UNAVAILABLE, "SERVICE_UNAVAILABLE_ERROR"}),
    [](const ::testing::TestParamInfo<Mapping>& info) {
      return "Http" + std::to_string(info.param.http_status);
    });

TEST_F(ErrorsTest, FallbackSuggestionParamAndRetryDelayReachTheCaller) {
  grpc::Status status = Unary("fail #fake:error=429 #fake:retry_after=7");
  Details details = DecodeDetails(status);
  ASSERT_TRUE(details.has_retry_info);
  EXPECT_EQ(details.retry_info.retry_delay().seconds(), 7);
  EXPECT_EQ(details.error_info.metadata().at("fallback_suggestion"), "retry after 60 seconds");

  status = Unary("fail #fake:error=404");
  details = DecodeDetails(status);
  EXPECT_EQ(details.error_info.metadata().at("param"), "model");
  EXPECT_EQ(details.error_info.metadata().at("fallback_suggestion"), "doubao-seed-2.0-pro");
}

TEST_F(ErrorsTest, OddErrorBodiesStillMapByStatus) {
  struct Case {
    std::string shape;
    int http_status;
    grpc::StatusCode code;
  };
  for (const Case& c : {Case{"string_code", 400, grpc::StatusCode::INVALID_ARGUMENT},
                        Case{"reason_phrase", 429, grpc::StatusCode::RESOURCE_EXHAUSTED},
                        Case{"empty_param", 403, grpc::StatusCode::PERMISSION_DENIED},
                        Case{"html", 502, grpc::StatusCode::UNAVAILABLE},
                        Case{"text", 503, grpc::StatusCode::UNAVAILABLE},
                        Case{"bare_message", 500, grpc::StatusCode::INTERNAL}}) {
    SCOPED_TRACE(c.shape);
    grpc::Status status = Unary("fail #fake:error=" + std::to_string(c.http_status) +
                                " #fake:error_shape=" + c.shape);
    EXPECT_EQ(status.error_code(), c.code) << status.error_message();
    EXPECT_FALSE(absl::StrContains(status.error_message(), "<html")) << status.error_message();
    EXPECT_LT(status.error_message().size(), 400u);
    EXPECT_TRUE(DecodeDetails(status).has_error_info);
  }
}

TEST_F(ErrorsTest, RejectedApiKeyIsNeverEchoed) {
  config::ServerConfig config;
  config.api_key = "sk-wrong-key-0123456789";
  auto stack = Stack::Start({}, config);
  ASSERT_NE(stack, nullptr);
  grpc::ClientContext context;
  v1::ChatCompletion response;
  grpc::Status status = stack->stub->CreateChatCompletion(&context, UserRequest("hi"), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(DecodeDetails(status).error_info.reason(), "AUTHENTICATION_ERROR");
  EXPECT_FALSE(absl::StrContains(status.error_message(), config.api_key));
  EXPECT_FALSE(absl::StrContains(status.error_details(), config.api_key));
}

TEST_F(ErrorsTest, MalformedJsonInA200IsAnError) {
  grpc::Status status = Unary("bad #fake:fault=malformed_json");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(DecodeDetails(status).error_info.reason(), "MALFORMED_UPSTREAM_RESPONSE");

  StreamResult stream = ReadStream(*stack_->stub, UserRequest("bad #fake:fault=malformed_json"));
  EXPECT_EQ(stream.status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(DecodeDetails(stream.status).error_info.reason(), "MALFORMED_UPSTREAM_RESPONSE");
}

TEST_F(ErrorsTest, StreamFaultsAfterTokensAreErrorsNotSuccess) {
  struct Case {
    std::string fault;
    grpc::StatusCode code;
    std::string reason;
  };
  for (const Case& c :
       {Case{"reset", grpc::StatusCode::UNAVAILABLE, "UPSTREAM_CONNECTION_LOST"},
        Case{"truncate", grpc::StatusCode::UNAVAILABLE, "UPSTREAM_STREAM_TRUNCATED"},
        Case{"error_event", grpc::StatusCode::INTERNAL, "INTERNAL_SERVER_ERROR"},
        Case{"error_chunk", grpc::StatusCode::INTERNAL, "INTERNAL_SERVER_ERROR"}}) {
    SCOPED_TRACE(c.fault);
    StreamResult stream =
        ReadStream(*stack_->stub, UserRequest("go #fake:after=3 #fake:fault=" + c.fault));
    EXPECT_EQ(stream.chunks.size(), 3u) << "the tokens before the fault are delivered";
    EXPECT_EQ(stream.status.error_code(), c.code) << stream.status.error_message();
    EXPECT_EQ(DecodeDetails(stream.status).error_info.reason(), c.reason)
        << stream.status.error_message();
  }
}

TEST_F(ErrorsTest, PastMaxConcurrentRpcsCallsAreTurnedAwayWithRetryInfo) {
  config::ServerConfig config;
  config.max_concurrent_rpcs = 2;
  auto stack = Stack::Start({}, config);
  ASSERT_NE(stack, nullptr);
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::ChatCompletionChunk>>> readers;
  for (int i = 0; i < 2; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    readers.push_back(stack->stub->StreamChatCompletion(
        contexts.back().get(), UserRequest("hold #fake:fault=stall_first_byte")));
  }
  ASSERT_TRUE(stack->emulator->WaitFor(
      [](const fake_upstream::EmulatorStats& s) { return s.streams_started == 2; },
      std::chrono::seconds(2)))
      << "requests seen: " << stack->emulator->stats().requests;

  grpc::ClientContext context;
  v1::ChatCompletion response;
  grpc::Status status = stack->stub->CreateChatCompletion(&context, UserRequest("hi"), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  Details details = DecodeDetails(status);
  EXPECT_EQ(details.error_info.reason(), "TOO_MANY_RPCS");
  EXPECT_TRUE(details.has_retry_info);
  EXPECT_EQ(stack->emulator->stats().requests, 2) << "a turned-away call costs no upstream call";

  contexts[0]->TryCancel();
  readers[0]->Finish();
  // The slot comes back once the cancelled RPC is done.
  grpc::Status after;
  for (int i = 0; i < 50; ++i) {
    grpc::ClientContext retry;
    after = stack->stub->CreateChatCompletion(&retry, UserRequest("hi"), &response);
    if (after.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(after.ok()) << after.error_message();
  contexts[1]->TryCancel();
  readers[1]->Finish();
}

TEST_F(ErrorsTest, UnreachableUpstreamIsUnavailable) {
  config::ServerConfig config;
  config.upstream_base_urls = {"http://127.0.0.1:1"};
  auto stack = Stack::Start({}, config);
  ASSERT_NE(stack, nullptr);
  grpc::ClientContext context;
  v1::ChatCompletion response;
  grpc::Status status = stack->stub->CreateChatCompletion(&context, UserRequest("hi"), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  Details details = DecodeDetails(status);
  EXPECT_EQ(details.error_info.reason(), "UPSTREAM_UNREACHABLE");
  EXPECT_EQ(details.error_info.domain(), "seedgate");
}

}  // namespace
}  // namespace seedgate::testing
