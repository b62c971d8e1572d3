#include "server/service/client_limits.h"

#include <algorithm>

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
    // A misspelt limit name is shown; anything else is not: it might be (part of) a token, from
    // a tokens file given as the limits file.
    const bool looks_like_a_name =
        key.size() <= 32 && std::all_of(key.begin(), key.end(),
                                        [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": unknown limit", looks_like_a_name ? absl::StrCat(" \"", key, "\"") : "",
        " (expected requests_per_minute, concurrent_streams, tokens_per_minute)"));
  }
  return absl::OkStatus();
}

}  // namespace seedgate::service
