#include "server/translate/request_validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/translate/status_details.h"
#include "tests/translate/text_proto.h"

namespace seedgate::translate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TextProto;
using ::testing::UnorderedElementsAreArray;

constexpr char kUserHi[] = "messages { role: ROLE_USER content_text: 'hi' } ";
constexpr char kWeatherTool[] = "tools { function { name: 'get_weather' } } ";

struct Violation {
  std::string field;
  std::string description;
};

std::vector<Violation> Validate(const std::string& text, ValidationOptions options = {}) {
  std::vector<Violation> out;
  for (const auto& violation :
       ValidateRequest(TextProto<v1::CreateChatCompletionRequest>(text), options)) {
    out.push_back({violation.field(), violation.description()});
  }
  return out;
}

std::vector<std::string> Fields(const std::vector<Violation>& violations) {
  std::vector<std::string> fields;
  for (const Violation& violation : violations) fields.push_back(violation.field);
  return fields;
}

// One broken rule: exactly one violation, on `field`, whose description
// contains `hint`.
struct SingleRuleCase {
  const char* name;
  std::string request;
  std::string field;
  std::string hint;
  ValidationOptions options = {};
};

// Names the case in test output instead of dumping its bytes.
void PrintTo(const SingleRuleCase& c, std::ostream* os) { *os << c.name; }

class SingleRuleTest : public ::testing::TestWithParam<SingleRuleCase> {};

TEST_P(SingleRuleTest, ReportsExactlyThatViolation) {
  const SingleRuleCase& c = GetParam();
  const std::vector<Violation> violations = Validate(c.request, c.options);
  ASSERT_EQ(violations.size(), 1u) << ::testing::PrintToString(Fields(violations));
  EXPECT_EQ(violations[0].field, c.field);
  EXPECT_THAT(violations[0].description, HasSubstr(c.hint));
}

ValidationOptions Streaming() {
  ValidationOptions options;
  options.streaming = true;
  return options;
}

