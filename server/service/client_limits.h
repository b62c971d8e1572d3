#ifndef SEEDGATE_SERVER_SERVICE_CLIENT_LIMITS_H_
#define SEEDGATE_SERVER_SERVICE_CLIENT_LIMITS_H_

#include <cstdint>
#include <optional>
#include <string>

namespace seedgate::service {

// One client's fair-use limits; 0 is no limit.
struct ClientLimits {
  int64_t requests_per_minute = 0;  // chat RPCs started
  int64_t concurrent_streams = 0;   // StreamChatCompletion RPCs open at once
  int64_t tokens_per_minute = 0;    // upstream usage, prompt + completion
};

// Limits a tokens-file entry sets; the rest come from the defaults.
struct ClientLimitOverrides {
  std::optional<int64_t> requests_per_minute;
  std::optional<int64_t> concurrent_streams;
  std::optional<int64_t> tokens_per_minute;

  ClientLimits Over(const ClientLimits& defaults) const {
    return {requests_per_minute.value_or(defaults.requests_per_minute),
            concurrent_streams.value_or(defaults.concurrent_streams),
            tokens_per_minute.value_or(defaults.tokens_per_minute)};
  }
};

// Who is calling, once authenticated. Never holds the credential itself.
struct Caller {
  std::string name;
  ClientLimits limits;
};

}  // namespace seedgate::service

#endif  // SEEDGATE_SERVER_SERVICE_CLIENT_LIMITS_H_
