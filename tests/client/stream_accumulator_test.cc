// StreamAccumulator: chunks back into one ChatCompletion.

#include "client/stream_accumulator.h"

#include <gtest/gtest.h>

namespace seedgate::client {
namespace {

v1::ChatCompletionChunk Chunk(const std::string& reasoning, const std::string& content) {
  v1::ChatCompletionChunk chunk;
  chunk.set_id("chatcmpl-1");
  chunk.set_model("doubao-seed-2-0-pro-260215");
  chunk.set_created(1700000000);
  v1::ChunkChoice* choice = chunk.add_choices();
  choice->mutable_delta()->set_role(v1::ROLE_ASSISTANT);
  if (!reasoning.empty()) choice->mutable_delta()->set_reasoning_content(reasoning);
  if (!content.empty()) choice->mutable_delta()->set_content(content);
  return chunk;
}

v1::ToolCallDelta* AddCall(v1::ChatCompletionChunk* chunk, int index, const std::string& id,
                           const std::string& name, const std::string& arguments) {
  v1::ToolCallDelta* call = chunk->mutable_choices(0)->mutable_delta()->add_tool_calls();
  call->set_index(index);
  call->set_id(id);
  if (!id.empty()) call->set_type(v1::TOOL_TYPE_FUNCTION);
  call->mutable_function()->set_name(name);
  call->mutable_function()->set_arguments(arguments);
  return call;
}

TEST(StreamAccumulatorTest, JoinsReasoningAndContentAndKeepsTheLastUsage) {
  StreamAccumulator acc;
  acc.Add(Chunk("Let me ", ""));
  acc.Add(Chunk("think.", ""));
  acc.Add(Chunk("", "Hello"));
  v1::ChatCompletionChunk last = Chunk("", " world");
  last.mutable_choices(0)->set_finish_reason(v1::FINISH_REASON_STOP);
  acc.Add(last);
  v1::ChatCompletionChunk usage;
  usage.mutable_usage()->set_total_tokens(42);
  acc.Add(usage);

  const v1::ChatCompletion& c = acc.completion();
  EXPECT_EQ(c.id(), "chatcmpl-1");
  EXPECT_EQ(c.object(), "chat.completion");
  ASSERT_EQ(c.choices_size(), 1);
  EXPECT_EQ(c.choices(0).message().reasoning_content(), "Let me think.");
  EXPECT_EQ(c.choices(0).message().content(), "Hello world");
  EXPECT_EQ(c.choices(0).message().role(), v1::ROLE_ASSISTANT);
  EXPECT_EQ(c.choices(0).finish_reason(), v1::FINISH_REASON_STOP);
  EXPECT_EQ(c.usage().total_tokens(), 42);
}

TEST(StreamAccumulatorTest, ReassemblesInterleavedToolCallsByIndex) {
  StreamAccumulator acc;
  v1::ChatCompletionChunk a = Chunk("", "");
  AddCall(&a, 0, "call_a", "get_weather", "");
  AddCall(&a, 1, "call_b", "get_time", "{\"ci");
  acc.Add(a);
  v1::ChatCompletionChunk b = Chunk("", "");
  AddCall(&b, 0, "", "", "{\"city\":");
  AddCall(&b, 1, "", "", "ty\":\"Paris\"}");
  acc.Add(b);
  v1::ChatCompletionChunk c = Chunk("", "");
  AddCall(&c, 0, "", "", "\"Oslo\"}");
  c.mutable_choices(0)->set_finish_reason(v1::FINISH_REASON_TOOL_CALLS);
  acc.Add(c);

  const v1::AssistantMessage& m = acc.completion().choices(0).message();
  EXPECT_FALSE(m.has_content());
  ASSERT_EQ(m.tool_calls_size(), 2);
  EXPECT_EQ(m.tool_calls(0).id(), "call_a");
  EXPECT_EQ(m.tool_calls(0).type(), v1::TOOL_TYPE_FUNCTION);
  EXPECT_EQ(m.tool_calls(0).function().name(), "get_weather");
  EXPECT_EQ(m.tool_calls(0).function().arguments(), "{\"city\":\"Oslo\"}");
  EXPECT_EQ(m.tool_calls(1).function().name(), "get_time");
  EXPECT_EQ(m.tool_calls(1).function().arguments(), "{\"city\":\"Paris\"}");
  EXPECT_EQ(acc.completion().choices(0).finish_reason(), v1::FINISH_REASON_TOOL_CALLS);
}

TEST(StreamAccumulatorTest, PutsTheChecksOfAFinishedChoiceWhereUnaryHasThem) {
  StreamAccumulator acc;
  v1::ChatCompletionChunk first = Chunk("", "");
  AddCall(&first, 0, "call_a", "get_weather", "{\"city\":");
  AddCall(&first, 1, "call_b", "get_time", "{}");
  acc.Add(first);
  v1::ChatCompletionChunk last = Chunk("", "");
  AddCall(&last, 0, "", "", "\"Oslo\"}");
  v1::ChunkChoice* choice = last.mutable_choices(0);
  choice->set_finish_reason(v1::FINISH_REASON_TOOL_CALLS);
  v1::ToolCallValidation* b = choice->add_tool_call_validations();
  b->set_index(1);
  b->mutable_arguments_validation()->set_unknown_tool(true);
  v1::ToolCallValidation* a = choice->add_tool_call_validations();
  a->set_index(0);
  a->mutable_arguments_validation()->set_valid_json(true);
  a->mutable_arguments_validation()->set_schema_valid(true);
  choice->mutable_content_validation()->set_valid_json(true);
  acc.Add(last);

  const v1::Choice& done = acc.completion().choices(0);
  ASSERT_EQ(done.message().tool_calls_size(), 2);
  EXPECT_EQ(done.message().tool_calls(0).function().arguments(), "{\"city\":\"Oslo\"}");
  EXPECT_TRUE(done.message().tool_calls(0).arguments_validation().schema_valid());
  EXPECT_TRUE(done.message().tool_calls(1).arguments_validation().unknown_tool());
  EXPECT_TRUE(done.content_validation().valid_json());
}

}  // namespace
}  // namespace seedgate::client
