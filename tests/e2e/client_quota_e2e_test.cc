// Per-client limits over real sockets: each one hit, then recovered, while
// another client goes on being served. The limits' period is shortened from
// a minute to two seconds (ServerConfig::quota_period) so that recovery takes
// a moment; the arithmetic is the same.

#include <gtest/gtest.h>

#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/e2e/stack.h"
#include "tests/support/http_client.h"
#include "tests/support/prometheus_text.h"
#include "tests/support/temp_file.h"

namespace seedgate::testing {
namespace {

constexpr char kPaced[] = "tok-paced-11111111111111";
constexpr char kStreamer[] = "tok-streamer-2222222222222";
constexpr char kHungry[] = "tok-hungry-3333333333333";
constexpr char kFree[] = "tok-free-44444444444444444";
constexpr char kDefaulted[] = "tok-defaulted-555555555555";

class ClientQuotaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tokens_file_ = WriteTempFile(
        absl::StrCat("paced ", kPaced, " requests_per_minute=2\n",                             //
                     "streamer ", kStreamer, " concurrent_streams=1 requests_per_minute=0\n",  //
                     "hungry ", kHungry, " tokens_per_minute=20 requests_per_minute=0\n",      //
                     "free ", kFree, " requests_per_minute=0\n",                               //
                     "defaulted ", kDefaulted, "\n"));
    config::ServerConfig config;
    config.client_tokens_file = tokens_file_;
    config.client_auth = "tokens";
    config.metrics_listen = "127.0.0.1:0";
    config.quota_period = kPeriod;
    // A default for clients that set none ("defaulted"); the others
    // override it.
    config.client_requests_per_minute = 1;
    stack_ = Stack::Start({}, config);
    ASSERT_NE(stack_, nullptr);
  }
  void TearDown() override { std::remove(tokens_file_.c_str()); }

  grpc::Status Unary(const std::string& token) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    v1::ChatCompletion response;
    return stack_->stub->CreateChatCompletion(&context, UserRequest("hello"), &response);
  }

  double Metric(const std::string& name, const std::map<std::string, std::string>& labels) {
    HttpResult result =
        HttpGet(absl::StrCat("http://127.0.0.1:", stack_->server->metrics_port(), "/metrics"));
    auto series = SamplesByKey(ParsePrometheusText(result.body));
    auto it = series.find(SeriesKey(name, labels));
    return it == series.end() ? -1 : it->second;
  }

  static constexpr absl::Duration kPeriod = absl::Seconds(2);
  std::string tokens_file_;
  std::unique_ptr<Stack> stack_;
};

// Checks a quota refusal and returns its retry delay.
absl::Duration ExpectRefused(const grpc::Status& status, const std::string& limit) {
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), limit)) << status.error_message();
  Details details = DecodeDetails(status);
  EXPECT_TRUE(details.has_error_info);
  EXPECT_EQ(details.error_info.reason(), "CLIENT_QUOTA_EXCEEDED");
  EXPECT_EQ(details.error_info.domain(), "seedgate");
  EXPECT_EQ(details.error_info.metadata().at("limit"), limit);
  EXPECT_TRUE(details.has_retry_info) << "says when to come back";
  return absl::Seconds(details.retry_info.retry_delay().seconds()) +
         absl::Nanoseconds(details.retry_info.retry_delay().nanos());
}

TEST_F(ClientQuotaTest, RequestsPerMinuteHitThenRecovered) {
  ASSERT_TRUE(Unary(kPaced).ok());
  ASSERT_TRUE(Unary(kPaced).ok());
  absl::Duration retry = ExpectRefused(Unary(kPaced), "requests_per_minute");
  // Two per period: one more is allowed half a period after the burst.
  EXPECT_GT(retry, absl::ZeroDuration());
  EXPECT_LE(retry, kPeriod / 2 + absl::Milliseconds(1));
  EXPECT_EQ(stack_->emulator->stats().requests, 2) << "a refused call costs no upstream call";
  // Another client is not held back by this one.
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Unary(kFree).ok());
  absl::SleepFor(retry);
  EXPECT_TRUE(Unary(kPaced).ok()) << "recovered after the delay RetryInfo gave";
  EXPECT_EQ(Metric("seedgate_client_quota_rejections_total",
                   {{"client", "paced"}, {"limit", "requests_per_minute"}}),
            1);
  EXPECT_EQ(Metric("seedgate_client_rpcs_total", {{"client", "paced"}, {"code", "OK"}}), 3);
}

TEST_F(ClientQuotaTest, TheDefaultLimitAppliesToClientsThatSetNone) {
  // --client_requests_per_minute=1.
  ASSERT_TRUE(Unary(kDefaulted).ok());
  ExpectRefused(Unary(kDefaulted), "requests_per_minute");
}

TEST_F(ClientQuotaTest, ConcurrentStreamsHitThenRecovered) {
  grpc::ClientContext first;
  first.AddMetadata("authorization", absl::StrCat("Bearer ", kStreamer));
  auto reader = stack_->stub->StreamChatCompletion(
      &first, UserRequest("hi #fake:tokens=40 #fake:delay_ms=25"));
  v1::ChatCompletionChunk chunk;
  ASSERT_TRUE(reader->Read(&chunk)) << "the first stream is open";

  grpc::ClientContext second;
  second.AddMetadata("authorization", absl::StrCat("Bearer ", kStreamer));
  auto refused = stack_->stub->StreamChatCompletion(&second, UserRequest("hi"));
  EXPECT_FALSE(refused->Read(&chunk));
  absl::Duration retry = ExpectRefused(refused->Finish(), "concurrent_streams");
  EXPECT_GT(retry, absl::ZeroDuration());
  // Unary calls are not streams.
  EXPECT_TRUE(Unary(kStreamer).ok());

  while (reader->Read(&chunk)) {
  }
  ASSERT_TRUE(reader->Finish().ok());
  // The slot is given back when the server is done with the first stream,
  // a moment after the client saw its end.
  grpc::Status status;
  for (int i = 0; i < 100; ++i) {
    StreamResult again = [&] {
      StreamResult result;
      grpc::ClientContext context;
      context.AddMetadata("authorization", absl::StrCat("Bearer ", kStreamer));
      auto r = stack_->stub->StreamChatCompletion(&context, UserRequest("hi #fake:tokens=3"));
      while (r->Read(&chunk)) result.chunks.push_back(chunk);
      result.status = r->Finish();
      return result;
    }();
    status = again.status;
    if (status.ok()) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_TRUE(status.ok()) << "recovered once the first stream ended: " << status.error_message();
}

TEST_F(ClientQuotaTest, TokensPerMinuteCountedFromUpstreamUsageHitThenRecovered) {
  // Per the emulator: "hello" is 5 prompt tokens, the answer 12: 17 a call.
  ASSERT_TRUE(Unary(kHungry).ok());  // 20 -> 3 left
  ASSERT_TRUE(Unary(kHungry).ok());  // some left before it, in debt after
  absl::Duration retry = ExpectRefused(Unary(kHungry), "tokens_per_minute");
  EXPECT_GT(retry, absl::ZeroDuration());
  EXPECT_LE(retry, kPeriod);
  absl::SleepFor(retry);
  EXPECT_TRUE(Unary(kHungry).ok()) << "recovered after the delay RetryInfo gave";
  EXPECT_EQ(Metric("seedgate_client_quota_rejections_total",
                   {{"client", "hungry"}, {"limit", "tokens_per_minute"}}),
            1);
  EXPECT_EQ(Metric("seedgate_client_tokens_total", {{"client", "hungry"}}), 3 * 17);
}

}  // namespace
}  // namespace seedgate::testing
