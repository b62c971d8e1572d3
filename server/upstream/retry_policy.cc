#include "server/upstream/retry_policy.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"

namespace seedgate::upstream {

bool IsRetryableHttpStatus(const RetryPolicy& policy, int http_status) {
  return std::find(policy.retry_on_http_statuses.begin(), policy.retry_on_http_statuses.end(),
                   http_status) != policy.retry_on_http_statuses.end();
}

absl::Duration BackoffDelay(const RetryPolicy& policy, int retry_number, double unit) {
  // 2^30 times any sensible initial backoff is past any max_backoff.
  const int doublings = std::clamp(retry_number - 1, 0, 30);
  const absl::Duration ceiling =
      std::min(policy.max_backoff, policy.initial_backoff * static_cast<double>(1LL << doublings));
  return ceiling * std::clamp(unit, 0.0, 1.0);
}

std::optional<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now) {
  value = absl::StripAsciiWhitespace(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), absl::ascii_isdigit)) {
    int64_t seconds = 0;
    if (!absl::SimpleAtoi(value, &seconds)) return absl::InfiniteDuration();  // absurdly long
    return absl::Seconds(seconds);
  }
  // RFC 9110 IMF-fixdate, the form servers send.
  absl::Time when;
  std::string error;
  if (!absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", std::string(value), absl::UTCTimeZone(), &when,
                       &error)) {
    return std::nullopt;
  }
  return std::max(absl::ZeroDuration(), when - now);
}

}  // namespace seedgate::upstream
