#ifndef SEEDGATE_SERVER_TRANSLATE_CONTENT_VALIDATION_H_
#define SEEDGATE_SERVER_TRANSLATE_CONTENT_VALIDATION_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "seedgate/v1/chat.pb.h"
#include "server/translate/request_schemas.h"

namespace seedgate::translate {

// Whether a choice's content is checked: under json_object / json_schema,
// unless the choice answered with tool calls only (no content beyond
// whitespace), where there is no structured answer to check.
bool ShouldValidateContent(const RequestSchemas& schemas, absl::string_view content,
                           bool has_tool_calls);

// The check of a choice's whole content: json_object wants a JSON object,
// json_schema wants the schema satisfied. Call only when
// ShouldValidateContent.
v1::ContentValidation ValidateContent(const RequestSchemas& schemas, absl::string_view content);

// With RequestSchemas::fail_on_violation and a content that fails its check:
// FAILED_PRECONDITION, message e.g. `the answer (choice 0) does not satisfy
// response_format.json_schema "person" (strict): 2 violations: /age: ...`,
// with google.rpc.BadRequest (field = JSON pointer, description = message)
// and google.rpc.ErrorInfo{reason: "SCHEMA_VIOLATION", domain: "seedgate",
// metadata: schema, choice_index}. OK otherwise.
absl::Status StrictContentStatus(const RequestSchemas& schemas, int choice_index,
                                 const v1::ContentValidation& validation);

}  // namespace seedgate::translate

#endif  // SEEDGATE_SERVER_TRANSLATE_CONTENT_VALIDATION_H_
