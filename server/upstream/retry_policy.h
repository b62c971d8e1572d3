#ifndef SEEDGATE_SERVER_UPSTREAM_RETRY_POLICY_H_
#define SEEDGATE_SERVER_UPSTREAM_RETRY_POLICY_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace seedgate::upstream {

// When an upstream call is made again. A call is retried only while nothing
// has reached the client, so a retry can never duplicate output.
struct RetryPolicy {
  // Attempts in all, the first included; 1 turns retries off.
  int max_attempts = 3;
  // HTTP statuses worth another attempt (429 and the transient 5xx).
  std::vector<int> retry_on_http_statuses = {429, 500, 502, 503};
  // Full jitter: the wait before retry n (1-based) is uniform in
  // [0, min(max_backoff, initial_backoff * 2^(n-1))].
  absl::Duration initial_backoff = absl::Milliseconds(250);
  // Also the longest Retry-After honoured: an upstream that asks for a longer
  // wait gets its error passed to the client, with the wait in RetryInfo.
  absl::Duration max_backoff = absl::Seconds(5);
};

// Why an attempt is made again (a metrics label; see metrics/labels.h).
enum class RetryReason : uint8_t {
  kConnectFailure,  // no connection could be made: nothing reached the upstream
  kConnectionLost,  // the connection broke before any response arrived
  kRateLimited,     // HTTP 429
  kServerError,     // HTTP 500, 502, 503 (as configured)
};

bool IsRetryableHttpStatus(const RetryPolicy& policy, int http_status);

// The full-jitter wait before retry `retry_number` (1 for the first retry),
// given a uniform random number `unit` in [0, 1).
absl::Duration BackoffDelay(const RetryPolicy& policy, int retry_number, double unit);

// A Retry-After header value: delta-seconds ("120") or an HTTP-date
// ("Wed, 21 Oct 2015 07:28:00 GMT"), relative to `now`. nullopt when it is
// neither; a date in the past is zero.
std::optional<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now);

}  // namespace seedgate::upstream

#endif  // SEEDGATE_SERVER_UPSTREAM_RETRY_POLICY_H_
