#include "server/translate/tool_call_validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "google/rpc/error_details.pb.h"
#include "server/translate/status_details.h"
#include "tests/translate/schema_request.h"

namespace seedgate::translate {
namespace {

using ::testing::HasSubstr;
using testing::kWeatherTools;
using testing::RequestFromJson;
using testing::SchemasOf;
using ::testing::SizeIs;

TEST(ToolCallValidationTest, ValidArguments) {
  RequestSchemas schemas = SchemasOf(kWeatherTools);
  v1::ArgumentsValidation v =
      ValidateToolCallArguments(schemas, "get_weather", R"({"city": "Paris", "unit": "c"})");
  EXPECT_TRUE(v.valid_json());
  EXPECT_TRUE(v.schema_valid());
  EXPECT_FALSE(v.unknown_tool());
  EXPECT_THAT(v.violations(), SizeIs(0));
}

TEST(ToolCallValidationTest, LeadingAndTrailingWhitespaceIsFine) {
  // The upstream has been seen to send " {\"city\": ...}" (a leading space
  // token before the object).
  RequestSchemas schemas = SchemasOf(kWeatherTools);
  v1::ArgumentsValidation v =
      ValidateToolCallArguments(schemas, "get_weather", "  {\"city\": \"Paris\"}\n");
  EXPECT_TRUE(v.valid_json());
  EXPECT_TRUE(v.schema_valid());
}

TEST(ToolCallValidationTest, InvalidJsonIsOneViolationAtTheRoot) {
  RequestSchemas schemas = SchemasOf(kWeatherTools);
  v1::ArgumentsValidation v = ValidateToolCallArguments(schemas, "get_weather", R"({"city": "Par)");
  EXPECT_FALSE(v.valid_json());
  EXPECT_FALSE(v.schema_valid());
  EXPECT_FALSE(v.unknown_tool());
  ASSERT_THAT(v.violations(), SizeIs(1));
  EXPECT_EQ(v.violations(0).pointer(), "");
  EXPECT_THAT(v.violations(0).message(), HasSubstr("not valid JSON"));
}

TEST(ToolCallValidationTest, MissingRequiredFieldEnumAndExtraField) {
  RequestSchemas schemas = SchemasOf(kWeatherTools);
  v1::ArgumentsValidation v =
      ValidateToolCallArguments(schemas, "get_weather", R"({"unit": "kelvin", "country": "FR"})");
  EXPECT_TRUE(v.valid_json());
  EXPECT_FALSE(v.schema_valid());
  ASSERT_THAT(v.violations(), SizeIs(3));
  std::string all;
  for (const auto& violation : v.violations()) {
    all += violation.pointer() + " " + violation.message() + "\n";
  }
  EXPECT_THAT(all, HasSubstr("Missing required property 'city'"));
  EXPECT_THAT(all, HasSubstr("/unit "));
  EXPECT_THAT(all, HasSubstr("'country'"));
}

TEST(ToolCallValidationTest, UnknownToolIsFlaggedWithoutViolations) {
  RequestSchemas schemas = SchemasOf(kWeatherTools);
  v1::ArgumentsValidation v = ValidateToolCallArguments(schemas, "book_flight", R"({"to": "NYC"})");
  EXPECT_TRUE(v.unknown_tool());
  EXPECT_TRUE(v.valid_json());
  EXPECT_FALSE(v.schema_valid());
  EXPECT_THAT(v.violations(), SizeIs(0));

  v1::ArgumentsValidation broken = ValidateToolCallArguments(schemas, "book_flight", "{");
  EXPECT_TRUE(broken.unknown_tool());
  EXPECT_FALSE(broken.valid_json());
}

TEST(ToolCallValidationTest, RequestWithoutToolsMakesEveryCallUnknown) {
  RequestSchemas schemas =
      SchemasOf(R"({"messages": [{"role": "ROLE_USER", "contentText": "x"}]})");
  EXPECT_TRUE(ValidateToolCallArguments(schemas, "get_weather", "{}").unknown_tool());
}

TEST(ToolCallValidationTest, ToolWithoutParametersAcceptsAnyJsonButNotGarbage) {
  RequestSchemas schemas = SchemasOf(kWeatherTools);
  EXPECT_TRUE(ValidateToolCallArguments(schemas, "ping", "{}").schema_valid());
  EXPECT_TRUE(ValidateToolCallArguments(schemas, "ping", R"({"anything": [1]})").schema_valid());
  v1::ArgumentsValidation empty = ValidateToolCallArguments(schemas, "ping", "");
  EXPECT_FALSE(empty.valid_json());
  EXPECT_FALSE(empty.schema_valid());
}

TEST(RequestSchemasTest, ASchemaThatDoesNotCompileIsAnInvalidRequest) {
  v1::CreateChatCompletionRequest request = RequestFromJson(R"({
    "messages": [{"role": "ROLE_USER", "contentText": "x"}],
    "tools": [{"function": {"name": "ok", "parameters": {"type": "object"}}},
              {"function": {"name": "bad", "parameters": {"type": 5}}}],
    "responseFormat": {"type": "RESPONSE_FORMAT_TYPE_JSON_SCHEMA",
                       "jsonSchema": {"name": "r", "schema": {"$ref": "http://x/y.json"}}}})");
  absl::StatusOr<RequestSchemas> schemas = CompileRequestSchemas(request);
  ASSERT_FALSE(schemas.ok());
  EXPECT_EQ(schemas.status().code(), absl::StatusCode::kInvalidArgument);
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(GetDetail(schemas.status(), &bad_request));
  ASSERT_EQ(bad_request.field_violations_size(), 2);
  EXPECT_EQ(bad_request.field_violations(0).field(), "tools[1].function.parameters");
  EXPECT_EQ(bad_request.field_violations(1).field(), "response_format.json_schema.schema");
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(GetDetail(schemas.status(), &info));
  EXPECT_EQ(info.reason(), "INVALID_REQUEST");
}

TEST(RequestSchemasTest, StrictFailureNeedsBothStrictAndTheOption) {
  EXPECT_TRUE(SchemasOf(testing::kStrictPerson).fail_on_violation);
  std::string not_strict = testing::kStrictPerson;
  not_strict.replace(not_strict.find("\"strict\": true"), 14, "\"strict\": false");
  EXPECT_FALSE(SchemasOf(not_strict).fail_on_violation);
  std::string not_asked = testing::kStrictPerson;
  not_asked.replace(not_asked.find("\"failOnSchemaViolation\": true"), 29,
                    "\"failOnSchemaViolation\": false");
  EXPECT_FALSE(SchemasOf(not_asked).fail_on_violation);
}

}  // namespace
}  // namespace seedgate::translate