const SingleRuleCase kSingleRuleCases[] = {
    {"UnknownModel", std::string("model: 'gpt-4o' ") + kUserHi, "model",
     "unknown model \"gpt-4o\"; use one of doubao-seed-2.0-pro"},
    {"NoMessages", "model: 'doubao-seed-2.0-pro'", "messages", "at least one message"},
    {"RoleMissing", "messages { content_text: 'hi' }", "messages[0].role", "is required"},
    {"RoleUnknownNumber", "messages { role: 9 content_text: 'hi' }", "messages[0].role",
     "unknown value 9"},
    {"UserWithoutContent", std::string(kUserHi) + "messages { role: ROLE_USER }",
     "messages[1].content", "ROLE_USER message needs content"},
    {"SystemWithoutContent", std::string("messages { role: ROLE_SYSTEM } ") + kUserHi,
     "messages[0].content", "ROLE_SYSTEM message needs content"},
    {"ToolWithoutContent",
     std::string(kUserHi) +
         "messages { role: ROLE_ASSISTANT tool_calls { id: 'c' function { name: 'f' } } } "
         "messages { role: ROLE_TOOL tool_call_id: 'c' }",
     "messages[2].content", "ROLE_TOOL message needs content"},
    {"AssistantWithNeitherContentNorToolCalls",
     std::string(kUserHi) + "messages { role: ROLE_ASSISTANT }", "messages[1].content",
     "content (content_text or content_parts) or tool_calls"},
    {"EmptyPartsList", "messages { role: ROLE_USER content_parts {} }",
     "messages[0].content_parts.parts", "at least one part"},
    {"PartWithNothingSet",
     "messages { role: ROLE_USER content_parts { parts { text: 'a' } parts { text: 'b' } parts {} "
     "} }",
     "messages[0].content_parts.parts[2]", "none of text, image_url, video_url"},
    {"ImageWithoutUrl", "messages { role: ROLE_USER content_parts { parts { image_url {} } } }",
     "messages[0].content_parts.parts[0].image_url.url", "is required"},
    {"ImageDetailUnknownNumber",
     "messages { role: ROLE_USER content_parts { parts { image_url { url: 'u' detail: 7 } } } }",
     "messages[0].content_parts.parts[0].image_url.detail", "unknown value 7"},
    {"VideoWithoutUrl", "messages { role: ROLE_USER content_parts { parts { video_url {} } } }",
     "messages[0].content_parts.parts[0].video_url.url", "is required"},
    {"VideoFpsTooHigh",
     "messages { role: ROLE_USER content_parts { parts { text: 'a' } parts { text: 'b' } parts { "
     "video_url { url: 'v' fps: 6 } } } }",
     "messages[0].content_parts.parts[2].video_url.fps", "6 is outside [0.2, 5]"},
    {"VideoFpsTooLow",
     "messages { role: ROLE_USER content_parts { parts { video_url { url: 'v' fps: 0.1 } } } }",
     "messages[0].content_parts.parts[0].video_url.fps", "0.1 is outside [0.2, 5]"},
    {"VideoFpsNaN",
     "messages { role: ROLE_USER content_parts { parts { video_url { url: 'v' fps: nan } } } }",
     "messages[0].content_parts.parts[0].video_url.fps", "NaN"},
    {"ReasoningContentOnUser",
     "messages { role: ROLE_USER content_text: 'hi' reasoning_content: 'x' }",
     "messages[0].reasoning_content", "only allowed on assistant messages, not on ROLE_USER"},
    {"ToolCallsOnUser",
     "messages { role: ROLE_USER content_text: 'hi' tool_calls { id: 'c' function { name: 'f' } } "
     "}",
     "messages[0].tool_calls", "only allowed on assistant messages"},
    {"ToolMessageWithoutToolCallId",
     std::string(kUserHi) + "messages { role: ROLE_TOOL content_text: 'sunny' }",
     "messages[1].tool_call_id", "is required"},
    {"ToolMessageWithEmptyToolCallId",
     std::string(kUserHi) + "messages { role: ROLE_TOOL content_text: 'sunny' tool_call_id: '' }",
     "messages[1].tool_call_id", "is required"},
    {"ToolCallIdOnUser", "messages { role: ROLE_USER content_text: 'hi' tool_call_id: 'c' }",
     "messages[0].tool_call_id", "only allowed on tool messages"},
    {"AssistantToolCallWithoutId",
     std::string(kUserHi) +
         "messages { role: ROLE_ASSISTANT tool_calls { function { name: 'f' arguments: '{}' } } }",
     "messages[1].tool_calls[0].id", "is required"},
    {"AssistantToolCallWithoutName",
     std::string(kUserHi) + "messages { role: ROLE_ASSISTANT tool_calls { id: 'c' } }",
     "messages[1].tool_calls[0].function.name", "is required"},
    {"AssistantToolCallUnknownType",
     std::string(kUserHi) +
         "messages { role: ROLE_ASSISTANT tool_calls { id: 'c' type: 5 function { name: 'f' } } }",
     "messages[1].tool_calls[0].type", "unknown value 5"},
    {"StreamTrueOnUnaryRpc", std::string(kUserHi) + "stream: true", "stream",
     "call StreamChatCompletion"},
    {"StreamFalseOnStreamingRpc", std::string(kUserHi) + "stream: false", "stream",
     "call CreateChatCompletion", Streaming()},
    {"StreamOptionsOnUnaryRpc", std::string(kUserHi) + "stream_options { include_usage: true }",
     "stream_options", "only allowed on StreamChatCompletion"},
    {"NegativeMaxTokens", std::string(kUserHi) + "max_tokens: -1", "max_tokens", "-1 is negative"},
    {"MaxCompletionTokensTooHigh", std::string(kUserHi) + "max_completion_tokens: 65537",
     "max_completion_tokens", "65537 is outside [0, 65536]"},
    {"MaxCompletionTokensNegative", std::string(kUserHi) + "max_completion_tokens: -5",
     "max_completion_tokens", "-5 is outside [0, 65536]"},
    {"BothMaxTokensAndMaxCompletionTokens",
     std::string(kUserHi) + "max_tokens: 10 max_completion_tokens: 10", "max_completion_tokens",
     "together with max_tokens"},
    {"TemperatureTooHigh", std::string(kUserHi) + "temperature: 2.5", "temperature",
     "2.5 is outside [0, 2]"},
    {"TemperatureNegative", std::string(kUserHi) + "temperature: -0.1", "temperature",
     "-0.1 is outside [0, 2]"},
    {"TemperatureNaN", std::string(kUserHi) + "temperature: nan", "temperature", "NaN"},
    {"TopPTooHigh", std::string(kUserHi) + "top_p: 1.01", "top_p", "1.01 is outside [0, 1]"},
    {"TopPNaN", std::string(kUserHi) + "top_p: nan", "top_p", "NaN"},
    {"FrequencyPenaltyTooLow", std::string(kUserHi) + "frequency_penalty: -2.5",
     "frequency_penalty", "-2.5 is outside [-2, 2]"},
    {"FrequencyPenaltyInfinite", std::string(kUserHi) + "frequency_penalty: inf",
     "frequency_penalty", "inf is outside [-2, 2]"},
    {"PresencePenaltyTooHigh", std::string(kUserHi) + "presence_penalty: 3", "presence_penalty",
     "3 is outside [-2, 2]"},
    {"PresencePenaltyNaN", std::string(kUserHi) + "presence_penalty: nan", "presence_penalty",
     "NaN"},
    {"TooManyStopStrings",
     std::string(kUserHi) + "stop { texts { values: ['a', 'b', 'c', 'd', 'e'] } }",
     "stop.texts.values", "5 stop strings given; at most 4"},
    {"EmptyStopStringInList", std::string(kUserHi) + "stop { texts { values: ['a', ''] } }",
     "stop.texts.values[1]", "is empty"},
    {"EmptyStopString", std::string(kUserHi) + "stop { text: '' }", "stop.text", "is empty"},
    {"TopLogprobsTooHigh", std::string(kUserHi) + "logprobs: true top_logprobs: 21", "top_logprobs",
     "21 is outside [0, 20]"},
    {"TopLogprobsWithoutLogprobs", std::string(kUserHi) + "top_logprobs: 3", "top_logprobs",
     "only be set when logprobs is true"},
    {"TopLogprobsWithLogprobsFalse", std::string(kUserHi) + "logprobs: false top_logprobs: 3",
     "top_logprobs", "only be set when logprobs is true"},
    {"LogitBiasTooHigh", std::string(kUserHi) + "logit_bias { key: 123 value: 101 }",
     "logit_bias[123]", "bias 101 is outside [-100, 100]"},
    {"LogitBiasTooLow", std::string(kUserHi) + "logit_bias { key: 9 value: -101 }", "logit_bias[9]",
     "bias -101 is outside [-100, 100]"},
    {"LogitBiasNegativeKey", std::string(kUserHi) + "logit_bias { key: -4 value: 1 }",
     "logit_bias[-4]", "token id -4 is negative"},
    {"ReasoningEffortUnknownNumber", std::string(kUserHi) + "reasoning_effort: 42",
     "reasoning_effort", "unknown value 42"},
    {"ResponseFormatWithoutType", std::string(kUserHi) + "response_format {}",
     "response_format.type", "is required"},
    {"JsonSchemaTypeWithoutSchema",
     std::string(kUserHi) + "response_format { type: RESPONSE_FORMAT_TYPE_JSON_SCHEMA }",
     "response_format.json_schema", "is required when type is RESPONSE_FORMAT_TYPE_JSON_SCHEMA"},
    {"JsonSchemaWithOtherType",
     std::string(kUserHi) +
         "response_format { type: RESPONSE_FORMAT_TYPE_JSON_OBJECT json_schema { name: 'n' schema "
         "{} } }",
     "response_format.json_schema", "only allowed with type RESPONSE_FORMAT_TYPE_JSON_SCHEMA"},
    {"JsonSchemaWithoutName",
     std::string(kUserHi) +
         "response_format { type: RESPONSE_FORMAT_TYPE_JSON_SCHEMA json_schema { schema {} } }",
     "response_format.json_schema.name", "is required"},
    {"JsonSchemaBadName",
     std::string(kUserHi) +
         "response_format { type: RESPONSE_FORMAT_TYPE_JSON_SCHEMA json_schema { name: 'my "
         "answer' schema {} } }",
     "response_format.json_schema.name", "\"my answer\" is not a valid name"},
    {"JsonSchemaWithoutSchema",
     std::string(kUserHi) +
         "response_format { type: RESPONSE_FORMAT_TYPE_JSON_SCHEMA json_schema { name: 'n' } }",
     "response_format.json_schema.schema", "is required"},
    {"ToolUnknownType", std::string(kUserHi) + "tools { type: 3 function { name: 'f' } }",
     "tools[0].type", "unknown value 3"},
    {"ToolWithoutFunction",
     std::string(kUserHi) + kWeatherTool + "tools { type: TOOL_TYPE_FUNCTION }",
     "tools[1].function", "is required"},
    {"ToolWithoutName", std::string(kUserHi) + "tools { function { description: 'd' } }",
     "tools[0].function.name", "is required"},
    {"ToolNameWithSpace", std::string(kUserHi) + "tools { function { name: 'get weather' } }",
     "tools[0].function.name", "\"get weather\" is not a valid name"},
    {"ToolNameTooLong",
     std::string(kUserHi) + "tools { function { name: '" + std::string(65, 'a') + "' } }",
     "tools[0].function.name", "1 to 64"},
    {"DuplicateToolName", std::string(kUserHi) + kWeatherTool + kWeatherTool,
     "tools[1].function.name", "already declared by tools[0]"},
    {"ToolChoiceRequiredWithoutTools",
     std::string(kUserHi) + "tool_choice { mode: TOOL_CHOICE_MODE_REQUIRED }", "tool_choice.mode",
     "needs at least one tool"},
    {"ToolChoiceModeUnknownNumber", std::string(kUserHi) + "tool_choice { mode: 8 }",
     "tool_choice.mode", "unknown value 8"},
    {"ToolChoiceFunctionWithoutTools",
     std::string(kUserHi) + "tool_choice { function { name: 'get_weather' } }",
     "tool_choice.function", "declares no tools"},
    {"ToolChoiceFunctionUndeclared",
     std::string(kUserHi) + kWeatherTool + "tool_choice { function { name: 'get_time' } }",
     "tool_choice.function.name", "\"get_time\" is not one of the declared tools (get_weather)"},
    {"ToolChoiceFunctionWithoutName",
     std::string(kUserHi) + kWeatherTool + "tool_choice { function {} }",
     "tool_choice.function.name", "is required"},
    {"ThinkingWithoutType", std::string(kUserHi) + "thinking {}", "thinking.type", "is required"},
    {"ThinkingUnknownNumber", std::string(kUserHi) + "thinking { type: 12 }", "thinking.type",
     "unknown value 12"},
    {"StopWithThinking",
     std::string(kUserHi) + "thinking { type: THINKING_TYPE_ENABLED } stop { text: 'x' }", "stop",
     "not supported with deep thinking"},
    {"LogprobsWithThinking",
     std::string(kUserHi) + "thinking { type: THINKING_TYPE_ENABLED } logprobs: true", "logprobs",
     "not supported with deep thinking"},
    {"LogitBiasWithThinking",
     std::string(kUserHi) +
         "thinking { type: THINKING_TYPE_ENABLED } logit_bias { key: 1 value: 1 }",
     "logit_bias", "not supported with deep thinking"},
};

