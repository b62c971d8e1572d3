#include "server/translate/response_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "google/protobuf/util/message_differencer.h"
#include "google/rpc/error_details.pb.h"
#include "server/translate/status_details.h"
#include "tests/translate/text_proto.h"

namespace seedgate::translate {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TextProto;

MATCHER_P(EqualsProto, expected, "") {
  std::string diff;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  if (differencer.Compare(arg, expected)) return true;
  *result_listener << diff;
  return false;
}

v1::ChatCompletion Completion(const std::string& body) {
  absl::StatusOr<v1::ChatCompletion> completion = CompletionFromJson(json::parse(body));
  EXPECT_TRUE(completion.ok()) << completion.status();
  return completion.ok() ? *completion : v1::ChatCompletion();
}

v1::ChatCompletionChunk Chunk(const std::string& body) {
  absl::StatusOr<v1::ChatCompletionChunk> chunk = ChunkFromJson(json::parse(body));
  EXPECT_TRUE(chunk.ok()) << chunk.status();
  return chunk.ok() ? *chunk : v1::ChatCompletionChunk();
}

// The status is the MalformedUpstreamResponse kind, and its message names
// `what`.
void ExpectMalformed(const absl::Status& status, const std::string& what) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("malformed upstream response: "));
  EXPECT_THAT(std::string(status.message()), HasSubstr(what));
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(GetDetail(status, &info));
  EXPECT_EQ(info.reason(), "MALFORMED_UPSTREAM_RESPONSE");
  EXPECT_EQ(info.domain(), "seedgate");
}

