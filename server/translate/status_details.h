#ifndef SEEDGATE_SERVER_TRANSLATE_STATUS_DETAILS_H_
#define SEEDGATE_SERVER_TRANSLATE_STATUS_DETAILS_H_

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace seedgate::translate {

// Inside seedgate errors are absl::Status. google.rpc details (ErrorInfo,
// RetryInfo, BadRequest, RequestInfo) travel as payloads keyed by their type
// URL (`type.googleapis.com/google.rpc.ErrorInfo`) holding the serialized
// message, so that the gRPC edge can turn each payload into one
// google.protobuf.Any of google.rpc.Status.details without knowing the types.
void AttachDetail(absl::Status& status, const google::protobuf::Message& detail);

// The detail of type T attached to `status`, if any.
template <typename T>
bool GetDetail(const absl::Status& status, T* detail) {
  auto payload = status.GetPayload("type.googleapis.com/" + T::descriptor()->full_name());
  return payload.has_value() && detail->ParseFromString(std::string(*payload));
}

}  // namespace seedgate::translate

#endif  // SEEDGATE_SERVER_TRANSLATE_STATUS_DETAILS_H_
