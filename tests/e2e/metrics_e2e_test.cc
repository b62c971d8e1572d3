// /metrics after known sequences of calls: exact counter increments, token
// sums equal to the emulator's usage, histograms that moved, bounded labels.

#include <gtest/gtest.h>

#include <set>

#include "server/metrics/labels.h"
#include "tests/e2e/stack.h"
#include "tests/support/http_client.h"
#include "tests/support/prometheus_text.h"

namespace seedgate::testing {
namespace {

using Series = std::map<std::string, double>;

class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config::ServerConfig config;
    config.metrics_listen = "127.0.0.1:0";
    // One attempt per call, so that each error moves the attempt counters
    // once (retries are counted in reliability_e2e_test).
    config.upstream_max_attempts = 1;
    stack_ = Stack::Start({}, config);
    ASSERT_NE(stack_, nullptr);
    ASSERT_GT(stack_->server->metrics_port(), 0);
  }

  std::vector<Sample> Scrape() {
    HttpResult result =
        HttpGet("http://127.0.0.1:" + std::to_string(stack_->server->metrics_port()) + "/metrics");
    EXPECT_EQ(result.status, 200);
    return ParsePrometheusText(result.body);
  }

  // The value of one series now ("" labels may be omitted).
  static double Value(const Series& series, const std::string& name,
                      const std::map<std::string, std::string>& labels) {
    auto it = series.find(SeriesKey(name, labels));
    return it == series.end() ? -1 : it->second;
  }