TEST(CompletionFromJsonTest, ThinkingAnswerWithLogprobsAndUsageDetails) {
  const v1::ChatCompletion completion = Completion(R"({
    "id": "0217714854126607f5a9cf8ed5b018c76e4ad3dc2810db57ffb50",
    "object": "chat.completion",
    "created": 1771485416,
    "model": "doubao-seed-2-0-pro-260215",
    "service_tier": "default",
    "choices": [{
      "index": 0,
      "message": {
        "role": "assistant",
        "content": "Hello!",
        "reasoning_content": "The user greets me."
      },
      "logprobs": {
        "content": [
          {"token": "Hello", "bytes": [72, 101, 108, 108, 111], "logprob": -0.0123,
           "top_logprobs": [
             {"token": "Hello", "bytes": [72, 101, 108, 108, 111], "logprob": -0.0123},
             {"token": "Hi", "bytes": null, "logprob": -4.5}
           ]},
          {"token": "!", "bytes": null, "logprob": 0, "top_logprobs": []}
        ]
      },
      "finish_reason": "stop",
      "moderation_hit_type": null
    }],
    "usage": {
      "prompt_tokens": 15,
      "completion_tokens": 256,
      "total_tokens": 271,
      "prompt_tokens_details": {"cached_tokens": 4},
      "completion_tokens_details": {"reasoning_tokens": 200}
    }
  })");
  EXPECT_THAT(completion, EqualsProto(TextProto<v1::ChatCompletion>(R"pb(
                id: "0217714854126607f5a9cf8ed5b018c76e4ad3dc2810db57ffb50"
                object: "chat.completion"
                created: 1771485416
                model: "doubao-seed-2-0-pro-260215"
                service_tier: SERVICE_TIER_DEFAULT
                choices {
                  index: 0
                  message {
                    role: ROLE_ASSISTANT
                    content: "Hello!"
                    reasoning_content: "The user greets me."
                  }
                  logprobs {
                    content {
                      token: "Hello"
                      bytes: [ 72, 101, 108, 108, 111 ]
                      logprob: -0.0123
                      top_logprobs {
                        token: "Hello"
                        bytes: [ 72, 101, 108, 108, 111 ]
                        logprob: -0.0123
                      }
                      top_logprobs { token: "Hi" logprob: -4.5 }
                    }
                    content { token: "!" logprob: 0 }
                  }
                  finish_reason: FINISH_REASON_STOP
                }
                usage {
                  prompt_tokens: 15
                  completion_tokens: 256
                  total_tokens: 271
                  prompt_tokens_details { cached_tokens: 4 }
                  completion_tokens_details { reasoning_tokens: 200 }
                }
              )pb")));
}

TEST(CompletionFromJsonTest, ToolCallAnswerWithNullContent) {
  const v1::ChatCompletion completion = Completion(R"({
    "id": "021771485500000abc",
    "object": "chat.completion",
    "created": 1771485500,
    "model": "doubao-seed-2-0-lite-260215",
    "service_tier": "scale",
    "choices": [{
      "index": 0,
      "message": {
        "role": "assistant",
        "content": null,
        "reasoning_content": null,
        "tool_calls": [
          {"id": "call_abc", "type": "function",
           "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}},
          {"id": "call_def", "type": "function",
           "function": {"name": "get_time", "arguments": "{}"}}
        ]
      },
      "logprobs": null,
      "finish_reason": "tool_calls"
    }],
    "usage": {"prompt_tokens": 80, "completion_tokens": 30, "total_tokens": 110,
              "prompt_tokens_details": null, "completion_tokens_details": {"reasoning_tokens": 0}}
  })");
  ASSERT_EQ(completion.choices_size(), 1);
  const v1::Choice& choice = completion.choices(0);
  EXPECT_EQ(completion.service_tier(), v1::SERVICE_TIER_SCALE);
  EXPECT_FALSE(choice.message().has_content());
  EXPECT_FALSE(choice.message().has_reasoning_content());
  EXPECT_FALSE(choice.has_logprobs());
  EXPECT_EQ(choice.finish_reason(), v1::FINISH_REASON_TOOL_CALLS);
  EXPECT_THAT(choice.message().tool_calls(0), EqualsProto(TextProto<v1::ToolCall>(R"pb(
                id: "call_abc"
                type: TOOL_TYPE_FUNCTION
                function { name: "get_weather" arguments: "{\"city\": \"Paris\"}" }
              )pb")));
  EXPECT_EQ(choice.message().tool_calls(1).function().name(), "get_time");
  EXPECT_FALSE(completion.usage().has_prompt_tokens_details());
  EXPECT_TRUE(completion.usage().has_completion_tokens_details());
}

TEST(CompletionFromJsonTest, EmptyStringContentIsPresent) {
  const v1::ChatCompletion completion =
      Completion(R"({"choices": [{"message": {"role": "assistant", "content": ""}}]})");
  EXPECT_TRUE(completion.choices(0).message().has_content());
  EXPECT_EQ(completion.choices(0).message().content(), "");
}

TEST(CompletionFromJsonTest, LenientNumbersNullsAndUnknowns) {
  const v1::ChatCompletion completion = Completion(R"({
    "id": "x",
    "object": "chat.completion",
    "created": 1771485416.0,
    "model": "m",
    "service_tier": "premium",
    "system_fingerprint": "fp_123",
    "choices": [
      {"index": 1.0,
       "message": {"role": "model", "content": "a", "audio": {"id": "ignored"}},
       "finish_reason": "end_turn",
       "moderation_hit_type": "violence",
       "extra": [1, 2, 3]},
      {"message": {"role": "assistant", "content": "b"}, "finish_reason": "length",
       "moderation_hit_type": "new_label"}
    ],
    "usage": {"prompt_tokens": 12.0, "completion_tokens": "7", "total_tokens": 19,
              "queue_time": 0.5}
  })");
  EXPECT_EQ(completion.created(), 1771485416);
  EXPECT_EQ(completion.service_tier(), v1::SERVICE_TIER_UNSPECIFIED);
  ASSERT_EQ(completion.choices_size(), 2);
  EXPECT_EQ(completion.choices(0).index(), 1);
  EXPECT_EQ(completion.choices(0).message().role(), v1::ROLE_UNSPECIFIED);
  EXPECT_EQ(completion.choices(0).finish_reason(), v1::FINISH_REASON_UNSPECIFIED);
  EXPECT_EQ(completion.choices(0).moderation_hit_type(), v1::MODERATION_HIT_TYPE_VIOLENCE);
  // A choice without `index` is numbered by its position.
  EXPECT_EQ(completion.choices(1).index(), 1);
  EXPECT_EQ(completion.choices(1).finish_reason(), v1::FINISH_REASON_LENGTH);
  EXPECT_EQ(completion.choices(1).moderation_hit_type(), v1::MODERATION_HIT_TYPE_UNSPECIFIED);
  EXPECT_EQ(completion.usage().prompt_tokens(), 12);
  EXPECT_EQ(completion.usage().completion_tokens(), 7);
  EXPECT_EQ(completion.usage().total_tokens(), 19);
}

TEST(CompletionFromJsonTest, ModerationAndContentFilter) {
  const v1::ChatCompletion completion = Completion(R"({"choices": [{"index": 0,
      "message": {"role": "assistant", "content": ""}, "finish_reason": "content_filter",
      "moderation_hit_type": "severe_violation"}]})");
  EXPECT_EQ(completion.choices(0).finish_reason(), v1::FINISH_REASON_CONTENT_FILTER);
  EXPECT_EQ(completion.choices(0).moderation_hit_type(), v1::MODERATION_HIT_TYPE_SEVERE_VIOLATION);
}

