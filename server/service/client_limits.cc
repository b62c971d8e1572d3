#include "server/service/client_limits.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace seedgate::service {

absl::Status SetClientLimit(absl::string_view key, int64_t value, absl::string_view where,
                            ClientLimitOverrides& limits) {
  if (value < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": ", key, " must be a whole number >= 0 (0: no limit)"));
  }
  if (key == "requests_per_minute") {
    limits.requests_per_minute = value;
  } else if (key == "concurrent_streams") {
    limits.concurrent_streams = value;
  } else if (key == "tokens_per_minute") {
    limits.tokens_per_minute = value;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": unknown limit \"", absl::CEscape(key.substr(0, 64)),
                     "\" (expected requests_per_minute, concurrent_streams, tokens_per_minute)"));
  }
  return absl::OkStatus();
}

}  // namespace seedgate::service
