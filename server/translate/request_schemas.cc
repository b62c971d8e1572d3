#include "server/translate/request_schemas.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/translate/request_validation.h"
#include "server/translate/struct_json.h"

namespace seedgate::translate {

absl::StatusOr<RequestSchemas> CompileRequestSchemas(
    const v1::CreateChatCompletionRequest& request) {
  RequestSchemas schemas;
  std::vector<google::rpc::BadRequest::FieldViolation> violations;
  auto compile = [&](const google::protobuf::Struct& schema,
                     const std::string& field) -> std::optional<CompiledSchema> {
    absl::StatusOr<CompiledSchema> compiled = CompiledSchema::Compile(StructToJson(schema));
    if (compiled.ok()) return *std::move(compiled);
    google::rpc::BadRequest::FieldViolation violation;
    violation.set_field(field);
    violation.set_description(std::string(compiled.status().message()));
    violations.push_back(std::move(violation));
    return std::nullopt;
  };

  for (int i = 0; i < request.tools_size(); ++i) {
    const v1::FunctionDefinition& function = request.tools(i).function();
    std::optional<CompiledSchema> parameters;
    if (function.has_parameters()) {
      parameters =
          compile(function.parameters(), absl::StrCat("tools[", i, "].function.parameters"));
    }
    schemas.tools.emplace(function.name(), std::move(parameters));
  }

  const v1::ResponseFormat& format = request.response_format();
  if (format.type() == v1::RESPONSE_FORMAT_TYPE_JSON_OBJECT) {
    schemas.content_format = ContentFormat::kJsonObject;
  } else if (format.type() == v1::RESPONSE_FORMAT_TYPE_JSON_SCHEMA) {
    schemas.content_format = ContentFormat::kJsonSchema;
    const v1::JsonSchema& json_schema = format.json_schema();
    schemas.content_schema = compile(json_schema.schema(), "response_format.json_schema.schema");
    schemas.content_schema_name = json_schema.name();
    schemas.strict = json_schema.has_strict() && json_schema.strict();
    schemas.fail_on_violation = schemas.strict && request.fail_on_schema_violation();
  }

  if (!violations.empty()) return InvalidRequestError(std::move(violations));
  return schemas;
}

}  // namespace seedgate::translate
