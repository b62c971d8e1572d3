#include "server/translate/request_json.h"

#include <gtest/gtest.h>

#include "tests/translate/text_proto.h"

namespace seedgate::translate {
namespace {

using nlohmann::json;
using testing::TextProto;

v1::CreateChatCompletionRequest Request(const std::string& text) {
  return TextProto<v1::CreateChatCompletionRequest>(text);
}

TEST(RequestJsonTest, MinimalRequestWritesOnlyMessagesAndStream) {
  const json out = RequestToJson(Request(R"pb(
                                   messages { role: ROLE_USER content_text: "hi" }
                                 )pb"),
                                 /*stream=*/false);
  EXPECT_EQ(out, json::parse(R"({
    "messages": [{"role": "user", "content": "hi"}],
    "stream": false
  })"));
}

TEST(RequestJsonTest, StreamIsTheRpcsChoice) {
  const auto request = Request(R"pb(
    model: "doubao-seed-2.0-lite"
    messages { role: ROLE_USER content_text: "hi" }
  )pb");
  EXPECT_EQ(RequestToJson(request, true)["stream"], json(true));
  EXPECT_EQ(RequestToJson(request, false)["stream"], json(false));
  EXPECT_EQ(RequestToJson(request, true)["model"], json("doubao-seed-2.0-lite"));
}

TEST(RequestJsonTest, EveryFieldIsWritten) {
  const auto request = Request(R"pb(
    model: "doubao-seed-2.0-pro"
    messages { role: ROLE_SYSTEM content_text: "be brief" }
    messages {
      role: ROLE_USER
      content_parts {
        parts { text: "what is this?" }
        parts { image_url { url: "https://example.com/a.png" detail: IMAGE_DETAIL_XHIGH } }
        parts { image_url { url: "data:image/png;base64,AAAA" } }
        parts { video_url { url: "https://example.com/v.mp4" fps: 0.5 } }
        parts { video_url { url: "https://example.com/w.mp4" } }
      }
    }
    messages {
      role: ROLE_ASSISTANT
      reasoning_content: "the user wants weather"
      tool_calls {
        id: "call_1"
        type: TOOL_TYPE_FUNCTION
        function { name: "get_weather" arguments: "{\"city\":\"Paris\"}" }
      }
      tool_calls {
        id: "call_2"
        function { name: "get_time" arguments: "{}" }
      }
    }
    messages { role: ROLE_TOOL content_text: "sunny" tool_call_id: "call_1" }
    thinking { type: THINKING_TYPE_DISABLED }
    stream: true
    stream_options { include_usage: true chunk_include_usage: false }
    max_completion_tokens: 16384
    temperature: 0.7
    top_p: 0.9
    stop { texts { values: "hello" values: "weather" } }
    reasoning_effort: REASONING_EFFORT_HIGH
    response_format {
      type: RESPONSE_FORMAT_TYPE_JSON_SCHEMA
      json_schema {
        name: "answer"
        description: "the answer"
        schema {
          fields {
            key: "type"
            value { string_value: "object" }
          }
          fields {
            key: "minProperties"
            value { number_value: 1 }
          }
        }
        strict: true
      }
    }
    frequency_penalty: -0.5
    presence_penalty: 1.5
    logprobs: true
    top_logprobs: 5
    logit_bias { key: 123 value: -100 }
    logit_bias { key: 456 value: 7 }
    tools {
      type: TOOL_TYPE_FUNCTION
      function {
        name: "get_weather"
        description: "Weather of a city"
        parameters {
          fields {
            key: "type"
            value { string_value: "object" }
          }
          fields {
            key: "properties"
            value {
              struct_value {
                fields {
                  key: "days"
                  value {
                    struct_value {
                      fields {
                        key: "type"
                        value { string_value: "integer" }
                      }
                      fields {
                        key: "maximum"
                        value { number_value: 7 }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    tools { function { name: "get_time" } }
    parallel_tool_calls: true
    tool_choice { function { name: "get_weather" } }
  )pb");
  const json expected = json::parse(R"({
    "model": "doubao-seed-2.0-pro",
    "messages": [
      {"role": "system", "content": "be brief"},
      {"role": "user", "content": [
        {"type": "text", "text": "what is this?"},
        {"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "xhigh"}},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
        {"type": "video_url", "video_url": {"url": "https://example.com/v.mp4", "fps": 0.5}},
        {"type": "video_url", "video_url": {"url": "https://example.com/w.mp4"}}
      ]},
      {"role": "assistant",
       "reasoning_content": "the user wants weather",
       "tool_calls": [
         {"id": "call_1", "type": "function",
          "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}},
         {"id": "call_2", "type": "function",
          "function": {"name": "get_time", "arguments": "{}"}}
       ]},
      {"role": "tool", "content": "sunny", "tool_call_id": "call_1"}
    ],
    "thinking": {"type": "disabled"},
    "stream": true,
    "stream_options": {"include_usage": true, "chunk_include_usage": false},
    "max_completion_tokens": 16384,
    "temperature": 0.7,
    "top_p": 0.9,
    "stop": ["hello", "weather"],
    "reasoning_effort": "high",
    "response_format": {
      "type": "json_schema",
      "json_schema": {
        "name": "answer",
        "description": "the answer",
        "schema": {"type": "object", "minProperties": 1},
        "strict": true
      }
    },
    "frequency_penalty": -0.5,
    "presence_penalty": 1.5,
    "logprobs": true,
    "top_logprobs": 5,
    "logit_bias": {"123": -100, "456": 7},
    "tools": [
      {"type": "function", "function": {
        "name": "get_weather",
        "description": "Weather of a city",
        "parameters": {"type": "object",
                       "properties": {"days": {"type": "integer", "maximum": 7}}}}},
      {"type": "function", "function": {"name": "get_time"}}
    ],
    "parallel_tool_calls": true,
    "tool_choice": {"type": "function", "function": {"name": "get_weather"}}
  })");
  const json out = RequestToJson(request, true);
  EXPECT_EQ(out, expected) << "got:\n" << out.dump(2);
  // The integers in the schemas are written as integers, not 1.0 / 7.0.
  EXPECT_TRUE(out["tools"][0]["function"]["parameters"]["properties"]["days"]["maximum"]
                  .is_number_integer());
  EXPECT_TRUE(out["response_format"]["json_schema"]["schema"]["minProperties"].is_number_integer());
}

TEST(RequestJsonTest, OptionalsSetToZeroAreWritten) {
  const json out = RequestToJson(Request(R"pb(
                                   messages { role: ROLE_USER content_text: "" }
                                   max_tokens: 0
                                   temperature: 0
                                   top_p: 0
                                   frequency_penalty: 0
                                   presence_penalty: 0
                                   logprobs: false
                                   top_logprobs: 0
                                   parallel_tool_calls: false
                                   stream: false
                                 )pb"),
                                 false);
  ASSERT_TRUE(out.contains("max_tokens"));
  EXPECT_EQ(out["max_tokens"], json(0));
  EXPECT_EQ(out["temperature"], json(0.0));
  EXPECT_EQ(out["top_p"], json(0.0));
  EXPECT_EQ(out["frequency_penalty"], json(0.0));
  EXPECT_EQ(out["presence_penalty"], json(0.0));
  EXPECT_EQ(out["logprobs"], json(false));
  EXPECT_EQ(out["top_logprobs"], json(0));
  EXPECT_EQ(out["parallel_tool_calls"], json(false));
  // An empty content string is still content.
  EXPECT_EQ(out["messages"][0]["content"], json(""));
}

TEST(RequestJsonTest, UnsetOptionalsAndUnspecifiedEnumsAreOmitted) {
  const json out = RequestToJson(Request(R"pb(
                                   messages {
                                     role: ROLE_USER
                                     content_parts { parts { image_url { url: "u" } } }
                                   }
                                   reasoning_effort: REASONING_EFFORT_UNSPECIFIED
                                   response_format { type: RESPONSE_FORMAT_TYPE_UNSPECIFIED }
                                   thinking { type: THINKING_TYPE_UNSPECIFIED }
                                   tool_choice { mode: TOOL_CHOICE_MODE_UNSPECIFIED }
                                   stop {}
                                 )pb"),
                                 true);
  for (const char* key :
       {"model", "thinking", "stream_options", "max_tokens", "max_completion_tokens", "temperature",
        "top_p", "stop", "reasoning_effort", "response_format", "frequency_penalty",
        "presence_penalty", "logprobs", "top_logprobs", "logit_bias", "tools",
        "parallel_tool_calls", "tool_choice"}) {
    EXPECT_FALSE(out.contains(key)) << key << " in " << out.dump();
  }
  EXPECT_FALSE(out["messages"][0]["content"][0]["image_url"].contains("detail"));
  EXPECT_FALSE(out["messages"][0].contains("tool_calls"));
  EXPECT_FALSE(out["messages"][0].contains("tool_call_id"));
  EXPECT_FALSE(out["messages"][0].contains("reasoning_content"));
}

TEST(RequestJsonTest, StopAsOneString) {
  const json out = RequestToJson(Request(R"pb(
                                   messages { role: ROLE_USER content_text: "x" }
                                   stop { text: "END" }
                                 )pb"),
                                 false);
  EXPECT_EQ(out["stop"], json("END"));
}

TEST(RequestJsonTest, ToolChoiceModes) {
  for (const auto& [mode, text] : std::vector<std::pair<std::string, std::string>>{
           {"TOOL_CHOICE_MODE_NONE", "none"},
           {"TOOL_CHOICE_MODE_AUTO", "auto"},
           {"TOOL_CHOICE_MODE_REQUIRED", "required"}}) {
    const json out = RequestToJson(
        Request("messages { role: ROLE_USER content_text: 'x' } tool_choice { mode: " + mode +
                " }"),
        false);
    EXPECT_EQ(out["tool_choice"], json(text)) << mode;
  }
}

TEST(RequestJsonTest, EnumStrings) {
  const std::vector<std::pair<std::string, std::string>> efforts = {
      {"REASONING_EFFORT_MINIMAL", "minimal"},
      {"REASONING_EFFORT_LOW", "low"},
      {"REASONING_EFFORT_MEDIUM", "medium"},
      {"REASONING_EFFORT_HIGH", "high"}};
  for (const auto& [name, text] : efforts) {
    EXPECT_EQ(RequestToJson(Request("messages { role: ROLE_USER content_text: 'x' } "
                                    "reasoning_effort: " +
                                    name),
                            false)["reasoning_effort"],
              json(text));
  }
  const std::vector<std::pair<std::string, std::string>> thinking = {
      {"THINKING_TYPE_ENABLED", "enabled"},
      {"THINKING_TYPE_DISABLED", "disabled"},
      {"THINKING_TYPE_AUTO", "auto"}};
  for (const auto& [name, text] : thinking) {
    EXPECT_EQ(RequestToJson(Request("messages { role: ROLE_USER content_text: 'x' } "
                                    "thinking { type: " +
                                    name + " }"),
                            false)["thinking"],
              json({{"type", text}}));
  }
  const std::vector<std::pair<std::string, std::string>> details = {
      {"IMAGE_DETAIL_LOW", "low"}, {"IMAGE_DETAIL_HIGH", "high"}, {"IMAGE_DETAIL_XHIGH", "xhigh"}};
  for (const auto& [name, text] : details) {
    const json out = RequestToJson(
        Request("messages { role: ROLE_USER content_parts { parts { image_url { url: 'u' "
                "detail: " +
                name + " } } } }"),
        false);
    EXPECT_EQ(out["messages"][0]["content"][0]["image_url"]["detail"], json(text));
  }
  const std::vector<std::pair<std::string, std::string>> formats = {
      {"RESPONSE_FORMAT_TYPE_TEXT", "text"}, {"RESPONSE_FORMAT_TYPE_JSON_OBJECT", "json_object"}};
  for (const auto& [name, text] : formats) {
    EXPECT_EQ(RequestToJson(Request("messages { role: ROLE_USER content_text: 'x' } "
                                    "response_format { type: " +
                                    name + " }"),
                            false)["response_format"],
              json({{"type", text}}));
  }
}

TEST(RequestJsonTest, AssistantWithOnlyToolCallsHasNoContent) {
  const json out = RequestToJson(Request(R"pb(
                                   messages { role: ROLE_USER content_text: "weather?" }
                                   messages {
                                     role: ROLE_ASSISTANT
                                     tool_calls {
                                       id: "c"
                                       function { name: "f" arguments: "{}" }
                                     }
                                   }
                                 )pb"),
                                 false);
  EXPECT_FALSE(out["messages"][1].contains("content")) << out.dump();
  EXPECT_EQ(out["messages"][1]["role"], json("assistant"));
}

TEST(RequestJsonTest, StreamOptionsWritesOnlySetMembers) {
  EXPECT_EQ(RequestToJson(Request(R"pb(
                            messages { role: ROLE_USER content_text: "x" }
                            stream_options { chunk_include_usage: true }
                          )pb"),
                          true)["stream_options"],
            json::parse(R"({"chunk_include_usage": true})"));
  EXPECT_EQ(RequestToJson(Request(R"pb(
                            messages { role: ROLE_USER content_text: "x" }
                            stream_options {}
                          )pb"),
                          true)["stream_options"],
            json::object());
}

TEST(RequestJsonTest, LogitBiasKeysAreStrings) {
  const json out = RequestToJson(Request(R"pb(
                                   messages { role: ROLE_USER content_text: "x" }
                                   logit_bias { key: 100257 value: 100 }
                                   logit_bias { key: 0 value: 0 }
                                 )pb"),
                                 false);
  EXPECT_EQ(out["logit_bias"], json::parse(R"({"100257": 100, "0": 0})"));
}

TEST(RequestJsonTest, JsonSchemaOptionalMembersOmittedWhenUnset) {
  const json out = RequestToJson(Request(R"pb(
                                   messages { role: ROLE_USER content_text: "x" }
                                   response_format {
                                     type: RESPONSE_FORMAT_TYPE_JSON_SCHEMA
                                     json_schema {
                                       name: "n"
                                       schema {}
                                       strict: false
                                     }
                                   }
                                 )pb"),
                                 false);
  EXPECT_EQ(out["response_format"], json::parse(R"({"type": "json_schema",
      "json_schema": {"name": "n", "schema": {}, "strict": false}})"));
}

}  // namespace
}  // namespace seedgate::translate