TEST(CompletionFromJsonTest, NullUsageAndChoicesAreAbsent) {
  const v1::ChatCompletion completion =
      Completion(R"({"id": "x", "choices": null, "usage": null, "created": null})");
  EXPECT_EQ(completion.id(), "x");
  EXPECT_EQ(completion.choices_size(), 0);
  EXPECT_FALSE(completion.has_usage());
  EXPECT_EQ(completion.created(), 0);
}

TEST(CompletionFromJsonTest, ArgumentsSentAsAnObjectAreKeptAsJsonText) {
  const v1::ChatCompletion completion = Completion(R"({"choices": [{"message": {
      "role": "assistant", "tool_calls": [{"id": "c", "type": "function",
      "function": {"name": "f", "arguments": {"city": "Paris"}}}]}}]})");
  EXPECT_EQ(json::parse(completion.choices(0).message().tool_calls(0).function().arguments()),
            json::parse(R"({"city": "Paris"})"));
}

TEST(CompletionFromJsonTest, MalformedShapesAreRejectedNamingTheField) {
  ExpectMalformed(CompletionFromJson(json::array()).status(), "body is array");
  ExpectMalformed(CompletionFromJson(json("oops")).status(), "body is string");
  ExpectMalformed(CompletionFromJson(json::parse(R"({"choices": {"0": {}}})")).status(),
                  "choices is object, expected an array");
  ExpectMalformed(CompletionFromJson(json::parse(R"({"choices": ["hello"]})")).status(),
                  "choices[0] is string, expected an object");
  ExpectMalformed(CompletionFromJson(json::parse(R"({"choices": [{"message": "hi"}]})")).status(),
                  "choices[0].message is string, expected an object");
  ExpectMalformed(
      CompletionFromJson(json::parse(R"({"choices": [{"message": {"content": {"text": "hi"}}}]})"))
          .status(),
      "choices[0].message.content is object, expected a string");
  ExpectMalformed(CompletionFromJson(json::parse(R"({"id": ["x"]})")).status(),
                  "id is array, expected a string");
  ExpectMalformed(CompletionFromJson(json::parse(R"({"created": "yesterday"})")).status(),
                  "created is string, expected an integer");
  ExpectMalformed(CompletionFromJson(json::parse(R"({"usage": [1, 2]})")).status(),
                  "usage is array, expected an object");
  ExpectMalformed(CompletionFromJson(json::parse(R"({"usage": {"total_tokens": {}}})")).status(),
                  "usage.total_tokens is object, expected an integer");
  ExpectMalformed(
      CompletionFromJson(
          json::parse(
              R"({"choices": [{"message": {}, "logprobs": {"content": [{"bytes": "ab"}]}}]})"))
          .status(),
      "choices[0].logprobs.content[0].bytes is string, expected an array");
  ExpectMalformed(
      CompletionFromJson(json::parse(R"({"choices": [{"message": {"tool_calls": [7]}}]})"))
          .status(),
      "choices[0].message.tool_calls[0] is number, expected an object");
  ExpectMalformed(
      CompletionFromJson(json::parse(R"({"choices": [{"finish_reason": {"why": "stop"}}]})"))
          .status(),
      "choices[0].finish_reason is object, expected a string");
}

