#ifndef SEEDGATE_SERVER_SERVICE_ADMISSION_H_
#define SEEDGATE_SERVER_SERVICE_ADMISSION_H_

#include <atomic>

#include "absl/status/status.h"

namespace seedgate::service {

// Caps the chat RPCs in flight (--max_concurrent_rpcs), so that a flood of
// callers meets a clear RESOURCE_EXHAUSTED instead of exhausting memory.
class Admission {
 public:
  explicit Admission(int max_in_flight) : max_in_flight_(max_in_flight) {}

  // Takes a slot, or says why not: RESOURCE_EXHAUSTED with RetryInfo and
  // ErrorInfo{reason "TOO_MANY_RPCS", domain "seedgate"}.
  absl::Status Enter();
  // Gives back a slot taken by a successful Enter.
  void Leave() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }

 private:
  const int max_in_flight_;
  std::atomic<int> in_flight_{0};
};

}  // namespace seedgate::service

#endif  // SEEDGATE_SERVER_SERVICE_ADMISSION_H_
