// ClientError: a failed seedgate call, with the google.rpc details the server
// put in `grpc-status-details-bin` decoded (see the README's errors table).
#ifndef SEEDGATE_CLIENT_CLIENT_ERROR_H_
#define SEEDGATE_CLIENT_CLIENT_ERROR_H_

#include <grpcpp/support/status.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace seedgate::client {

// One violated rule of an invalid request (google.rpc.BadRequest).
struct FieldViolation {
  std::string field;  // path such as `messages[1].tool_call_id`
  std::string description;
};

struct ClientError {
  grpc::StatusCode code = grpc::StatusCode::UNKNOWN;
  std::string message;

  // google.rpc.ErrorInfo. `reason` is the upstream error type in upper snake
  // case (RATE_LIMIT_ERROR) or one of seedgate's own (INVALID_REQUEST,
  // UPSTREAM_UNREACHABLE, ...); `domain` is `evolink.ai` or `seedgate`.
  bool has_error_info = false;
  std::string reason;
  std::string domain;
  std::map<std::string, std::string> metadata;  // everything ErrorInfo carried
  // The well-known metadata entries, copied out for convenience.
  std::string type;                 // upstream error type, e.g. rate_limit_error
  std::string param;                // the request field the upstream blamed
  int http_status = 0;              // upstream HTTP status; 0 if none
  std::string fallback_suggestion;  // e.g. a model to use instead

  // google.rpc.RetryInfo: how long the upstream asked us to wait.
  std::optional<std::chrono::milliseconds> retry_delay;

  // google.rpc.BadRequest: every rule the request broke.
  std::vector<FieldViolation> violations;

  // google.rpc.RequestInfo (or ErrorInfo's request_id): quote it to support.
  std::string request_id;

  // Decodes `status` (which must not be OK). Details that cannot be parsed are
  // ignored: the code and message are always there.
  static ClientError FromStatus(const grpc::Status& status);
  // An error raised on this side of the wire (bad option, unreadable file).
  static ClientError Local(grpc::StatusCode code, std::string message);

  // "RESOURCE_EXHAUSTED", "UNAVAILABLE", ...
  std::string CodeName() const;

  // Several lines a person can read: the code and message first, then one
  // line per known detail.
  std::string ToString() const;
};

// The canonical name of a gRPC status code ("DEADLINE_EXCEEDED").
std::string StatusCodeName(grpc::StatusCode code);

}  // namespace seedgate::client

#endif  // SEEDGATE_CLIENT_CLIENT_ERROR_H_
