#ifndef SEEDGATE_SERVER_SERVICE_GRPC_STATUS_H_
#define SEEDGATE_SERVER_SERVICE_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace seedgate::service {

// The gRPC edge of our errors: the same code and message, and every
// google.rpc detail attached inside (translate/status_details.h) as one Any
// of a google.rpc.Status in the grpc-status-details-bin trailer, which every
// gRPC language decodes. `secrets` (the upstream key) are replaced by
// "[redacted]" wherever they appear, in case an upstream echoes one back.
grpc::Status ToGrpcStatus(const absl::Status& status, const std::vector<std::string>& secrets = {});

}  // namespace seedgate::service

#endif  // SEEDGATE_SERVER_SERVICE_GRPC_STATUS_H_
