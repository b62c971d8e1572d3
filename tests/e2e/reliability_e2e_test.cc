// Reliability under upstream faults, as a gRPC caller and the emulator see it:
// retries that never duplicate output, base-URL fallback and ejection,
// stream timeouts, limits on what the upstream may send, and shutdown.

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/e2e/stack.h"
#include "tests/support/http_client.h"
#include "tests/support/prometheus_text.h"

namespace seedgate::testing {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Requests the emulator received whose body mentions `marker`.
int RequestsWith(const fake_upstream::Emulator& emulator, const std::string& marker) {
  int n = 0;
  for (const auto& request : emulator.recent_requests()) {
    if (absl::StrContains(request.body, marker)) ++n;
  }
  return n;
}

// With #fake:number_tokens=1 the content tokens are "t0 t1 ...": each must
// come exactly once, in order (nothing lost, nothing delivered twice).
void ExpectNumberedOnce(const std::string& content, int expected_tokens) {
  std::vector<std::string> words = absl::StrSplit(content, ' ', absl::SkipEmpty());
  ASSERT_EQ(static_cast<int>(words.size()), expected_tokens) << content;
  for (int i = 0; i < expected_tokens; ++i) {
    EXPECT_EQ(words[i], absl::StrCat("t", i)) << content;
  }
}

double Metric(const Stack& stack, const std::string& name,
              const std::map<std::string, std::string>& labels) {
  HttpResult result =
      HttpGet("http://127.0.0.1:" + std::to_string(stack.server->metrics_port()) + "/metrics");
  EXPECT_EQ(result.status, 200);
  auto series = SamplesByKey(ParsePrometheusText(result.body));
  auto it = series.find(SeriesKey(name, labels));
  return it == series.end() ? -1 : it->second;
}

config::ServerConfig FastRetries() {
  config::ServerConfig config;
  config.upstream_retry_initial_backoff = absl::Milliseconds(20);
  config.upstream_retry_max_backoff = absl::Seconds(2);
  return config;
}

grpc::Status Unary(Stack& stack, const v1::CreateChatCompletionRequest& request,
                   v1::ChatCompletion* response = nullptr) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  v1::ChatCompletion ignored;
  return stack.stub->CreateChatCompletion(&context, request, response ? response : &ignored);
}

// --- retries ---------------------------------------------------------------

TEST(RetryTest, RateLimitedWithRetryAfterIsRetriedAfterTheWait) {
  auto stack = Stack::Start({}, FastRetries());
  ASSERT_NE(stack, nullptr);
  const std::string text =
      "retry-429 #fake:error=429 #fake:retry_after=1 #fake:times=1 #fake:number_tokens=1 "
      "#fake:tokens=8";
  const auto start = Clock::now();
  StreamResult stream = ReadStream(*stack->stub, UserRequest(text));
  const auto took = Clock::now() - start;
  ASSERT_TRUE(stream.status.ok()) << stream.status.error_message();
  ExpectNumberedOnce(stream.content, 8);
  EXPECT_EQ(RequestsWith(*stack->emulator, "retry-429"), 2);
  EXPECT_GE(took, milliseconds(950)) << "Retry-After: 1 was honoured";
  EXPECT_EQ(Metric(*stack, "seedgate_upstream_retries_total", {{"reason", "rate_limited"}}), 1);
}

TEST(RetryTest, ServiceUnavailableTwiceThenSuccess) {
  auto stack = Stack::Start({}, FastRetries());
  ASSERT_NE(stack, nullptr);
  for (bool streaming : {false, true}) {
    SCOPED_TRACE(streaming ? "stream" : "unary");
    const std::string marker = streaming ? "retry-503-stream" : "retry-503-unary";
    const std::string text =
        marker + " #fake:error=503 #fake:times=2 #fake:number_tokens=1 #fake:tokens=6";
    std::string content;
    if (streaming) {
      StreamResult stream = ReadStream(*stack->stub, UserRequest(text));
      ASSERT_TRUE(stream.status.ok()) << stream.status.error_message();
      content = stream.content;
    } else {
      v1::ChatCompletion response;
      grpc::Status status = Unary(*stack, UserRequest(text), &response);
      ASSERT_TRUE(status.ok()) << status.error_message();
      content = response.choices(0).message().content();
    }
    ExpectNumberedOnce(content, 6);
    EXPECT_EQ(RequestsWith(*stack->emulator, marker), 3);
  }
  EXPECT_EQ(Metric(*stack, "seedgate_upstream_retries_total", {{"reason", "server_error"}}), 4);
}

