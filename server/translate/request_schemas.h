#ifndef SEEDGATE_SERVER_TRANSLATE_REQUEST_SCHEMAS_H_
#define SEEDGATE_SERVER_TRANSLATE_REQUEST_SCHEMAS_H_

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "seedgate/v1/chat.pb.h"
#include "server/translate/json_schema.h"

namespace seedgate::translate {

// What the answer's content must be, from the request's response_format.
enum class ContentFormat { kText, kJsonObject, kJsonSchema };

// The JSON Schemas one request declares, compiled once when its RPC starts
// and then used for every tool call and for the final content of the answer
// (never recompiled per chunk).
struct RequestSchemas {
  // Declared tool name -> its `parameters`; nullopt for a tool declared
  // without parameters (any JSON is accepted).
  std::map<std::string, std::optional<CompiledSchema>, std::less<>> tools;

  ContentFormat content_format = ContentFormat::kText;
  // kJsonSchema: response_format.json_schema's schema, name and strict flag.
  std::optional<CompiledSchema> content_schema;
  std::string content_schema_name;
  bool strict = false;
  // The caller asked for FAILED_PRECONDITION on a violation of a strict
  // json_schema (fail_on_schema_violation, and strict is true).
  bool fail_on_violation = false;
};

// Compiles the schemas of a request that passed ValidateRequest.
// INVALID_ARGUMENT (the same shape as CheckRequest's: BadRequest with one
// violation per schema, e.g. field `tools[1].function.parameters`) when a
// schema cannot be compiled; no upstream call should be made then, since no
// answer could be checked.
absl::StatusOr<RequestSchemas> CompileRequestSchemas(
    const v1::CreateChatCompletionRequest& request);

}  // namespace seedgate::translate

#endif  // SEEDGATE_SERVER_TRANSLATE_REQUEST_SCHEMAS_H_
