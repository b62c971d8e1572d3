#ifndef SEEDGATE_TESTS_TRANSLATE_SCHEMA_REQUEST_H_
#define SEEDGATE_TESTS_TRANSLATE_SCHEMA_REQUEST_H_

// Test helpers for the answer checks: requests written in proto JSON, and
// their compiled schemas.

#include <gtest/gtest.h>

#include <string>

#include "google/protobuf/util/json_util.h"
#include "seedgate/v1/chat.pb.h"
#include "server/translate/request_schemas.h"

namespace seedgate::translate::testing {

inline v1::CreateChatCompletionRequest RequestFromJson(const std::string& proto_json) {
  v1::CreateChatCompletionRequest request;
  auto status = google::protobuf::util::JsonStringToMessage(proto_json, &request);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << proto_json;
  return request;
}

inline RequestSchemas SchemasOf(const std::string& proto_json) {
  absl::StatusOr<RequestSchemas> schemas = CompileRequestSchemas(RequestFromJson(proto_json));
  EXPECT_TRUE(schemas.ok()) << schemas.status();
  return schemas.ok() ? *std::move(schemas) : RequestSchemas{};
}

// Two tools: get_weather(city: string, unit: "c"|"f", no other fields) and
// ping() declared without parameters.
inline constexpr char kWeatherTools[] = R"({
  "messages": [{"role": "ROLE_USER", "contentText": "weather?"}],
  "tools": [
    {"function": {"name": "get_weather", "parameters": {
      "type": "object",
      "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}},
      "required": ["city"],
      "additionalProperties": false}}},
    {"function": {"name": "ping"}}
  ]})";

// response_format json_schema "person" {name: string, age: integer >= 0},
// strict, with fail_on_schema_violation.
inline constexpr char kStrictPerson[] = R"({
  "messages": [{"role": "ROLE_USER", "contentText": "who?"}],
  "responseFormat": {"type": "RESPONSE_FORMAT_TYPE_JSON_SCHEMA", "jsonSchema": {
    "name": "person", "strict": true, "schema": {
      "type": "object",
      "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
      "required": ["name", "age"]}}},
  "failOnSchemaViolation": true})";

}  // namespace seedgate::translate::testing

#endif  // SEEDGATE_TESTS_TRANSLATE_SCHEMA_REQUEST_H_
