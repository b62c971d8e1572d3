#include "server/translate/completion_validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "server/translate/response_json.h"
#include "tests/translate/schema_request.h"

namespace seedgate::translate {
namespace {

using nlohmann::json;
using testing::kStrictPerson;
using testing::kWeatherTools;
using testing::SchemasOf;
using ::testing::SizeIs;

v1::ChatCompletion Completion(const std::string& body) {
  absl::StatusOr<v1::ChatCompletion> completion = CompletionFromJson(json::parse(body));
  EXPECT_TRUE(completion.ok()) << completion.status();
  return *std::move(completion);
}

TEST(ValidateCompletionTest, EveryToolCallGetsItsValidation) {
  RequestSchemas schemas = SchemasOf(kWeatherTools);
  // A recorded shape: content null, arguments as JSON text with a leading
  // space, one call with an undeclared field.
  v1::ChatCompletion completion = Completion(R"({
    "id": "021", "object": "chat.completion", "model": "doubao-seed-2-0-pro-260215",
    "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
      "role": "assistant", "content": null, "tool_calls": [
        {"id": "call_1", "type": "function",
         "function": {"name": "get_weather", "arguments": " {\"city\": \"Paris\"}"}},
        {"id": "call_2", "type": "function",
         "function": {"name": "get_weather", "arguments": "{\"city\": \"Oslo\", \"days\": 3}"}}]}}]})");
  CompletionValidation result = ValidateCompletion(schemas, completion);
  const auto& calls = completion.choices(0).message().tool_calls();
  ASSERT_THAT(calls, SizeIs(2));
  EXPECT_TRUE(calls[0].arguments_validation().schema_valid());
  EXPECT_FALSE(calls[1].arguments_validation().schema_valid());
  EXPECT_THAT(calls[1].arguments_validation().violations(0).message(),
              ::testing::HasSubstr("'days'"));
  EXPECT_FALSE(completion.choices(0).has_content_validation());
  ASSERT_THAT(result.records, SizeIs(2));
  EXPECT_EQ(result.records[0].outcome, ValidationOutcome::kValid);
  EXPECT_EQ(result.records[1].outcome, ValidationOutcome::kSchemaViolation);
  EXPECT_EQ(result.records[1].subject, ValidationSubject::kToolArguments);
  EXPECT_TRUE(result.strict_status.ok());
}

TEST(ValidateCompletionTest, ArgumentsSentAsAnObjectAreCheckedToo) {
  RequestSchemas schemas = SchemasOf(kWeatherTools);
  v1::ChatCompletion completion = Completion(R"({"choices": [{"index": 0, "message": {
      "role": "assistant", "tool_calls": [{"id": "c", "type": "function",
      "function": {"name": "get_weather", "arguments": {"city": "Rome"}}}]}}]})");
  ValidateCompletion(schemas, completion);
  EXPECT_TRUE(completion.choices(0).message().tool_calls(0).arguments_validation().schema_valid());
}

TEST(ValidateCompletionTest, StructuredContentAndStrictStatus) {
  RequestSchemas schemas = SchemasOf(kStrictPerson);
  v1::ChatCompletion completion = Completion(R"({"choices": [
      {"index": 0, "message": {"role": "assistant", "content": "{\"name\": \"Ann\", \"age\": 3}"}},
      {"index": 1, "message": {"role": "assistant", "content": "{\"name\": \"Bob\"}"}}]})");
  CompletionValidation result = ValidateCompletion(schemas, completion);
  EXPECT_TRUE(completion.choices(0).content_validation().schema_valid());
  EXPECT_FALSE(completion.choices(1).content_validation().schema_valid());
  ASSERT_THAT(result.records, SizeIs(2));
  EXPECT_EQ(result.records[1].subject, ValidationSubject::kContent);
  EXPECT_EQ(result.strict_status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(result.strict_status.message(), ::testing::HasSubstr("choice 1"));
}

}  // namespace
}  // namespace seedgate::translate
