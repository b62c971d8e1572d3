#include "server/translate/status_details.h"

#include <gtest/gtest.h>

#include "google/rpc/error_details.pb.h"

namespace seedgate::translate {
namespace {

TEST(StatusDetailsTest, PayloadIsTheSerializedMessageUnderItsTypeUrl) {
  absl::Status status = absl::UnavailableError("down");
  google::rpc::ErrorInfo info;
  info.set_reason("R");
  info.set_domain("d");
  (*info.mutable_metadata())["k"] = "v";
  AttachDetail(status, info);

  const auto payload = status.GetPayload("type.googleapis.com/google.rpc.ErrorInfo");
  ASSERT_TRUE(payload.has_value());
  EXPECT_EQ(std::string(*payload), info.SerializeAsString());

  google::rpc::ErrorInfo read;
  ASSERT_TRUE(GetDetail(status, &read));
  EXPECT_EQ(read.reason(), "R");
  EXPECT_EQ(read.domain(), "d");
  EXPECT_EQ(read.metadata().at("k"), "v");
}

TEST(StatusDetailsTest, SeveralDetailTypesLiveSideBySide) {
  absl::Status status = absl::ResourceExhaustedError("slow down");
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(30);
  AttachDetail(status, retry);
  google::rpc::RequestInfo request_info;
  request_info.set_request_id("abc");
  AttachDetail(status, request_info);

  google::rpc::RetryInfo read_retry;
  ASSERT_TRUE(GetDetail(status, &read_retry));
  EXPECT_EQ(read_retry.retry_delay().seconds(), 30);
  google::rpc::RequestInfo read_request;
  ASSERT_TRUE(GetDetail(status, &read_request));
  EXPECT_EQ(read_request.request_id(), "abc");
  google::rpc::BadRequest absent;
  EXPECT_FALSE(GetDetail(status, &absent));
}

TEST(StatusDetailsTest, AttachingTheSameTypeAgainReplacesIt) {
  absl::Status status = absl::InternalError("x");
  google::rpc::ErrorInfo first;
  first.set_reason("FIRST");
  AttachDetail(status, first);
  google::rpc::ErrorInfo second;
  second.set_reason("SECOND");
  AttachDetail(status, second);
  google::rpc::ErrorInfo read;
  ASSERT_TRUE(GetDetail(status, &read));
  EXPECT_EQ(read.reason(), "SECOND");
}

}  // namespace
}  // namespace seedgate::translate