TEST(RetryTest, GivesUpAfterMaxAttemptsWithTheUpstreamError) {
  config::ServerConfig config = FastRetries();
  config.upstream_max_attempts = 3;
  auto stack = Stack::Start({}, config);
  ASSERT_NE(stack, nullptr);
  grpc::Status status = Unary(*stack, UserRequest("always-502 #fake:error=502"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(DecodeDetails(status).error_info.reason(), "UPSTREAM_ERROR");
  EXPECT_EQ(RequestsWith(*stack->emulator, "always-502"), 3);
}

TEST(RetryTest, StatusesOutsideTheRetrySetAreNotRetried) {
  config::ServerConfig config = FastRetries();
  config.upstream_retry_on = {503};
  auto stack = Stack::Start({}, config);
  ASSERT_NE(stack, nullptr);
  for (int code : {400, 429, 500}) {
    const std::string marker = absl::StrCat("once-", code);
    grpc::Status status = Unary(*stack, UserRequest(absl::StrCat(marker, " #fake:error=", code)));
    EXPECT_FALSE(status.ok());
    EXPECT_EQ(RequestsWith(*stack->emulator, marker), 1) << code;
  }
}

TEST(RetryTest, RetryAfterLongerThanWeWaitGoesToTheCaller) {
  auto stack = Stack::Start({}, FastRetries());  // max back-off 2 s
  ASSERT_NE(stack, nullptr);
  grpc::Status status =
      Unary(*stack, UserRequest("long-wait #fake:error=429 #fake:retry_after=60"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  Details details = DecodeDetails(status);
  ASSERT_TRUE(details.has_retry_info);
  EXPECT_EQ(details.retry_info.retry_delay().seconds(), 60);
  EXPECT_EQ(RequestsWith(*stack->emulator, "long-wait"), 1);
}

TEST(RetryTest, RetriesStopAtTheRpcDeadline) {
  config::ServerConfig config = FastRetries();
  config.upstream_max_attempts = 10;
  auto stack = Stack::Start({}, config);
  ASSERT_NE(stack, nullptr);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + milliseconds(1500));
  v1::ChatCompletion response;
  // Each attempt waits 1 s (Retry-After): only one retry fits in 1.5 s.
  grpc::Status status = stack->stub->CreateChatCompletion(
      &context, UserRequest("deadline-bound #fake:error=503 #fake:retry_after=1"), &response);
  EXPECT_FALSE(status.ok());
  EXPECT_LE(RequestsWith(*stack->emulator, "deadline-bound"), 2);
}

TEST(RetryTest, ConnectionLostBeforeAnyResponseIsRetried) {
  auto stack = Stack::Start({}, FastRetries());
  ASSERT_NE(stack, nullptr);
  v1::ChatCompletion response;
  grpc::Status status = Unary(
      *stack, UserRequest("reset-once #fake:fault=reset #fake:times=1 #fake:tokens=3"), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.choices(0).message().content().empty());
  EXPECT_EQ(RequestsWith(*stack->emulator, "reset-once"), 2);
  EXPECT_EQ(Metric(*stack, "seedgate_upstream_retries_total", {{"reason", "connection_lost"}}), 1);
}

TEST(RetryTest, NothingIsRetriedOnceChunksWentOut) {
  auto stack = Stack::Start({}, FastRetries());
  ASSERT_NE(stack, nullptr);
  StreamResult stream = ReadStream(
      *stack->stub,
      UserRequest(
          "reset-midway #fake:fault=reset #fake:after=3 #fake:times=1 #fake:number_tokens=1"));
  EXPECT_EQ(stream.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  Details details = DecodeDetails(stream.status);
  EXPECT_EQ(details.error_info.reason(), "UPSTREAM_CONNECTION_LOST");
  EXPECT_EQ(details.error_info.metadata().at("chunks_delivered"),
            std::to_string(stream.chunks.size()));
  ExpectNumberedOnce(stream.content, 3);
  EXPECT_EQ(RequestsWith(*stack->emulator, "reset-midway"), 1) << "a retry would repeat output";
}

// --- base URLs: fallback, multimodal order, ejection -------------------------

TEST(BaseUrlTest, PrimaryDownFallsBackAtOnce) {
  config::ServerConfig config;
  config.upstream_base_urls = {"http://127.0.0.1:1", ""};  // the second is set below
  auto emulator_only = Stack::Start();
  ASSERT_NE(emulator_only, nullptr);
  config.upstream_base_urls[1] = emulator_only->emulator->base_url();
  auto stack = Stack::Start({}, config);
  ASSERT_NE(stack, nullptr);
  grpc::Status status = Unary(*stack, UserRequest("fallback please"));
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(RequestsWith(*emulator_only->emulator, "fallback please"), 1);
  EXPECT_EQ(Metric(*stack, "seedgate_upstream_retries_total", {{"reason", "connect_failure"}}), 1);
}

TEST(BaseUrlTest, BothDownIsUnavailableNamingTheLastTried) {
  config::ServerConfig config = FastRetries();
  config.upstream_base_urls = {"http://127.0.0.1:1", "http://127.0.0.1:2"};
  auto stack = Stack::Start({}, config);
  ASSERT_NE(stack, nullptr);
  for (bool streaming : {false, true}) {
    grpc::Status status = streaming ? ReadStream(*stack->stub, UserRequest("hi")).status
                                    : Unary(*stack, UserRequest("hi"));
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
    Details details = DecodeDetails(status);
    EXPECT_EQ(details.error_info.reason(), "UPSTREAM_UNREACHABLE");
    EXPECT_TRUE(absl::StrContains(status.error_message(), "127.0.0.1:")) << status.error_message();
  }
}

TEST(BaseUrlTest, MultimodalRequestsTryTheSecondBaseUrlFirst) {
  auto text_upstream = Stack::Start();
  auto multimodal_upstream = Stack::Start();
  ASSERT_NE(text_upstream, nullptr);
  ASSERT_NE(multimodal_upstream, nullptr);
  config::ServerConfig config;
  config.upstream_base_urls = {text_upstream->emulator->base_url(),
                               multimodal_upstream->emulator->base_url()};
  auto stack = Stack::Start({}, config);
  ASSERT_NE(stack, nullptr);

  ASSERT_TRUE(Unary(*stack, UserRequest("plain text route")).ok());
  v1::CreateChatCompletionRequest image = UserRequest("");
  auto* parts = image.mutable_messages(0)->mutable_content_parts();
  parts->add_parts()->set_text("image route");
  parts->add_parts()->mutable_image_url()->set_url("https://example.com/cat.png");
  grpc::Status status = Unary(*stack, image);
  ASSERT_TRUE(status.ok()) << status.error_message();

  EXPECT_EQ(RequestsWith(*text_upstream->emulator, "plain text route"), 1);
  EXPECT_EQ(RequestsWith(*multimodal_upstream->emulator, "plain text route"), 0);
  EXPECT_EQ(RequestsWith(*multimodal_upstream->emulator, "image route"), 1);
  EXPECT_EQ(RequestsWith(*text_upstream->emulator, "image route"), 0);
}

TEST(BaseUrlTest, AFailingBaseUrlIsEjectedAndThenSkipped) {
  auto healthy = Stack::Start();
  ASSERT_NE(healthy, nullptr);
  config::ServerConfig config = FastRetries();
  const std::string dead = "http://127.0.0.1:1";
  config.upstream_base_urls = {dead, healthy->emulator->base_url()};
  config.upstream_eject_after = 2;
  config.upstream_eject_time = absl::Seconds(60);
  auto stack = Stack::Start({}, config);
  ASSERT_NE(stack, nullptr);

  for (int i = 0; i < 2; ++i) ASSERT_TRUE(Unary(*stack, UserRequest("eject me")).ok());
  EXPECT_EQ(Metric(*stack, "seedgate_upstream_ejections_total", {{"base_url", dead}}), 1);
  EXPECT_EQ(Metric(*stack, "seedgate_upstream_base_url_ejected", {{"base_url", dead}}), 1);
  EXPECT_EQ(Metric(*stack, "seedgate_upstream_base_url_ejected",
                   {{"base_url", healthy->emulator->base_url()}}),
            0);
  const double retries_before =
      Metric(*stack, "seedgate_upstream_retries_total", {{"reason", "connect_failure"}});
  ASSERT_TRUE(Unary(*stack, UserRequest("eject me")).ok());
  EXPECT_EQ(Metric(*stack, "seedgate_upstream_retries_total", {{"reason", "connect_failure"}}),
            retries_before)
      << "the ejected base URL is no longer tried first";
}

// --- stream timeouts ----------------------------------------------------------

TEST(StreamTimeoutTest, NoResponseWithinTheFirstByteTimeout) {
  config::ServerConfig config;
  config.upstream_first_byte_timeout = absl::Milliseconds(400);
  auto stack = Stack::Start({}, config);
  ASSERT_NE(stack, nullptr);
  const auto start = Clock::now();
  StreamResult stream = ReadStream(*stack->stub, UserRequest("#fake:fault=stall_first_byte"));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(stream.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(DecodeDetails(stream.status).error_info.reason(), "UPSTREAM_FIRST_BYTE_TIMEOUT");
  EXPECT_TRUE(stack->emulator->WaitFor(
      [](const fake_upstream::EmulatorStats& s) { return s.streams_aborted_by_client == 1; },
      std::chrono::seconds(5)))
      << "the upstream transfer was closed";
}

TEST(StreamTimeoutTest, SilenceMidStreamHitsTheIdleTimeout) {
  config::ServerConfig config;
  config.upstream_idle_timeout = absl::Milliseconds(400);
  auto stack = Stack::Start({}, config);
  ASSERT_NE(stack, nullptr);
  StreamResult stream = ReadStream(
      *stack->stub, UserRequest("#fake:fault=stall #fake:after=2 #fake:number_tokens=1"));
  EXPECT_EQ(stream.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  Details details = DecodeDetails(stream.status);
  EXPECT_EQ(details.error_info.reason(), "UPSTREAM_IDLE_TIMEOUT");
  EXPECT_EQ(Metric(*stack, "seedgate_errors_total",
                   {{"model", "doubao-seed-2.0-pro"}, {"type", "timeout"}}),
            1);
  EXPECT_EQ(details.error_info.metadata().at("chunks_delivered"),
            std::to_string(stream.chunks.size()));
  ExpectNumberedOnce(stream.content, 2);
  EXPECT_TRUE(stack->emulator->WaitFor(
      [](const fake_upstream::EmulatorStats& s) { return s.streams_aborted_by_client == 1; },
      std::chrono::seconds(5)));
}

TEST(StreamTimeoutTest, ASlowReaderDoesNotTripTheIdleTimeout) {
  config::ServerConfig config;
  config.upstream_idle_timeout = absl::Milliseconds(300);
  auto stack = Stack::Start({}, config);
  ASSERT_NE(stack, nullptr);
  // The upstream sends 40 tokens at once; the reader takes 50 ms a chunk, so
  // the upstream transfer sits paused far longer than the idle timeout.
  grpc::ClientContext context;
  auto reader = stack->stub->StreamChatCompletion(
      &context, UserRequest("#fake:tokens=40 #fake:number_tokens=1"));
  v1::ChatCompletionChunk chunk;
  std::string content;
  while (reader->Read(&chunk)) {
    for (const auto& choice : chunk.choices()) content += choice.delta().content();
    std::this_thread::sleep_for(milliseconds(50));
  }
  grpc::Status status = reader->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
  ExpectNumberedOnce(content, 40);
}

// --- limits on what the upstream may send ------------------------------------

TEST(UpstreamLimitTest, TooManyChunksEndTheStream) {
  config::ServerConfig config;
  config.max_stream_chunks = 5;
  auto stack = Stack::Start({}, config);
  ASSERT_NE(stack, nullptr);
  StreamResult stream = ReadStream(*stack->stub, UserRequest("#fake:tokens=50 #fake:delay_ms=20"));
  EXPECT_EQ(stream.status.error_code(), grpc::StatusCode::INTERNAL);
  Details details = DecodeDetails(stream.status);
  EXPECT_EQ(details.error_info.reason(), "UPSTREAM_LIMIT_EXCEEDED");
  EXPECT_EQ(details.error_info.metadata().at("limit"), "max_stream_chunks");
  EXPECT_EQ(Metric(*stack, "seedgate_errors_total",
                   {{"model", "doubao-seed-2.0-pro"}, {"type", "upstream_limit"}}),
            1);
  EXPECT_EQ(stream.chunks.size(), 5u);
  EXPECT_TRUE(stack->emulator->WaitFor(
      [](const fake_upstream::EmulatorStats& s) { return s.streams_aborted_by_client == 1; },
      std::chrono::seconds(5)));
}

TEST(UpstreamLimitTest, OversizedUnaryAnswerIsRefused) {
  config::ServerConfig config;
  config.max_upstream_response_bytes = 4 << 10;
  auto stack = Stack::Start({}, config);
  ASSERT_NE(stack, nullptr);
  grpc::Status status = Unary(*stack, UserRequest("#fake:tokens=5000"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(DecodeDetails(status).error_info.metadata().at("limit"), "max_upstream_response_bytes");
  // A small answer still fits.
  EXPECT_TRUE(Unary(*stack, UserRequest("#fake:tokens=5")).ok());
}

TEST(UpstreamLimitTest, OversizedEventIsRefused) {
  config::ServerConfig config;
  config.max_upstream_event_bytes = 1 << 10;
  auto stack = Stack::Start({}, config);
  ASSERT_NE(stack, nullptr);
  // Each event carries a token with its 20 most likely alternatives: well
  // over 1 KiB.
  v1::CreateChatCompletionRequest request = UserRequest("#fake:tokens=5");
  request.set_logprobs(true);
  request.set_top_logprobs(20);
  StreamResult stream = ReadStream(*stack->stub, request);
  EXPECT_EQ(stream.status.error_code(), grpc::StatusCode::INTERNAL)
      << stream.status.error_message();
  EXPECT_EQ(DecodeDetails(stream.status).error_info.metadata().at("limit"),
            "max_upstream_event_bytes");
}

// --- shutdown -------------------------------------------------------------------

TEST(ShutdownTest, StreamsStillRunningWhenTheGraceEndsGetUnavailable) {
  auto stack = Stack::Start();
  ASSERT_NE(stack, nullptr);
  grpc::ClientContext context;
  auto reader = stack->stub->StreamChatCompletion(
      &context, UserRequest("#fake:tokens=200 #fake:delay_ms=50 #fake:number_tokens=1"));
  v1::ChatCompletionChunk chunk;
  ASSERT_TRUE(reader->Read(&chunk));  // the stream is under way

  std::thread shutdown([&] { stack->server->Shutdown(absl::Milliseconds(500)); });
  int chunks = 1;
  while (reader->Read(&chunk)) ++chunks;
  grpc::Status status = reader->Finish();
  shutdown.join();

  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  Details details = DecodeDetails(status);
  EXPECT_EQ(details.error_info.reason(), "SHUTTING_DOWN");
  EXPECT_EQ(details.error_info.metadata().at("chunks_delivered"), std::to_string(chunks));
  EXPECT_LT(chunks, 150) << "cut at the end of the grace, not run to the end";
  EXPECT_TRUE(stack->emulator->WaitFor(
      [](const fake_upstream::EmulatorStats& s) { return s.streams_aborted_by_client == 1; },
      std::chrono::seconds(5)))
      << "the upstream transfer was aborted";
}

TEST(ShutdownTest, StreamsFinishWithinTheGraceAndNewCallsAreRefused) {
  auto stack = Stack::Start();
  ASSERT_NE(stack, nullptr);
  grpc::ClientContext context;
  auto reader = stack->stub->StreamChatCompletion(
      &context, UserRequest("#fake:tokens=10 #fake:delay_ms=50 #fake:number_tokens=1"));
  v1::ChatCompletionChunk chunk;
  ASSERT_TRUE(reader->Read(&chunk));
  std::string content;
  for (const auto& choice : chunk.choices()) content += choice.delta().content();

  std::thread shutdown([&] { stack->server->Shutdown(absl::Seconds(30)); });
  std::this_thread::sleep_for(milliseconds(100));
  // A new call on a new connection is turned away while the stream runs on.
  auto fresh = grpc::CreateChannel("127.0.0.1:" + std::to_string(stack->server->port()),
                                   grpc::InsecureChannelCredentials());
  grpc::ClientContext new_context;
  new_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  v1::ChatCompletion response;
  grpc::Status refused = v1::ChatService::NewStub(fresh)->CreateChatCompletion(
      &new_context, UserRequest("too late"), &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();

  while (reader->Read(&chunk)) {
    for (const auto& choice : chunk.choices()) content += choice.delta().content();
  }
  grpc::Status status = reader->Finish();
  shutdown.join();
  EXPECT_TRUE(status.ok()) << status.error_message();
  ExpectNumberedOnce(content, 10);
  EXPECT_EQ(RequestsWith(*stack->emulator, "too late"), 0);
}

}  // namespace
}  // namespace seedgate::testing