INSTANTIATE_TEST_SUITE_P(EachRule, SingleRuleTest, ::testing::ValuesIn(kSingleRuleCases),
                         [](const ::testing::TestParamInfo<SingleRuleCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(ValidateRequestTest, ValidRequestsHaveNoViolations) {
  EXPECT_THAT(Validate(kUserHi), ::testing::IsEmpty());
  // Empty model: the upstream default.
  EXPECT_THAT(Validate(std::string("model: '' ") + kUserHi), ::testing::IsEmpty());
  for (const char* model : {"doubao-seed-2.0-pro", "doubao-seed-2.0-lite", "doubao-seed-2.0-mini",
                            "doubao-seed-2.0-code"}) {
    EXPECT_THAT(Validate(std::string("model: '") + model + "' " + kUserHi), ::testing::IsEmpty())
        << model;
  }
  // Everything at its bounds, a full tool round trip, multimodal input.
  EXPECT_THAT(Validate(R"pb(
                         model: "doubao-seed-2.0-pro"
                         messages { role: ROLE_SYSTEM content_text: "be brief" }
                         messages {
                           role: ROLE_USER
                           content_parts {
                             parts { text: "look" }
                             parts { image_url { url: "https://x/a.png" detail: IMAGE_DETAIL_LOW } }
                             parts { video_url { url: "https://x/v.mp4" fps: 0.2 } }
                             parts { video_url { url: "https://x/w.mp4" fps: 5 } }
                           }
                         }
                         messages {
                           role: ROLE_ASSISTANT
                           reasoning_content: "think"
                           tool_calls {
                             id: "call_1"
                             type: TOOL_TYPE_FUNCTION
                             function { name: "get_weather" arguments: "{}" }
                           }
                         }
                         messages { role: ROLE_TOOL content_text: "sunny" tool_call_id: "call_1" }
                         messages { role: ROLE_ASSISTANT content_text: "It is sunny." }
                         messages { role: ROLE_USER content_text: "thanks" }
                         thinking { type: THINKING_TYPE_AUTO }
                         stream: true
                         stream_options { include_usage: true }
                         max_completion_tokens: 65536
                         temperature: 2
                         top_p: 0
                         stop { texts { values: [ "a", "b", "c", "d" ] } }
                         reasoning_effort: REASONING_EFFORT_MINIMAL
                         response_format {
                           type: RESPONSE_FORMAT_TYPE_JSON_SCHEMA
                           json_schema {
                             name: "Answer_v-2"
                             schema {}
                           }
                         }
                         frequency_penalty: -2
                         presence_penalty: 2
                         logprobs: true
                         top_logprobs: 20
                         logit_bias { key: 0 value: -100 }
                         logit_bias { key: 99 value: 100 }
                         tools { function { name: "get_weather" } }
                         tools {
                           type: TOOL_TYPE_FUNCTION
                           function { name: "get_time" }
                         }
                         parallel_tool_calls: false
                         tool_choice { function { name: "get_time" } }
                       )pb",
                       Streaming()),
              ::testing::IsEmpty());
}

TEST(ValidateRequestTest, UnknownModelAllowedWhenConfigured) {
  ValidationOptions options;
  options.allow_unknown_models = true;
  EXPECT_THAT(Validate(std::string("model: 'doubao-seed-3.0-pro' ") + kUserHi, options),
              ::testing::IsEmpty());
}

TEST(ValidateRequestTest, StreamMatchingTheRpcIsFine) {
  EXPECT_THAT(Validate(std::string(kUserHi) + "stream: false"), ::testing::IsEmpty());
  EXPECT_THAT(Validate(std::string(kUserHi) + "stream: true stream_options {}", Streaming()),
              ::testing::IsEmpty());
}

TEST(ValidateRequestTest, AssistantWithOnlyToolCallsIsFine) {
  EXPECT_THAT(Validate(std::string(kUserHi) +
                       "messages { role: ROLE_ASSISTANT tool_calls { id: 'c' function { name: "
                       "'f' } } }"),
              ::testing::IsEmpty());
}

TEST(ValidateRequestTest, ParallelToolCallsWithoutToolsIsIgnored) {
  EXPECT_THAT(Validate(std::string(kUserHi) + "parallel_tool_calls: true"), ::testing::IsEmpty());
}

TEST(ValidateRequestTest, ToolChoiceNoneOrAutoWithoutToolsIsFine) {
  EXPECT_THAT(Validate(std::string(kUserHi) + "tool_choice { mode: TOOL_CHOICE_MODE_NONE }"),
              ::testing::IsEmpty());
  EXPECT_THAT(Validate(std::string(kUserHi) + "tool_choice { mode: TOOL_CHOICE_MODE_AUTO }"),
              ::testing::IsEmpty());
}

TEST(ValidateRequestTest, ThinkingConflictsOnlyWhenExplicitlyEnabled) {
  const std::string conflicting = std::string(kUserHi) +
                                  "stop { text: 'x' } logprobs: true top_logprobs: 2 "
                                  "logit_bias { key: 1 value: 1 } ";
  EXPECT_THAT(Validate(conflicting), ::testing::IsEmpty());
  EXPECT_THAT(Validate(conflicting + "thinking { type: THINKING_TYPE_AUTO }"),
              ::testing::IsEmpty());
  EXPECT_THAT(Validate(conflicting + "thinking { type: THINKING_TYPE_DISABLED }"),
              ::testing::IsEmpty());
  EXPECT_THAT(Fields(Validate(conflicting + "thinking { type: THINKING_TYPE_ENABLED }")),
              ElementsAre("stop", "logprobs", "top_logprobs", "logit_bias"));
  // logprobs: false is not asking for log probabilities.
  EXPECT_THAT(
      Validate(std::string(kUserHi) + "thinking { type: THINKING_TYPE_ENABLED } logprobs: false"),
      ::testing::IsEmpty());
}

TEST(ValidateRequestTest, ImageAndVideoAreNotRestrictedByRole) {
  // The reference gives every role the same content schema; only clearly
  // forbidden things are refused here, the rest is the upstream's call.
  EXPECT_THAT(Validate("messages { role: ROLE_SYSTEM content_parts { parts { image_url { url: 'u' "
                       "} } } } " +
                       std::string(kUserHi)),
              ::testing::IsEmpty());
}

TEST(ValidateRequestTest, ReportsEveryViolationAtOnce) {
  const std::vector<Violation> violations = Validate(R"pb(
    model: "gpt-4"
    messages { content_text: "no role" }
    messages {
      role: ROLE_USER
      tool_call_id: "x"
      content_parts { parts { video_url { url: "" fps: 10 } } }
    }
    messages { role: ROLE_TOOL content_text: "result" }
    stream: true
    stream_options { include_usage: true }
    max_tokens: -3
    max_completion_tokens: 70000
    temperature: 2.5
    top_p: nan
    frequency_penalty: 9
    presence_penalty: -9
    stop { texts { values: [ "a", "b", "c", "d", "" ] } }
    top_logprobs: 25
    logit_bias { key: -1 value: 500 }
    response_format { type: RESPONSE_FORMAT_TYPE_JSON_SCHEMA }
    tools { function { name: "dup" } }
    tools { function { name: "dup" } }
    tool_choice { function { name: "other" } }
    thinking {}
  )pb");
  EXPECT_THAT(Fields(violations), UnorderedElementsAreArray<std::string>({
                                      "model",
                                      "messages[0].role",
                                      "messages[1].content_parts.parts[0].video_url.url",
                                      "messages[1].content_parts.parts[0].video_url.fps",
                                      "messages[1].tool_call_id",
                                      "messages[2].tool_call_id",
                                      "thinking.type",
                                      "stream",
                                      "stream_options",
                                      "max_tokens",
                                      "max_completion_tokens",
                                      "max_completion_tokens",
                                      "temperature",
                                      "top_p",
                                      "frequency_penalty",
                                      "presence_penalty",
                                      "stop.texts.values",
                                      "stop.texts.values[4]",
                                      "top_logprobs",
                                      "top_logprobs",
                                      "logit_bias[-1]",
                                      "logit_bias[-1]",
                                      "response_format.json_schema",
                                      "tools[1].function.name",
                                      "tool_choice.function.name",
                                  }));
}

TEST(CheckRequestTest, OkForAValidRequest) {
  EXPECT_TRUE(CheckRequest(TextProto<v1::CreateChatCompletionRequest>(kUserHi), {}).ok());
}

TEST(CheckRequestTest, InvalidArgumentWithSummaryAndDetails) {
  const absl::Status status = CheckRequest(
      TextProto<v1::CreateChatCompletionRequest>(std::string(kUserHi) + "temperature: 2.5 top_p: 3 "
                                                                        "max_tokens: -1"),
      {});
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "invalid request: 3 problems: max_tokens: -1 is negative; give 0 or more; "
            "temperature: 2.5 is outside [0, 2]; top_p: 3 is outside [0, 1]");

  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(GetDetail(status, &bad_request));
  ASSERT_EQ(bad_request.field_violations_size(), 3);
  EXPECT_EQ(bad_request.field_violations(0).field(), "max_tokens");
  EXPECT_EQ(bad_request.field_violations(1).field(), "temperature");
  EXPECT_EQ(bad_request.field_violations(1).description(), "2.5 is outside [0, 2]");
  EXPECT_EQ(bad_request.field_violations(2).field(), "top_p");

  google::rpc::ErrorInfo info;
  ASSERT_TRUE(GetDetail(status, &info));
  EXPECT_EQ(info.reason(), "INVALID_REQUEST");
  EXPECT_EQ(info.domain(), "seedgate");
}

TEST(CheckRequestTest, SingularProblem) {
  const absl::Status status =
      CheckRequest(TextProto<v1::CreateChatCompletionRequest>("model: 'x'"), {});
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              ::testing::StartsWith("invalid request: 2 problems: model: unknown model \"x\""));
  const absl::Status one = CheckRequest(
      TextProto<v1::CreateChatCompletionRequest>(std::string(kUserHi) + "top_p: 2"), {});
  EXPECT_EQ(one.message(), "invalid request: 1 problem: top_p: 2 is outside [0, 1]");
}

}  // namespace
}  // namespace seedgate::translate
