#ifndef SEEDGATE_SERVER_UPSTREAM_TRANSPORT_STATUS_H_
#define SEEDGATE_SERVER_UPSTREAM_TRANSPORT_STATUS_H_

#include <curl/curl.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

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

}  // namespace seedgate::upstream

#endif  // SEEDGATE_SERVER_UPSTREAM_TRANSPORT_STATUS_H_
