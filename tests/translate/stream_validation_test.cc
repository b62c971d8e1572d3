#include "server/translate/stream_validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/translate/response_json.h"
#include "tests/translate/schema_request.h"

namespace seedgate::translate {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::kStrictPerson;
using testing::kWeatherTools;
using testing::SchemasOf;
using ::testing::SizeIs;

// One upstream SSE payload, as the upstream sends it.
v1::ChatCompletionChunk Chunk(const std::string& payload) {
  absl::StatusOr<v1::ChatCompletionChunk> chunk = ChunkFromJson(json::parse(payload));
  EXPECT_TRUE(chunk.ok()) << chunk.status();
  return *std::move(chunk);
}

std::string ToolStart(int index, const std::string& id, const std::string& name) {
  return R"({"id":"021","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"","role":"assistant","tool_calls":[{"index":)" +
         std::to_string(index) + R"(,"id":")" + id + R"(","type":"function","function":{"name":")" +
         name + R"(","arguments":""}}]}}]})";
}

std::string ToolArgs(int index, const std::string& fragment) {
  return R"({"id":"021","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"","tool_calls":[{"index":)" +
         std::to_string(index) + R"(,"function":{"arguments":)" + json(fragment).dump() +
         R"(}}]}}]})";
}

std::string Finish(const std::string& reason) {
  return R"({"id":"021","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":""},"finish_reason":")" +
         reason + R"("}]})";
}

std::string Content(const std::string& text) {
  return R"({"id":"021","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":)" +
         json(text).dump() + R"(}}]})";
}

// Feeds `payloads` through a validator; returns the chunks as they would be
// sent and every record made.
struct Fed {
  std::vector<v1::ChatCompletionChunk> chunks;
  std::vector<ValidationRecord> records;
  absl::Status strict_status;
};
Fed Feed(const RequestSchemas& schemas, const std::vector<std::string>& payloads) {
  Fed fed;
  StreamValidator validator(schemas);
  for (const std::string& payload : payloads) {
    v1::ChatCompletionChunk chunk = Chunk(payload);
    for (const ValidationRecord& record : validator.Observe(chunk)) fed.records.push_back(record);
    fed.chunks.push_back(std::move(chunk));
  }
  fed.strict_status = validator.strict_status();
  return fed;
}

// Splits `text` into pieces of `size` bytes, the way the upstream streams
// arguments a few characters at a time.
std::vector<std::string> Pieces(const std::string& text, size_t size) {
  std::vector<std::string> pieces;
  for (size_t i = 0; i < text.size(); i += size) pieces.push_back(text.substr(i, size));
  return pieces;
}

MATCHER_P(Outcome, outcome, "") { return arg.outcome == outcome; }

TEST(StreamValidatorTest, ArgumentsSplitOverManyChunksAreCheckedAtTheFinish) {
  RequestSchemas schemas = SchemasOf(kWeatherTools);
  std::vector<std::string> payloads = {ToolStart(0, "call_1", "get_weather")};
  for (const std::string& piece : Pieces(R"( {"city": "Paris", "unit": "c"})", 3)) {
    payloads.push_back(ToolArgs(0, piece));
  }
  payloads.push_back(Finish("tool_calls"));
  Fed fed = Feed(schemas, payloads);

  for (size_t i = 0; i + 1 < fed.chunks.size(); ++i) {
    EXPECT_THAT(fed.chunks[i].choices(0).tool_call_validations(), IsEmpty()) << i;
    EXPECT_FALSE(fed.chunks[i].choices(0).has_content_validation()) << i;
  }
  const v1::ChunkChoice& last = fed.chunks.back().choices(0);
  ASSERT_THAT(last.tool_call_validations(), SizeIs(1));
  const v1::ToolCallValidation& validation = last.tool_call_validations(0);
  EXPECT_EQ(validation.index(), 0);
  EXPECT_EQ(validation.id(), "call_1");
  EXPECT_EQ(validation.name(), "get_weather");
  EXPECT_TRUE(validation.arguments_validation().valid_json());
  EXPECT_TRUE(validation.arguments_validation().schema_valid());
  EXPECT_FALSE(last.has_content_validation()) << "a text answer's content is not checked";
  EXPECT_THAT(fed.records, ElementsAre(Outcome(ValidationOutcome::kValid)));
}

TEST(StreamValidatorTest, ParallelCallsInterleavedAreCheckedEachByIndex) {
  RequestSchemas schemas = SchemasOf(kWeatherTools);
  Fed fed =
      Feed(schemas, {ToolStart(0, "call_a", "get_weather"), ToolStart(1, "call_b", "get_weather"),
                     ToolStart(2, "call_c", "lookup"), ToolArgs(1, R"({"ci)"),
                     ToolArgs(0, R"({"city")"), ToolArgs(1, R"(ty": 5})"),
                     ToolArgs(0, R"(: "Oslo"})"), ToolArgs(2, "{}"), Finish("tool_calls")});
  const v1::ChunkChoice& last = fed.chunks.back().choices(0);
  ASSERT_THAT(last.tool_call_validations(), SizeIs(3));
  EXPECT_EQ(last.tool_call_validations(0).id(), "call_a");
  EXPECT_TRUE(last.tool_call_validations(0).arguments_validation().schema_valid());
  EXPECT_EQ(last.tool_call_validations(1).id(), "call_b");
  const v1::ArgumentsValidation& wrong_type = last.tool_call_validations(1).arguments_validation();
  EXPECT_TRUE(wrong_type.valid_json());
  EXPECT_FALSE(wrong_type.schema_valid());
  ASSERT_THAT(wrong_type.violations(), SizeIs(1));
  EXPECT_EQ(wrong_type.violations(0).pointer(), "/city");
  EXPECT_TRUE(last.tool_call_validations(2).arguments_validation().unknown_tool());
  EXPECT_THAT(fed.records, ElementsAre(Outcome(ValidationOutcome::kValid),
                                       Outcome(ValidationOutcome::kSchemaViolation),
                                       Outcome(ValidationOutcome::kUnknownTool)));
}

