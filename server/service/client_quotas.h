#ifndef SEEDGATE_SERVER_SERVICE_CLIENT_QUOTAS_H_
#define SEEDGATE_SERVER_SERVICE_CLIENT_QUOTAS_H_

#include <functional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/metrics/seedgate_metrics.h"
#include "server/service/client_limits.h"

namespace seedgate::service {

// Fair use between clients: each caller's requests per minute, streams open
// at once and upstream tokens per minute (its ClientLimits; 0 is no limit).
//
// The per-minute limits are token buckets that hold a minute's allowance and
// refill continuously, so a client may burst up to its limit and then goes
// at the limit's pace. Tokens are known only after an RPC (from the
// upstream's usage): they are charged then, and a client in debt is refused
// until the bucket refills past zero.
//
// Past a limit: RESOURCE_EXHAUSTED with RetryInfo (when the limit lets the
// call through again) and ErrorInfo{reason "CLIENT_QUOTA_EXCEEDED", domain
// "seedgate", metadata limit, client}. Thread-safe.
class ClientQuotas {
 public:
  using Clock = std::function<absl::Time()>;

  // `period` is a minute except in tests; `metrics` (nullable) counts the
  // refusals by client and limit.
  explicit ClientQuotas(
      metrics::SeedgateMetrics* metrics, absl::Duration period = absl::Minutes(1),
      Clock clock = [] { return absl::Now(); });

  // Counts one RPC (a stream when `stream`) of `caller`, or says why not.
  // After an OK, the RPC calls Done once when it ends.
  absl::Status Admit(const Caller& caller, bool stream);
  // The RPC ended having used `tokens` upstream tokens.
  void Done(const Caller& caller, bool stream, int64_t tokens);

 private:
  struct Bucket {
    double level = 0;
    absl::Time updated;
    bool started = false;
    // Refills at capacity per period, up to capacity.
    void Refill(double capacity, absl::Duration period, absl::Time now);
  };
  struct State {
    Bucket requests;
    Bucket tokens;
    int64_t streams = 0;
  };

  absl::Status Refuse(const Caller& caller, int limit_index, int64_t limit,
                      absl::Duration retry_after);

  metrics::SeedgateMetrics* const metrics_;
  const absl::Duration period_;
  const Clock clock_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, State> clients_ ABSL_GUARDED_BY(mu_);
};

}  // namespace seedgate::service

#endif  // SEEDGATE_SERVER_SERVICE_CLIENT_QUOTAS_H_
