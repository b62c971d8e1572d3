#include "server/translate/content_validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "google/rpc/error_details.pb.h"
#include "server/translate/status_details.h"
#include "tests/translate/schema_request.h"

namespace seedgate::translate {
namespace {

using ::testing::HasSubstr;
using testing::kStrictPerson;
using testing::SchemasOf;
using ::testing::SizeIs;

constexpr char kJsonObject[] = R"({
  "messages": [{"role": "ROLE_USER", "contentText": "x"}],
  "responseFormat": {"type": "RESPONSE_FORMAT_TYPE_JSON_OBJECT"}})";

TEST(ContentValidationTest, TextAnswersAreNotChecked) {
  RequestSchemas schemas =
      SchemasOf(R"({"messages": [{"role": "ROLE_USER", "contentText": "x"}]})");
  EXPECT_FALSE(ShouldValidateContent(schemas, "hello", false));
}

TEST(ContentValidationTest, ToolCallOnlyAnswersAreNotChecked) {
  RequestSchemas schemas = SchemasOf(kJsonObject);
  EXPECT_FALSE(ShouldValidateContent(schemas, " \n", true));
  EXPECT_TRUE(ShouldValidateContent(schemas, "{}", true));
  EXPECT_TRUE(ShouldValidateContent(schemas, "", false));
}

TEST(ContentValidationTest, JsonObjectWantsAnObject) {
  RequestSchemas schemas = SchemasOf(kJsonObject);
  v1::ContentValidation ok = ValidateContent(schemas, R"( {"answer": "42"} )");
  EXPECT_TRUE(ok.valid_json());
  EXPECT_TRUE(ok.schema_valid());

  v1::ContentValidation array = ValidateContent(schemas, "[1, 2]");
  EXPECT_TRUE(array.valid_json());
  EXPECT_FALSE(array.schema_valid());
  ASSERT_THAT(array.violations(), SizeIs(1));
  EXPECT_THAT(array.violations(0).message(), HasSubstr("is array"));

  v1::ContentValidation prose = ValidateContent(schemas, "Sure! Here is the JSON: {");
  EXPECT_FALSE(prose.valid_json());
  EXPECT_FALSE(prose.schema_valid());
}

TEST(ContentValidationTest, JsonSchemaIsApplied) {
  RequestSchemas schemas = SchemasOf(kStrictPerson);
  EXPECT_TRUE(ValidateContent(schemas, R"({"name": "Ann", "age": 30})").schema_valid());
  v1::ContentValidation bad = ValidateContent(schemas, R"({"name": "Ann", "age": -1})");
  EXPECT_TRUE(bad.valid_json());
  EXPECT_FALSE(bad.schema_valid());
  ASSERT_THAT(bad.violations(), SizeIs(1));
  EXPECT_EQ(bad.violations(0).pointer(), "/age");
}

TEST(StrictContentStatusTest, FailedPreconditionWithEveryViolation) {
  RequestSchemas schemas = SchemasOf(kStrictPerson);
  v1::ContentValidation bad = ValidateContent(schemas, R"({"age": "old"})");
  absl::Status status = StrictContentStatus(schemas, 0, bad);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("\"person\""));
  EXPECT_THAT(status.message(), HasSubstr("2 violations"));
  EXPECT_THAT(status.message(), HasSubstr("/age: "));
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(GetDetail(status, &bad_request));
  ASSERT_EQ(bad_request.field_violations_size(), 2);
  std::set<std::string> fields;
  for (const auto& v : bad_request.field_violations()) fields.insert(v.field());
  EXPECT_EQ(fields, (std::set<std::string>{"", "/age"}));
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(GetDetail(status, &info));
  EXPECT_EQ(info.reason(), "SCHEMA_VIOLATION");
  EXPECT_EQ(info.domain(), "seedgate");
  EXPECT_EQ(info.metadata().at("schema"), "person");
  EXPECT_EQ(info.metadata().at("choice_index"), "0");
}

TEST(StrictContentStatusTest, InvalidJsonFailsToo) {
  RequestSchemas schemas = SchemasOf(kStrictPerson);
  absl::Status status = StrictContentStatus(schemas, 2, ValidateContent(schemas, "{\"name\":"));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("not valid JSON"));
  EXPECT_THAT(status.message(), HasSubstr("choice 2"));
}

TEST(StrictContentStatusTest, OkWhenValidOrNotAsked) {
  RequestSchemas schemas = SchemasOf(kStrictPerson);
  EXPECT_TRUE(
      StrictContentStatus(schemas, 0, ValidateContent(schemas, R"({"name": "A", "age": 1})")).ok());
  schemas.fail_on_violation = false;
  EXPECT_TRUE(StrictContentStatus(schemas, 0, ValidateContent(schemas, "nope")).ok());
}

}  // namespace
}  // namespace seedgate::translate