TEST(ChunkFromJsonTest, RoleRepeatedAndFinishReasonNullUntilTheLastChunk) {
  const char* const kChunks[] = {
      R"({"id":"021","object":"chat.completion.chunk","created":1771485416,"model":"doubao-seed-2-0-pro-260215","service_tier":"default","choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning_content":"Let"},"finish_reason":null}]})",
      R"({"id":"021","object":"chat.completion.chunk","created":1771485416,"model":"doubao-seed-2-0-pro-260215","service_tier":"default","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]})",
      R"({"id":"021","object":"chat.completion.chunk","created":1771485416,"model":"doubao-seed-2-0-pro-260215","service_tier":"default","choices":[{"index":0,"delta":{"role":"assistant","content":"lo"},"finish_reason":"stop"}]})",
  };
  const v1::ChatCompletionChunk first = Chunk(kChunks[0]);
  EXPECT_THAT(first, EqualsProto(TextProto<v1::ChatCompletionChunk>(R"pb(
                id: "021"
                object: "chat.completion.chunk"
                created: 1771485416
                model: "doubao-seed-2-0-pro-260215"
                service_tier: SERVICE_TIER_DEFAULT
                choices {
                  index: 0
                  delta { role: ROLE_ASSISTANT content: "" reasoning_content: "Let" }
                }
              )pb")));
  const v1::ChatCompletionChunk middle = Chunk(kChunks[1]);
  EXPECT_EQ(middle.choices(0).delta().role(), v1::ROLE_ASSISTANT);
  EXPECT_EQ(middle.choices(0).delta().content(), "Hel");
  EXPECT_FALSE(middle.choices(0).delta().has_reasoning_content());
  EXPECT_EQ(middle.choices(0).finish_reason(), v1::FINISH_REASON_UNSPECIFIED);
  EXPECT_FALSE(middle.has_usage());
  const v1::ChatCompletionChunk last = Chunk(kChunks[2]);
  EXPECT_EQ(last.choices(0).delta().content(), "lo");
  EXPECT_EQ(last.choices(0).finish_reason(), v1::FINISH_REASON_STOP);
}

TEST(ChunkFromJsonTest, UsageOnlyChunkWithEmptyChoices) {
  const v1::ChatCompletionChunk chunk = Chunk(R"({"id":"021","object":"chat.completion.chunk",
      "created":1771485416,"model":"doubao-seed-2-0-pro-260215","service_tier":"default",
      "choices":[],"usage":{"prompt_tokens":15,"completion_tokens":256,"total_tokens":271,
      "prompt_tokens_details":{"cached_tokens":0},
      "completion_tokens_details":{"reasoning_tokens":120}}})");
  EXPECT_EQ(chunk.choices_size(), 0);
  ASSERT_TRUE(chunk.has_usage());
  EXPECT_EQ(chunk.usage().total_tokens(), 271);
  EXPECT_EQ(chunk.usage().completion_tokens_details().reasoning_tokens(), 120);
  EXPECT_TRUE(chunk.usage().has_prompt_tokens_details());
}

