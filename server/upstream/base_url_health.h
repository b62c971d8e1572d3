#ifndef SEEDGATE_SERVER_UPSTREAM_BASE_URL_HEALTH_H_
#define SEEDGATE_SERVER_UPSTREAM_BASE_URL_HEALTH_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace seedgate::upstream {

// When a base URL is taken out of rotation.
struct EjectionPolicy {
  // Failed attempts in a row (transport failures and 5xx) that eject a base
  // URL; 0 never ejects.
  int consecutive_failures = 5;
  // How long it stays out. Then one call probes it: a success brings it back,
  // a failure ejects it again for twice as long (up to 8 times this).
  absl::Duration ejection_time = absl::Seconds(30);
};

// Outlier detection over the configured base URLs, shared by every call.
// Thread-safe.
class BaseUrlHealth {
 public:
  // Told (outside the lock) each time a base URL is ejected.
  using EjectionListener = std::function<void(size_t index)>;

  BaseUrlHealth(size_t count, EjectionPolicy policy, EjectionListener on_ejected = nullptr);

  // The order in which to try the base URLs for a call: `preferred` with the
  // ejected ones moved to the end (they are still tried when all else fails).
  std::vector<size_t> Order(const std::vector<size_t>& preferred, absl::Time now);

  void OnSuccess(size_t index);
  void OnFailure(size_t index, absl::Time now);

  bool ejected(size_t index, absl::Time now) const;

 private:
  struct State {
    int consecutive_failures = 0;
    int ejections_in_a_row = 0;
    absl::Time ejected_until = absl::InfinitePast();
  };

  const EjectionPolicy policy_;
  const EjectionListener on_ejected_;
  mutable absl::Mutex mu_;
  std::vector<State> states_ ABSL_GUARDED_BY(mu_);
};

}  // namespace seedgate::upstream

#endif  // SEEDGATE_SERVER_UPSTREAM_BASE_URL_HEALTH_H_
