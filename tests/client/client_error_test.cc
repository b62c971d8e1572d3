// ClientError: google.rpc details in a grpc::Status, decoded and printed.

#include "client/client_error.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace seedgate::client {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

grpc::Status RateLimited() {
  google::rpc::Status rpc;
  rpc.set_code(static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED));
  rpc.set_message("Rate limit exceeded");
  google::rpc::ErrorInfo info;
  info.set_reason("RATE_LIMIT_ERROR");
  info.set_domain("evolink.ai");
  (*info.mutable_metadata())["type"] = "rate_limit_error";
  (*info.mutable_metadata())["http_status"] = "429";
  (*info.mutable_metadata())["fallback_suggestion"] = "retry after 60 seconds";
  (*info.mutable_metadata())["code"] = "rate_limit";
  rpc.add_details()->PackFrom(info);
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(7);
  rpc.add_details()->PackFrom(retry);
  google::rpc::RequestInfo request;
  request.set_request_id("req-123");
  rpc.add_details()->PackFrom(request);
  return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, rpc.message(), rpc.SerializeAsString());
}

TEST(ClientErrorTest, DecodesErrorInfoRetryInfoAndRequestInfo) {
  ClientError error = ClientError::FromStatus(RateLimited());
  EXPECT_EQ(error.code, grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(error.CodeName(), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(error.message, "Rate limit exceeded");
  EXPECT_TRUE(error.has_error_info);
  EXPECT_EQ(error.reason, "RATE_LIMIT_ERROR");
  EXPECT_EQ(error.domain, "evolink.ai");
  EXPECT_EQ(error.type, "rate_limit_error");
  EXPECT_EQ(error.http_status, 429);
  EXPECT_EQ(error.fallback_suggestion, "retry after 60 seconds");
  EXPECT_EQ(error.metadata.at("code"), "rate_limit");
  ASSERT_TRUE(error.retry_delay.has_value());
  EXPECT_EQ(error.retry_delay->count(), 7000);
  EXPECT_EQ(error.request_id, "req-123");
}

TEST(ClientErrorTest, ToStringShowsEveryDetailOnItsOwnLine) {
  std::string text = ClientError::FromStatus(RateLimited()).ToString();
  EXPECT_THAT(text, HasSubstr("RESOURCE_EXHAUSTED: Rate limit exceeded\n"));
  EXPECT_THAT(text, HasSubstr("\n  reason: RATE_LIMIT_ERROR (domain evolink.ai)"));
  EXPECT_THAT(text, HasSubstr("\n  upstream: type rate_limit_error http 429"));
  EXPECT_THAT(text, HasSubstr("\n  suggestion: retry after 60 seconds"));
  EXPECT_THAT(text, HasSubstr("\n  code: rate_limit"));
  EXPECT_THAT(text, HasSubstr("\n  retry after: 7s"));
  EXPECT_THAT(text, HasSubstr("\n  request id: req-123"));
}

TEST(ClientErrorTest, DecodesBadRequestViolations) {
  google::rpc::Status rpc;
  google::rpc::BadRequest bad;
  auto* v = bad.add_field_violations();
  v->set_field("messages[1].tool_call_id");
  v->set_description("required on tool messages");
  v = bad.add_field_violations();
  v->set_field("temperature");
  v->set_description("must be in [0, 2]");
  rpc.add_details()->PackFrom(bad);
  ClientError error = ClientError::FromStatus(
      grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "invalid request", rpc.SerializeAsString()));
  ASSERT_EQ(error.violations.size(), 2u);
  EXPECT_EQ(error.violations[0].field, "messages[1].tool_call_id");
  EXPECT_EQ(error.violations[1].description, "must be in [0, 2]");
  EXPECT_FALSE(error.has_error_info);
  EXPECT_THAT(error.ToString(),
              HasSubstr("violations:\n    messages[1].tool_call_id: required on tool messages\n"
                        "    temperature: must be in [0, 2]"));
}

TEST(ClientErrorTest, StatusWithoutOrWithGarbledDetailsKeepsCodeAndMessage) {
  ClientError plain = ClientError::FromStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down"));
  EXPECT_EQ(plain.ToString(), "UNAVAILABLE: down");
  ClientError garbled = ClientError::FromStatus(
      grpc::Status(grpc::StatusCode::INTERNAL, "oops", std::string("\xff\xff\xff", 3)));
  EXPECT_EQ(garbled.code, grpc::StatusCode::INTERNAL);
  EXPECT_EQ(garbled.message, "oops");
  EXPECT_THAT(garbled.ToString(), Not(HasSubstr("reason")));
}

TEST(ClientErrorTest, SubSecondRetryDelays) {
  google::rpc::Status rpc;
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(1);
  retry.mutable_retry_delay()->set_nanos(500000000);
  rpc.add_details()->PackFrom(retry);
  ClientError error = ClientError::FromStatus(
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "busy", rpc.SerializeAsString()));
  EXPECT_EQ(error.retry_delay->count(), 1500);
  EXPECT_THAT(error.ToString(), HasSubstr("retry after: 1.500s"));
}

}  // namespace
}  // namespace seedgate::client
