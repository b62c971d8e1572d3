#ifndef SEEDGATE_SERVER_SERVICE_UPSTREAM_KEY_H_
#define SEEDGATE_SERVER_SERVICE_UPSTREAM_KEY_H_

#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace seedgate::service {

// The upstream API key in use, replaceable while running (a rotated
// --api_key_file). Every key it ever held stays on the list of secrets that
// are redacted from what callers see. Thread-safe.
class UpstreamKey {
 public:
  explicit UpstreamKey(std::string key) { Set(std::move(key)); }

  std::string Get() const {
    absl::MutexLock lock(&mu_);
    return current_;
  }
  void Set(std::string key) {
    absl::MutexLock lock(&mu_);
    if (!key.empty()) every_key_.push_back(key);
    current_ = std::move(key);
  }
  std::vector<std::string> EveryKey() const {
    absl::MutexLock lock(&mu_);
    return every_key_;
  }

 private:
  mutable absl::Mutex mu_;
  std::string current_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> every_key_ ABSL_GUARDED_BY(mu_);
};

}  // namespace seedgate::service

#endif  // SEEDGATE_SERVER_SERVICE_UPSTREAM_KEY_H_
