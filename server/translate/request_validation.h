#ifndef SEEDGATE_SERVER_TRANSLATE_REQUEST_VALIDATION_H_
#define SEEDGATE_SERVER_TRANSLATE_REQUEST_VALIDATION_H_

#include <vector>

#include "absl/status/status.h"
#include "google/rpc/error_details.pb.h"
#include "seedgate/v1/chat.pb.h"

namespace seedgate::translate {

struct ValidationOptions {
  // Which RPC the request came in on: StreamChatCompletion (true) or
  // CreateChatCompletion (false).
  bool streaming = false;
  // Pass model names the reference does not document through to the upstream
  // instead of refusing them (`--allow_unknown_models`).
  bool allow_unknown_models = false;
};

// Every rule of the upstream reference that can be checked without calling
// it, each broken rule reported once with its field path in proto JSON-ish
// notation, e.g. `messages[2].tool_call_id`, `stop.texts.values`.
std::vector<google::rpc::BadRequest::FieldViolation> ValidateRequest(
    const v1::CreateChatCompletionRequest& request, const ValidationOptions& options);

// OK, or INVALID_ARGUMENT whose message summarises the violations and whose
// payloads (see status_details.h) carry a google.rpc.BadRequest with all of
// them and a google.rpc.ErrorInfo{reason: "INVALID_REQUEST", domain: "seedgate"}.
absl::Status CheckRequest(const v1::CreateChatCompletionRequest& request,
                          const ValidationOptions& options);

// That INVALID_ARGUMENT for `violations` (not empty), for checks made
// elsewhere (e.g. schemas that do not compile, request_schemas.h).
absl::Status InvalidRequestError(std::vector<google::rpc::BadRequest::FieldViolation> violations);

}  // namespace seedgate::translate

#endif  // SEEDGATE_SERVER_TRANSLATE_REQUEST_VALIDATION_H_