TEST(ChunkFromJsonTest, CumulativeUsageInAContentChunk) {
  const v1::ChatCompletionChunk chunk = Chunk(R"({"choices":[{"index":0,"delta":{"content":"a"}}],
      "usage":{"prompt_tokens":15,"completion_tokens":1,"total_tokens":16}})");
  EXPECT_EQ(chunk.choices(0).delta().content(), "a");
  EXPECT_EQ(chunk.usage().completion_tokens(), 1);
}

TEST(ChunkFromJsonTest, ToolCallFirstFragmentThenArgumentFragments) {
  const v1::ChatCompletionChunk first = Chunk(R"({"id":"021","object":"chat.completion.chunk",
      "choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[
        {"index":0,"id":"call_abc","type":"function","function":{"name":"get_weather","arguments":""}}
      ]},"finish_reason":null}]})");
  EXPECT_THAT(first.choices(0).delta(), EqualsProto(TextProto<v1::Delta>(R"pb(
                role: ROLE_ASSISTANT
                tool_calls {
                  index: 0
                  id: "call_abc"
                  type: TOOL_TYPE_FUNCTION
                  function { name: "get_weather" arguments: "" }
                }
              )pb")));
  const v1::ChatCompletionChunk fragment = Chunk(R"({"choices":[{"index":0,"delta":{
      "role":"assistant","tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}}]})");
  EXPECT_THAT(fragment.choices(0).delta(), EqualsProto(TextProto<v1::Delta>(R"pb(
                role: ROLE_ASSISTANT
                tool_calls {
                  index: 0
                  function { arguments: "{\"city\":" }
                }
              )pb")));
  const v1::ChatCompletionChunk second_call = Chunk(R"({"choices":[{"index":0,"delta":{
      "tool_calls":[{"index":1,"id":"call_def","type":"function","function":{"name":"get_time"}}]}}]})");
  EXPECT_EQ(second_call.choices(0).delta().tool_calls(0).index(), 1);
  EXPECT_EQ(second_call.choices(0).delta().tool_calls(0).id(), "call_def");
  const v1::ChatCompletionChunk done =
      Chunk(R"({"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})");
  EXPECT_EQ(done.choices(0).finish_reason(), v1::FINISH_REASON_TOOL_CALLS);
  EXPECT_EQ(done.choices(0).delta().tool_calls_size(), 0);
}

TEST(ChunkFromJsonTest, WholeToolCallsInOneChunk) {
  const v1::ChatCompletionChunk chunk = Chunk(R"({"choices":[{"index":0,"delta":{
      "role":"assistant","content":"","tool_calls":[
        {"index":0,"id":"call_1","type":"function","function":{"name":"a","arguments":"{\"x\":1}"}},
        {"index":1,"id":"call_2","type":"function","function":{"name":"b","arguments":"{}"}}
      ]},"finish_reason":"tool_calls"}]})");
  const v1::Delta& delta = chunk.choices(0).delta();
  ASSERT_EQ(delta.tool_calls_size(), 2);
  EXPECT_EQ(delta.tool_calls(0).function().arguments(), "{\"x\":1}");
  EXPECT_EQ(delta.tool_calls(1).index(), 1);
  EXPECT_EQ(delta.tool_calls(1).function().name(), "b");
  EXPECT_EQ(chunk.choices(0).finish_reason(), v1::FINISH_REASON_TOOL_CALLS);
}

TEST(ChunkFromJsonTest, ToolCallWithoutIndexIsNumberedByPosition) {
  const v1::ChatCompletionChunk chunk = Chunk(R"({"choices":[{"delta":{"tool_calls":[
      {"id":"a","function":{"name":"f"}},{"id":"b","function":{"name":"g"}}]}}]})");
  EXPECT_EQ(chunk.choices(0).delta().tool_calls(0).index(), 0);
  EXPECT_EQ(chunk.choices(0).delta().tool_calls(1).index(), 1);
}

