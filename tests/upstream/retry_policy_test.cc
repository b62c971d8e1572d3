#include "server/upstream/retry_policy.h"

#include <gtest/gtest.h>

namespace seedgate::upstream {
namespace {

TEST(RetryPolicyTest, RetryableStatusesAreTheConfiguredOnes) {
  RetryPolicy policy;
  for (int status : {429, 500, 502, 503}) EXPECT_TRUE(IsRetryableHttpStatus(policy, status));
  for (int status : {400, 401, 403, 404, 413, 504}) {
    EXPECT_FALSE(IsRetryableHttpStatus(policy, status)) << status;
  }
  policy.retry_on_http_statuses = {504};
  EXPECT_TRUE(IsRetryableHttpStatus(policy, 504));
  EXPECT_FALSE(IsRetryableHttpStatus(policy, 429));
}

TEST(RetryPolicyTest, BackoffDoublesUnderFullJitterUpToTheCeiling) {
  RetryPolicy policy;
  policy.initial_backoff = absl::Milliseconds(100);
  policy.max_backoff = absl::Milliseconds(1000);
  // unit -> 1 gives the ceiling of each retry; 0 gives no wait at all.
  EXPECT_EQ(BackoffDelay(policy, 1, 1.0), absl::Milliseconds(100));
  EXPECT_EQ(BackoffDelay(policy, 2, 1.0), absl::Milliseconds(200));
  EXPECT_EQ(BackoffDelay(policy, 3, 1.0), absl::Milliseconds(400));
  EXPECT_EQ(BackoffDelay(policy, 4, 1.0), absl::Milliseconds(800));
  EXPECT_EQ(BackoffDelay(policy, 5, 1.0), absl::Milliseconds(1000));
  EXPECT_EQ(BackoffDelay(policy, 500, 1.0), absl::Milliseconds(1000));
  EXPECT_EQ(BackoffDelay(policy, 3, 0.0), absl::ZeroDuration());
  EXPECT_EQ(BackoffDelay(policy, 3, 0.5), absl::Milliseconds(200));
}

TEST(RetryPolicyTest, RetryAfterInSecondsOrAsAnHttpDate) {
  const absl::Time now = absl::FromUnixSeconds(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(ParseRetryAfter("120", now), absl::Seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), absl::ZeroDuration());
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now), absl::Seconds(30));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now), absl::ZeroDuration());
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999", now), absl::InfiniteDuration());
  EXPECT_EQ(ParseRetryAfter("", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-5", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("1.5", now), std::nullopt);
}

}  // namespace
}  // namespace seedgate::upstream