  // Waits until no RPC is in flight, then scrapes. A finished RPC takes
  // itself off the in-flight gauge last, so a scrape that starts after the
  // gauge read 0 sees everything it recorded (one scrape is not enough: it
  // reads the families one after another while the RPC may be finishing).
  Series ScrapeWhenIdle() {
    for (int i = 0; i < 100; ++i) {
      Series series = SamplesByKey(Scrape());
      bool idle = true;
      for (const char* method : {"CreateChatCompletion", "StreamChatCompletion"}) {
        if (Value(series, "seedgate_rpcs_in_flight", {{"method", method}}) != 0) idle = false;
      }
      if (idle) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return SamplesByKey(Scrape());
  }

  // How much each series moved between two scrapes (only those that did).
  static Series Moved(const Series& before, const Series& after) {
    Series moved;
    for (const auto& [key, value] : after) {
      auto it = before.find(key);
      double old = it == before.end() ? 0 : it->second;
      if (value != old) moved[key] = value - old;
    }
    return moved;
  }

  grpc::Status Unary(const v1::CreateChatCompletionRequest& request,
                     v1::ChatCompletion* response = nullptr) {
    grpc::ClientContext context;
    v1::ChatCompletion ignored;
    return stack_->stub->CreateChatCompletion(&context, request,
                                              response != nullptr ? response : &ignored);
  }

  std::unique_ptr<Stack> stack_;
};

constexpr char kPro[] = "doubao-seed-2.0-pro";
constexpr char kLite[] = "doubao-seed-2.0-lite";

TEST_F(MetricsTest, UnaryCallCountsTokensFromTheUpstreamUsage) {
  Series before = SamplesByKey(Scrape());
  v1::CreateChatCompletionRequest request = UserRequest("count me", kLite);
  request.mutable_thinking()->set_type(v1::THINKING_TYPE_ENABLED);
  v1::ChatCompletion response;
  ASSERT_TRUE(Unary(request, &response).ok());
  Series moved = Moved(before, ScrapeWhenIdle());

  const v1::Usage& usage = response.usage();
  ASSERT_GT(usage.completion_tokens_details().reasoning_tokens(), 0);
  EXPECT_EQ(Value(moved, "seedgate_rpcs_total",
                  {{"method", "CreateChatCompletion"}, {"model", kLite}, {"code", "OK"}}),
            1);
  EXPECT_EQ(Value(moved, "seedgate_tokens_total", {{"model", kLite}, {"type", "prompt"}}),
            usage.prompt_tokens());
  EXPECT_EQ(Value(moved, "seedgate_tokens_total", {{"model", kLite}, {"type", "completion"}}),
            usage.completion_tokens());
  EXPECT_EQ(Value(moved, "seedgate_tokens_total", {{"model", kLite}, {"type", "reasoning"}}),
            usage.completion_tokens_details().reasoning_tokens());
  EXPECT_EQ(Value(moved, "seedgate_rpc_duration_seconds_count",
                  {{"method", "CreateChatCompletion"}, {"model", kLite}}),
            1);
  EXPECT_EQ(
      Value(moved, "seedgate_tokens_per_request_count", {{"model", kLite}, {"type", "prompt"}}), 1);
  EXPECT_EQ(
      Value(moved, "seedgate_upstream_attempts_total", {{"model", kLite}, {"status_class", "2xx"}}),
      1);
  EXPECT_EQ(Value(moved, "seedgate_upstream_request_duration_seconds_count",
                  {{"model", kLite}, {"status_class", "2xx"}}),
            1);
  // Nothing else counted a request or an error.
  for (const auto& [key, delta] : moved) {
    EXPECT_EQ(key.find("seedgate_errors_total"), std::string::npos) << key;
    EXPECT_EQ(key.find("time_to_first_token"), std::string::npos) << "unary has no TTFT: " << key;
  }
}

TEST_F(MetricsTest, StreamRecordsTimeToFirstTokenChunkGapsAndFinalUsage) {
  Series before = SamplesByKey(Scrape());
  v1::CreateChatCompletionRequest request = UserRequest("stream #fake:tokens=6 #fake:delay_ms=20");
  request.mutable_stream_options()->set_include_usage(true);
  StreamResult stream = ReadStream(*stack_->stub, request);
  ASSERT_TRUE(stream.status.ok());
  const v1::Usage& usage = stream.chunks.back().usage();
  ASSERT_GT(usage.completion_tokens(), 0);
  Series moved = Moved(before, ScrapeWhenIdle());

  EXPECT_EQ(Value(moved, "seedgate_rpcs_total",
                  {{"method", "StreamChatCompletion"}, {"model", kPro}, {"code", "OK"}}),
            1);
  EXPECT_EQ(Value(moved, "seedgate_time_to_first_token_seconds_count", {{"model", kPro}}), 1);
  // Six token chunks: five gaps between them.
  EXPECT_EQ(Value(moved, "seedgate_time_between_output_chunks_seconds_count", {{"model", kPro}}),
            5);
  EXPECT_GE(Value(moved, "seedgate_time_between_output_chunks_seconds_sum", {{"model", kPro}}),
            0.05);
  EXPECT_EQ(Value(moved, "seedgate_tokens_total", {{"model", kPro}, {"type", "completion"}}),
            usage.completion_tokens());
  EXPECT_EQ(Value(moved, "seedgate_tokens_total", {{"model", kPro}, {"type", "prompt"}}),
            usage.prompt_tokens());
}

TEST_F(MetricsTest, EveryErrorIsCountedByItsType) {
  Series before = SamplesByKey(Scrape());
  struct Case {
    std::string text;
    bool stream;
    std::string code;
    std::string type;
  };
  std::vector<Case> cases = {
      {"#fake:error=400", false, "INVALID_ARGUMENT", "invalid_request_error"},
      {"#fake:error=401", false, "INTERNAL", "authentication_error"},
      {"#fake:error=402", false, "RESOURCE_EXHAUSTED", "insufficient_quota_error"},
      {"#fake:error=403", true, "PERMISSION_DENIED", "permission_error"},
      {"#fake:error=404", false, "NOT_FOUND", "not_found_error"},
      {"#fake:error=413", false, "INVALID_ARGUMENT", "request_too_large_error"},
      {"#fake:error=429", true, "RESOURCE_EXHAUSTED", "rate_limit_error"},
      {"#fake:error=500", false, "INTERNAL", "internal_server_error"},
      {"#fake:error=502", false, "UNAVAILABLE", "upstream_error"},
      {"#fake:error=503", true, "UNAVAILABLE", "service_unavailable_error"},
      {"#fake:fault=truncate", true, "UNAVAILABLE", "truncated_stream"},
      {"#fake:fault=reset", true, "UNAVAILABLE", "transport"},
      {"#fake:fault=malformed_json", false, "INTERNAL", "malformed_upstream_response"},
  };
  for (const Case& c : cases) {
    if (c.stream) {
      ReadStream(*stack_->stub, UserRequest("x " + c.text));
    } else {
      Unary(UserRequest("x " + c.text));
    }
  }
  v1::CreateChatCompletionRequest invalid = UserRequest("x");
  invalid.set_temperature(5);
  Unary(invalid);
  Series moved = Moved(before, ScrapeWhenIdle());

  std::map<std::string, double> want_errors;
  for (const Case& c : cases) want_errors[c.type] += 1;
  want_errors["validation"] += 1;
  for (const auto& [type, count] : want_errors) {
    EXPECT_EQ(Value(moved, "seedgate_errors_total", {{"model", kPro}, {"type", type}}), count)
        << type;
  }
  double errors = 0;
  for (const auto& [key, delta] : moved) {
    if (key.rfind("seedgate_errors_total{", 0) == 0) errors += delta;
  }
  EXPECT_EQ(errors, cases.size() + 1) << "no error counted twice or under another type";
  EXPECT_EQ(
      Value(moved, "seedgate_rpcs_total",
            {{"method", "CreateChatCompletion"}, {"model", kPro}, {"code", "INVALID_ARGUMENT"}}),
      3);  // 400, 413 and the local validation failure
  EXPECT_EQ(
      Value(moved, "seedgate_upstream_attempts_total", {{"model", kPro}, {"status_class", "4xx"}}),
      7);
  EXPECT_EQ(
      Value(moved, "seedgate_upstream_attempts_total", {{"model", kPro}, {"status_class", "5xx"}}),
      3);
  EXPECT_EQ(Value(moved, "seedgate_upstream_attempts_total",
                  {{"model", kPro}, {"status_class", "transport_error"}}),
            1);
}

TEST_F(MetricsTest, CancelledStreamStillCountsTheTokensAlreadyKnown) {
  Series before = SamplesByKey(Scrape());
  v1::CreateChatCompletionRequest request = UserRequest("long #fake:tokens=200 #fake:delay_ms=30");
  request.mutable_stream_options()->set_chunk_include_usage(true);
  grpc::ClientContext context;
  auto reader = stack_->stub->StreamChatCompletion(&context, request);
  v1::ChatCompletionChunk chunk;
  int64_t seen_completion = 0;
  for (int i = 0; i < 5 && reader->Read(&chunk); ++i) {
    seen_completion = chunk.usage().completion_tokens();
  }
  ASSERT_GT(seen_completion, 0);
  context.TryCancel();
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  ASSERT_TRUE(stack_->emulator->WaitFor(
      [](const fake_upstream::EmulatorStats& s) { return s.streams_aborted_by_client == 1; },
      std::chrono::seconds(2)));
  // The reactor finishes just after the client sees CANCELLED.
  Series moved = Moved(before, ScrapeWhenIdle());
  EXPECT_EQ(Value(moved, "seedgate_client_cancellations_total",
                  {{"method", "StreamChatCompletion"}, {"model", kPro}}),
            1);
  EXPECT_EQ(Value(moved, "seedgate_rpcs_total",
                  {{"method", "StreamChatCompletion"}, {"model", kPro}, {"code", "CANCELLED"}}),
            1);
  EXPECT_EQ(Value(moved, "seedgate_errors_total", {{"model", kPro}, {"type", "cancelled"}}), 1);
  double counted = Value(moved, "seedgate_tokens_total", {{"model", kPro}, {"type", "completion"}});
  EXPECT_GE(counted, seen_completion) << "tokens the client already received were lost";
  EXPECT_LT(counted, 200) << "counted tokens that were never generated";
  EXPECT_EQ(Value(moved, "seedgate_upstream_attempts_total",
                  {{"model", kPro}, {"status_class", "cancelled"}}),
            1);
}

TEST_F(MetricsTest, DeadlineIsCountedAsDeadline) {
  Series before = SamplesByKey(Scrape());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  v1::ChatCompletion response;
  grpc::Status status;
  std::thread call([&] {
    status = stack_->stub->CreateChatCompletion(
        &context, UserRequest("#fake:fault=stall_first_byte"), &response);
  });
  // Only an RPC that reached seedgate can be counted: make sure this one did.
  EXPECT_TRUE(stack_->emulator->WaitFor(
      [](const fake_upstream::EmulatorStats& s) { return s.requests == 1; },
      std::chrono::seconds(3)));
  call.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  Series moved = Moved(before, ScrapeWhenIdle());
  EXPECT_EQ(Value(moved, "seedgate_errors_total", {{"model", kPro}, {"type", "deadline"}}), 1);
  EXPECT_EQ(
      Value(moved, "seedgate_rpcs_total",
            {{"method", "CreateChatCompletion"}, {"model", kPro}, {"code", "DEADLINE_EXCEEDED"}}),
      1);
}

TEST_F(MetricsTest, GaugesShowWhatIsInFlight) {
  grpc::ClientContext context;
  auto reader = stack_->stub->StreamChatCompletion(
      &context, UserRequest("long #fake:tokens=100 #fake:delay_ms=50"));
  v1::ChatCompletionChunk chunk;
  ASSERT_TRUE(reader->Read(&chunk));
  Series during = SamplesByKey(Scrape());
  EXPECT_EQ(Value(during, "seedgate_rpcs_in_flight", {{"method", "StreamChatCompletion"}}), 1);
  EXPECT_EQ(Value(during, "seedgate_upstream_transfers_open", {}), 1);
  context.TryCancel();
  reader->Finish();
  Series after;
  for (int i = 0; i < 50; ++i) {
    after = SamplesByKey(Scrape());
    if (Value(after, "seedgate_upstream_transfers_open", {}) == 0 &&
        Value(after, "seedgate_rpcs_in_flight", {{"method", "StreamChatCompletion"}}) == 0) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(Value(after, "seedgate_rpcs_in_flight", {{"method", "StreamChatCompletion"}}), 0);
  EXPECT_EQ(Value(after, "seedgate_upstream_transfers_open", {}), 0);
}

TEST_F(MetricsTest, AThousandInventedModelNamesAddNoSeries) {
  size_t series_before = Scrape().size();
  for (int i = 0; i < 1000; ++i) {
    Unary(UserRequest("hi", "invented-model-" + std::to_string(i)));
  }
  std::vector<Sample> after = Scrape();
  EXPECT_EQ(after.size(), series_before);
  Series by_key = SamplesByKey(after);
  EXPECT_EQ(Value(by_key, "seedgate_errors_total", {{"model", "other"}, {"type", "validation"}}),
            1000);
}

TEST_F(MetricsTest, EveryLabelValueComesFromAFixedSet) {
  Unary(UserRequest("hi"));
  ReadStream(*stack_->stub, UserRequest("hi #fake:error=429"));
  Unary(UserRequest("hi", "sk-looks-like-a-secret"));
  std::map<std::string, std::set<std::string>> allowed;
  for (auto v : metrics::kMethodNames) allowed["method"].insert(std::string(v));
  for (auto v : metrics::kModelNames) allowed["model"].insert(std::string(v));
  for (auto v : metrics::kCodeNames) allowed["code"].insert(std::string(v));
  for (auto v : metrics::kErrorTypes) allowed["type"].insert(std::string(v));
  for (auto v : metrics::kTokenTypes) allowed["type"].insert(std::string(v));
  for (auto v : metrics::kStatusClasses) allowed["status_class"].insert(std::string(v));
  for (auto v : metrics::kRetryReasons) allowed["reason"].insert(std::string(v));
  allowed["base_url"].insert(stack_->emulator->base_url());  // the operator's list
  // --client_auth=none: every caller is "anonymous".
  allowed["client"] = {"anonymous", "unauthenticated", "other"};
  for (auto v : metrics::kQuotaLimits) allowed["limit"].insert(std::string(v));
  for (auto v : metrics::kValidationSubjects) allowed["subject"].insert(std::string(v));
  for (auto v : metrics::kValidationOutcomes) allowed["outcome"].insert(std::string(v));
  for (const Sample& sample : Scrape()) {
    if (sample.name.rfind("seedgate_", 0) != 0) continue;
    for (const auto& [label, value] : sample.labels) {
      if (label == "le") continue;
      ASSERT_TRUE(allowed.count(label)) << "unexpected label " << label << " on " << sample.name;
      EXPECT_TRUE(allowed[label].count(value))
          << sample.name << " has " << label << "=\"" << value << "\"";
    }
  }
}

}  // namespace
}  // namespace seedgate::testing
