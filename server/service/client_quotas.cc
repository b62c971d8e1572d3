#include "server/service/client_quotas.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/rpc/error_details.pb.h"
#include "server/translate/status_details.h"

namespace seedgate::service {
namespace {

enum LimitIndex { kRequests = 0, kStreams = 1, kTokens = 2 };  // as metrics::kQuotaLimits

// A stream slot frees when some stream ends, which nothing here can predict.
constexpr absl::Duration kStreamRetry = absl::Seconds(1);

}  // namespace

ClientQuotas::ClientQuotas(metrics::SeedgateMetrics* metrics, absl::Duration period, Clock clock)
    : metrics_(metrics), period_(period), clock_(std::move(clock)) {}

void ClientQuotas::Bucket::Refill(double capacity, absl::Duration period, absl::Time now) {
  if (!started) {
    level = capacity;
    updated = now;
    started = true;
    return;
  }
  const double elapsed = absl::FDivDuration(now - updated, period);
  level = std::min(capacity, level + std::max(0.0, elapsed) * capacity);
  updated = now;
}

absl::Status ClientQuotas::Admit(const Caller& caller, bool stream) {
  const ClientLimits& limits = caller.limits;
  const bool limit_streams = stream && limits.concurrent_streams > 0;
  if (limits.requests_per_minute <= 0 && limits.tokens_per_minute <= 0 && !limit_streams) {
    return absl::OkStatus();  // nothing to count
  }
  int refused = -1;
  int64_t limit = 0;
  absl::Duration retry_after;
  {
    absl::MutexLock lock(&mu_);
    State& state = clients_[caller.name];
    const absl::Time now = clock_();
    if (limit_streams && state.streams >= limits.concurrent_streams) {
      refused = kStreams;
      limit = limits.concurrent_streams;
      retry_after = kStreamRetry;
    }
    if (refused < 0 && limits.tokens_per_minute > 0) {
      const double capacity = static_cast<double>(limits.tokens_per_minute);
      state.tokens.Refill(capacity, period_, now);
      if (state.tokens.level <= 0) {
        refused = kTokens;
        limit = limits.tokens_per_minute;
        // Until the debt is paid and a token more is available.
        retry_after = period_ * ((1 - state.tokens.level) / capacity);
      }
    }
    if (refused < 0 && limits.requests_per_minute > 0) {
      const double capacity = static_cast<double>(limits.requests_per_minute);
      state.requests.Refill(capacity, period_, now);
      if (state.requests.level < 1) {
        refused = kRequests;
        limit = limits.requests_per_minute;
        retry_after = period_ * ((1 - state.requests.level) / capacity);
      } else {
        state.requests.level -= 1;
      }
    }
    if (refused < 0 && stream) ++state.streams;
  }
  if (refused < 0) return absl::OkStatus();
  return Refuse(caller, refused, limit, retry_after);
}

void ClientQuotas::Done(const Caller& caller, bool stream, int64_t tokens) {
  const ClientLimits& limits = caller.limits;
  const bool charge = limits.tokens_per_minute > 0 && tokens > 0;
  const bool counted = limits.requests_per_minute > 0 || limits.tokens_per_minute > 0 ||
                       (stream && limits.concurrent_streams > 0);
  if (!counted) return;
  absl::MutexLock lock(&mu_);
  State& state = clients_[caller.name];
  if (stream && state.streams > 0) --state.streams;
  if (charge) {
    state.tokens.Refill(static_cast<double>(limits.tokens_per_minute), period_, clock_());
    state.tokens.level -= static_cast<double>(tokens);
  }
}

absl::Status ClientQuotas::Refuse(const Caller& caller, int limit_index, int64_t limit,
                                  absl::Duration retry_after) {
  if (metrics_ != nullptr) metrics_->client(caller.name).quota_rejections[limit_index]->Increment();
  const absl::string_view limit_name = metrics::kQuotaLimits[limit_index];
  // Whole milliseconds, rounded up: retrying on the dot succeeds.
  retry_after = absl::Ceil(retry_after, absl::Milliseconds(1));
  std::string what;
  switch (limit_index) {
    case kRequests:
      what = absl::StrCat(limit, " requests per minute");
      break;
    case kStreams:
      what = absl::StrCat(limit, " streams open at once");
      break;
    default:
      what = absl::StrCat(limit, " tokens per minute");
      break;
  }
  absl::Status status = absl::ResourceExhaustedError(
      absl::StrFormat("client %s is past its limit of %s (%s); retry in %.3gs", caller.name, what,
                      limit_name, absl::ToDoubleSeconds(retry_after)));
  google::rpc::ErrorInfo info;
  info.set_reason("CLIENT_QUOTA_EXCEEDED");
  info.set_domain("seedgate");
  (*info.mutable_metadata())["limit"] = std::string(limit_name);
  (*info.mutable_metadata())["limit_value"] = absl::StrCat(limit);
  (*info.mutable_metadata())["client"] = caller.name;
  translate::AttachDetail(status, info);
  google::rpc::RetryInfo retry;
  const int64_t ms = absl::ToInt64Milliseconds(retry_after);
  retry.mutable_retry_delay()->set_seconds(ms / 1000);
  retry.mutable_retry_delay()->set_nanos(static_cast<int32_t>(ms % 1000) * 1000000);
  translate::AttachDetail(status, retry);
  return status;
}

}  // namespace seedgate::service
