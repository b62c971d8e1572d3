// The access log: one JSON line per RPC, with who called and what the
// upstream did, and no message content unless --log_content.

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/stack.h"
#include "tests/support/temp_file.h"

namespace seedgate::testing {
namespace {

using nlohmann::json;

constexpr char kToken[] = "tok-logged-client-0123456789";
constexpr char kPromptText[] = "tell me about the purple elephant";

class AccessLogTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    tokens_file_ = WriteTempFile(absl::StrCat("reports ", kToken, "\n"));
    log_file_ = WriteTempFile("");
    config::ServerConfig config;
    config.client_auth = "tokens";
    config.client_tokens_file = tokens_file_;
    config.access_log = log_file_;
    config.log_content = GetParam();
    stack_ = Stack::Start({}, config);
    ASSERT_NE(stack_, nullptr);
  }
  void TearDown() override {
    stack_.reset();
    std::remove(tokens_file_.c_str());
    std::remove(log_file_.c_str());
  }

  // The log's lines once there are `count` (the writer is a background
  // thread), each parsed.
  std::vector<json> Lines(size_t count) {
    std::vector<json> lines;
    for (int i = 0; i < 500; ++i) {
      lines.clear();
      for (absl::string_view line :
           absl::StrSplit(ReadWholeFile(log_file_), '\n', absl::SkipEmpty())) {
        lines.push_back(json::parse(line));  // throws (fails the test) if not JSON
      }
      if (lines.size() >= count) break;
      absl::SleepFor(absl::Milliseconds(10));
    }
    EXPECT_EQ(lines.size(), count) << ReadWholeFile(log_file_);
    return lines;
  }

  std::string tokens_file_;
  std::string log_file_;
  std::unique_ptr<Stack> stack_;
};

TEST_P(AccessLogTest, OneLinePerRpcWithCallerUpstreamAndNoContentUnlessAsked) {
  const bool log_content = GetParam();
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    v1::ChatCompletion response;
    ASSERT_TRUE(
        stack_->stub->CreateChatCompletion(&context, UserRequest(kPromptText), &response).ok());
  }
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    v1::CreateChatCompletionRequest request =
        UserRequest(absl::StrCat(kPromptText, " #fake:tokens=4"), "doubao-seed-2.0-lite");
    request.mutable_stream_options()->set_include_usage(true);
    auto reader = stack_->stub->StreamChatCompletion(&context, request);
    v1::ChatCompletionChunk chunk;
    while (reader->Read(&chunk)) {
    }
    ASSERT_TRUE(reader->Finish().ok());
  }
  grpc::Status upstream_error;
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    v1::ChatCompletion response;
    upstream_error =
        stack_->stub->CreateChatCompletion(&context, UserRequest("hi #fake:error=429"), &response);
    ASSERT_EQ(upstream_error.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  {
    grpc::ClientContext context;  // no token
    v1::ChatCompletion response;
    ASSERT_EQ(
        stack_->stub->CreateChatCompletion(&context, UserRequest("hi"), &response).error_code(),
        grpc::StatusCode::UNAUTHENTICATED);
  }

  std::vector<json> lines = Lines(4);
  ASSERT_EQ(lines.size(), 4u);
  const std::string base_url = stack_->emulator->base_url();

  const json& unary = lines[0];
  EXPECT_EQ(unary["method"], "CreateChatCompletion");
  EXPECT_EQ(unary["client"], "reports");
  EXPECT_EQ(unary["model"], "doubao-seed-2.0-pro");
  EXPECT_EQ(unary["code"], "OK");
  EXPECT_EQ(unary["upstream_status"], 200);
  EXPECT_EQ(unary["upstream_base_url"], base_url);
  EXPECT_EQ(unary["upstream_attempts"], 1);
  EXPECT_EQ(unary["retries"], 0);
  EXPECT_FALSE(unary["upstream_request_id"].get<std::string>().empty());
  EXPECT_GT(unary["prompt_tokens"].get<int>(), 0);
  EXPECT_GT(unary["completion_tokens"].get<int>(), 0);
  EXPECT_GE(unary["duration_ms"].get<double>(), 0);
  EXPECT_TRUE(absl::EndsWith(unary["time"].get<std::string>(), "Z"));

  const json& stream = lines[1];
  EXPECT_EQ(stream["method"], "StreamChatCompletion");
  EXPECT_EQ(stream["model"], "doubao-seed-2.0-lite");
  EXPECT_EQ(stream["code"], "OK");
  EXPECT_EQ(stream["completion_tokens"], 4);
  ASSERT_TRUE(stream.contains("ttft_ms"));
  EXPECT_LE(stream["ttft_ms"].get<double>(), stream["duration_ms"].get<double>());

  const json& failed = lines[2];
  EXPECT_EQ(failed["code"], "RESOURCE_EXHAUSTED");
  EXPECT_EQ(failed["upstream_status"], 429);
  EXPECT_EQ(failed["error_reason"], "RATE_LIMIT_ERROR");
  EXPECT_EQ(failed["upstream_request_id"], DecodeDetails(upstream_error).request_info.request_id())
      << "the same id the caller got";

  const json& refused = lines[3];
  EXPECT_TRUE(refused["client"].is_null());
  EXPECT_EQ(refused["code"], "UNAUTHENTICATED");
  EXPECT_EQ(refused["upstream_attempts"], 0);
  EXPECT_FALSE(refused.contains("upstream_status")) << "no upstream call was made";

  const std::string all = ReadWholeFile(log_file_);
  EXPECT_FALSE(absl::StrContains(all, kToken)) << "a token never appears in the log";
  EXPECT_FALSE(absl::StrContains(all, kTestApiKey));
  if (log_content) {
    EXPECT_TRUE(absl::StrContains(unary["request"].get<std::string>(), kPromptText));
    EXPECT_FALSE(unary["response"].get<std::string>().empty());
  } else {
    EXPECT_FALSE(absl::StrContains(all, "purple elephant")) << "no content without --log_content";
    EXPECT_FALSE(unary.contains("request"));
    EXPECT_FALSE(unary.contains("response"));
  }
}

INSTANTIATE_TEST_SUITE_P(LogContent, AccessLogTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "WithContent" : "Default"; });

}  // namespace
}  // namespace seedgate::testing
