#include "server/upstream/base_url_health.h"

#include <algorithm>

namespace seedgate::upstream {

BaseUrlHealth::BaseUrlHealth(size_t count, EjectionPolicy policy, EjectionListener on_ejected)
    : policy_(policy), on_ejected_(std::move(on_ejected)), states_(count) {}

std::vector<size_t> BaseUrlHealth::Order(const std::vector<size_t>& preferred, absl::Time now) {
  std::vector<size_t> order = preferred;
  absl::MutexLock lock(&mu_);
  std::stable_partition(order.begin(), order.end(),
                        [&](size_t i) { return states_[i].ejected_until <= now; });
  return order;
}

void BaseUrlHealth::OnSuccess(size_t index) {
  absl::MutexLock lock(&mu_);
  State& state = states_[index];
  state.consecutive_failures = 0;
  state.ejections_in_a_row = 0;
  state.ejected_until = absl::InfinitePast();
}

void BaseUrlHealth::OnFailure(size_t index, absl::Time now) {
  if (policy_.consecutive_failures <= 0) return;
  {
    absl::MutexLock lock(&mu_);
    State& state = states_[index];
    const bool probing = state.ejections_in_a_row > 0 && state.ejected_until <= now;
    if (state.ejected_until > now) return;  // already out; a straggler's failure
    if (!probing && ++state.consecutive_failures < policy_.consecutive_failures) return;
    state.consecutive_failures = 0;
    const int doublings = std::min(state.ejections_in_a_row, 3);
    ++state.ejections_in_a_row;
    state.ejected_until = now + policy_.ejection_time * (1 << doublings);
  }
  if (on_ejected_) on_ejected_(index);
}

bool BaseUrlHealth::ejected(size_t index, absl::Time now) const {
  absl::MutexLock lock(&mu_);
  return states_[index].ejected_until > now;
}

}  // namespace seedgate::upstream