TEST(ChunkFromJsonTest, UnknownFieldsAndEnumValuesTolerated) {
  const v1::ChatCompletionChunk chunk = Chunk(R"({"id":"x","object":"chat.completion.chunk",
      "service_tier":"flex","system_fingerprint":"fp","obfuscation":"abc",
      "choices":[{"index":0,"delta":{"role":"narrator","content":"hi","refusal":null,
        "tool_calls":[{"index":0,"type":"code_interpreter","function":{"name":"f"}}]},
        "finish_reason":"paused","moderation_hit_type":"spam","native_finish_reason":"x"}]})");
  EXPECT_EQ(chunk.service_tier(), v1::SERVICE_TIER_UNSPECIFIED);
  EXPECT_EQ(chunk.choices(0).delta().role(), v1::ROLE_UNSPECIFIED);
  EXPECT_EQ(chunk.choices(0).delta().content(), "hi");
  EXPECT_EQ(chunk.choices(0).delta().tool_calls(0).type(), v1::TOOL_TYPE_UNSPECIFIED);
  EXPECT_EQ(chunk.choices(0).finish_reason(), v1::FINISH_REASON_UNSPECIFIED);
  EXPECT_EQ(chunk.choices(0).moderation_hit_type(), v1::MODERATION_HIT_TYPE_UNSPECIFIED);
}

TEST(ChunkFromJsonTest, LogprobsInAChunk) {
  const v1::ChatCompletionChunk chunk = Chunk(R"({"choices":[{"index":0,"delta":{"content":"Hi"},
      "logprobs":{"content":[{"token":"Hi","bytes":[72,105],"logprob":-0.25,"top_logprobs":[]}]}}]})");
  ASSERT_TRUE(chunk.choices(0).has_logprobs());
  EXPECT_EQ(chunk.choices(0).logprobs().content(0).token(), "Hi");
  EXPECT_THAT(chunk.choices(0).logprobs().content(0).bytes(), ElementsAre(72, 105));
  EXPECT_DOUBLE_EQ(chunk.choices(0).logprobs().content(0).logprob(), -0.25);
}

TEST(ChunkFromJsonTest, NullDeltaAndNullLogprobs) {
  const v1::ChatCompletionChunk chunk =
      Chunk(R"({"choices":[{"index":0,"delta":null,"logprobs":null,"finish_reason":"stop"}]})");
  EXPECT_FALSE(chunk.choices(0).has_delta());
  EXPECT_FALSE(chunk.choices(0).has_logprobs());
  EXPECT_EQ(chunk.choices(0).finish_reason(), v1::FINISH_REASON_STOP);
}

TEST(ChunkFromJsonTest, MalformedShapesAreRejectedNamingTheField) {
  ExpectMalformed(ChunkFromJson(json(42)).status(), "body is number");
  ExpectMalformed(ChunkFromJson(json::parse(R"({"choices": "none"})")).status(),
                  "choices is string, expected an array");
  ExpectMalformed(ChunkFromJson(json::parse(R"({"choices": [{"delta": [1]}]})")).status(),
                  "choices[0].delta is array, expected an object");
  ExpectMalformed(
      ChunkFromJson(json::parse(R"({"choices": [{"delta": {"tool_calls": {"index": 0}}}]})"))
          .status(),
      "choices[0].delta.tool_calls is object, expected an array");
  ExpectMalformed(
      ChunkFromJson(
          json::parse(R"({"choices": [{"delta": {"tool_calls": [{"function": "get_weather"}]}}]})"))
          .status(),
      "choices[0].delta.tool_calls[0].function is string, expected an object");
  ExpectMalformed(
      ChunkFromJson(
          json::parse(R"({"choices": [{"delta": {"tool_calls": [{"index": "first"}]}}]})"))
          .status(),
      "choices[0].delta.tool_calls[0].index is string, expected an integer");
}

}  // namespace
}  // namespace seedgate::translate
