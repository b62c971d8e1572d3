#ifndef SEEDGATE_SERVER_TRANSLATE_TOOL_CALL_VALIDATION_H_
#define SEEDGATE_SERVER_TRANSLATE_TOOL_CALL_VALIDATION_H_

#include "absl/strings/string_view.h"
#include "seedgate/v1/chat.pb.h"
#include "server/translate/request_schemas.h"

namespace seedgate::translate {

// The check of one complete tool call: `arguments` (the whole JSON text the
// model produced) parsed and validated against the `parameters` of the
// request's tool named `function_name`. A name the request did not declare
// gives unknown_tool (valid_json is still reported).
v1::ArgumentsValidation ValidateToolCallArguments(const RequestSchemas& schemas,
                                                  absl::string_view function_name,
                                                  absl::string_view arguments);

}  // namespace seedgate::translate

#endif  // SEEDGATE_SERVER_TRANSLATE_TOOL_CALL_VALIDATION_H_
