#include "server/translate/tool_call_validation.h"

#include "server/translate/json_schema.h"

namespace seedgate::translate {

v1::ArgumentsValidation ValidateToolCallArguments(const RequestSchemas& schemas,
                                                  absl::string_view function_name,
                                                  absl::string_view arguments) {
  v1::ArgumentsValidation validation;
  ParsedJson parsed = ParseJsonText(arguments);
  validation.set_valid_json(parsed.ok);
  auto tool = schemas.tools.find(function_name);
  if (tool == schemas.tools.end()) {
    // Violations of a schema nobody declared would mean nothing.
    validation.set_unknown_tool(true);
    return validation;
  }
  if (!parsed.ok) {
    *validation.add_violations() = std::move(parsed.error);
    return validation;
  }
  if (tool->second.has_value()) {
    for (v1::SchemaViolation& violation : tool->second->Validate(parsed.value)) {
      *validation.add_violations() = std::move(violation);
    }
  }
  validation.set_schema_valid(validation.violations().empty());
  return validation;
}

}  // namespace seedgate::translate
