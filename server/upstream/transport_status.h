#ifndef SEEDGATE_SERVER_UPSTREAM_TRANSPORT_STATUS_H_
#define SEEDGATE_SERVER_UPSTREAM_TRANSPORT_STATUS_H_

#include <curl/curl.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace seedgate::upstream {

// What we know about a transfer that failed below HTTP.
struct TransportFailure {
  CURLcode code = CURLE_OK;
  std::string detail;  // libcurl's error buffer, may be empty
  std::string base_url;
  bool connected = false;     // a connection was made before it failed
  bool deadline_hit = false;  // the RPC's own deadline had passed
  bool streaming = false;
  int64_t chunks_delivered = 0;
};

// Whether the next base URL may be tried: the failure happened before any
// byte could have reached the upstream, so nothing can be generated twice.
bool IsConnectFailure(const TransportFailure& failure);

// UNAVAILABLE for connection trouble, DEADLINE_EXCEEDED for the RPC's
// deadline or --request_timeout, with ErrorInfo{domain "seedgate"} saying which.
absl::Status TransportFailureToStatus(const TransportFailure& failure);

// UNAVAILABLE: the upstream ended a stream without `data: [DONE]`.
absl::Status TruncatedStreamStatus(absl::string_view base_url, int64_t chunks_delivered);

// UNAVAILABLE: a stream's response did not begin within
// --upstream_first_byte_timeout (reason UPSTREAM_FIRST_BYTE_TIMEOUT), or no
// event came for --upstream_idle_timeout (UPSTREAM_IDLE_TIMEOUT).
enum class StreamTimeout { kFirstByte, kIdle };
absl::Status StreamTimeoutStatus(StreamTimeout which, absl::Duration limit,
                                 absl::string_view base_url, int64_t chunks_delivered);

// INTERNAL, reason UPSTREAM_LIMIT_EXCEEDED: the upstream sent more than
// `flag` allows (a huge body or event, endless chunks); the call was aborted.
absl::Status UpstreamLimitStatus(absl::string_view what, absl::string_view flag,
                                 absl::string_view base_url, int64_t chunks_delivered);

// UNAVAILABLE, reason SHUTTING_DOWN: the server stopped before the call
// ended (after --shutdown_grace); another replica can take a retry.
absl::Status ShuttingDownStatus(bool streaming, int64_t chunks_delivered);

}  // namespace seedgate::upstream

#endif  // SEEDGATE_SERVER_UPSTREAM_TRANSPORT_STATUS_H_