TEST(StreamValidatorTest, FinishReasonInTheChunkOfTheLastFragment) {
  // Some upstreams put finish_reason on the chunk with the last piece.
  RequestSchemas schemas = SchemasOf(kWeatherTools);
  std::string last_piece = ToolArgs(0, R"(ris"})");
  last_piece.replace(last_piece.rfind("}]}"), 3, R"(},"finish_reason":"tool_calls"}]})");
  last_piece.replace(last_piece.find(R"(}}]}},"finish)"), 13, R"(}}]},"finish)");
  Fed fed = Feed(
      schemas, {ToolStart(0, "call_1", "get_weather"), ToolArgs(0, R"({"city": "Pa)"), last_piece});
  ASSERT_EQ(fed.chunks.back().choices(0).finish_reason(), v1::FINISH_REASON_TOOL_CALLS);
  ASSERT_THAT(fed.chunks.back().choices(0).tool_call_validations(), SizeIs(1));
  EXPECT_TRUE(
      fed.chunks.back().choices(0).tool_call_validations(0).arguments_validation().schema_valid());
}

TEST(StreamValidatorTest, TruncatedArgumentsAreInvalidJson) {
  RequestSchemas schemas = SchemasOf(kWeatherTools);
  Fed fed = Feed(schemas, {ToolStart(0, "call_1", "get_weather"), ToolArgs(0, R"({"city": "Pa)"),
                           Finish("length")});
  const v1::ArgumentsValidation& v =
      fed.chunks.back().choices(0).tool_call_validations(0).arguments_validation();
  EXPECT_FALSE(v.valid_json());
  EXPECT_THAT(fed.records, ElementsAre(Outcome(ValidationOutcome::kInvalidJson)));
}

TEST(StreamValidatorTest, ARepeatedNameIsNotAppended) {
  RequestSchemas schemas = SchemasOf(kWeatherTools);
  std::string again = ToolArgs(0, R"("Rome"})");
  again.replace(again.find(R"("function":{)"), 12, R"("function":{"name":"get_weather",)");
  Fed fed = Feed(schemas, {ToolStart(0, "call_1", "get_weather"), ToolArgs(0, R"({"city": )"),
                           again, Finish("tool_calls")});
  const v1::ToolCallValidation& v = fed.chunks.back().choices(0).tool_call_validations(0);
  EXPECT_EQ(v.name(), "get_weather");
  EXPECT_TRUE(v.arguments_validation().schema_valid());
}

TEST(StreamValidatorTest, StructuredContentIsAssembledAndCheckedAtTheFinish) {
  RequestSchemas schemas = SchemasOf(kStrictPerson);
  std::vector<std::string> payloads;
  for (const std::string& piece : Pieces(R"({"name": "Ann", "age": 30})", 4)) {
    payloads.push_back(Content(piece));
  }
  payloads.push_back(Finish("stop"));
  Fed fed = Feed(schemas, payloads);
  const v1::ChunkChoice& last = fed.chunks.back().choices(0);
  ASSERT_TRUE(last.has_content_validation());
  EXPECT_TRUE(last.content_validation().schema_valid());
  EXPECT_THAT(last.tool_call_validations(), IsEmpty());
  EXPECT_TRUE(fed.strict_status.ok());
  EXPECT_THAT(fed.records, ElementsAre(Outcome(ValidationOutcome::kValid)));
}

TEST(StreamValidatorTest, StrictViolationBecomesTheStreamStatus) {
  RequestSchemas schemas = SchemasOf(kStrictPerson);
  Fed fed = Feed(schemas, {Content(R"({"name": )"), Content(R"("Ann"})"), Finish("stop")});
  const v1::ChunkChoice& last = fed.chunks.back().choices(0);
  EXPECT_TRUE(last.content_validation().valid_json());
  EXPECT_FALSE(last.content_validation().schema_valid());
  EXPECT_EQ(fed.strict_status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(fed.records, ElementsAre(Outcome(ValidationOutcome::kSchemaViolation)));
}

TEST(StreamValidatorTest, AChoiceThatNeverFinishesIsNeverChecked) {
  RequestSchemas schemas = SchemasOf(kStrictPerson);
  Fed fed = Feed(schemas, {Content(R"({"name": )")});
  EXPECT_THAT(fed.records, IsEmpty());
  EXPECT_TRUE(fed.strict_status.ok());
}

TEST(StreamValidatorTest, UsageOnlyChunksPassUntouched) {
  RequestSchemas schemas = SchemasOf(kWeatherTools);
  Fed fed = Feed(schemas, {R"({"id":"021","object":"chat.completion.chunk","choices":[],
                               "usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}})"});
  EXPECT_THAT(fed.records, IsEmpty());
  EXPECT_EQ(fed.chunks[0].usage().total_tokens(), 7);
}

}  // namespace
}  // namespace seedgate::translate
