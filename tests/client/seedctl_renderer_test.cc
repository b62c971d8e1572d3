// seedctl's human output, on a terminal and piped.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "client/seedctl/chat_renderer.h"

namespace seedgate::seedctl {
namespace {

v1::ChatCompletionChunk Delta(const std::string& reasoning, const std::string& content) {
  v1::ChatCompletionChunk chunk;
  auto* delta = chunk.add_choices()->mutable_delta();
  if (!reasoning.empty()) delta->set_reasoning_content(reasoning);
  if (!content.empty()) delta->set_content(content);
  return chunk;
}

v1::ChatCompletion Done() {
  v1::ChatCompletion completion;
  completion.add_choices()->set_finish_reason(v1::FINISH_REASON_STOP);
  auto* usage = completion.mutable_usage();
  usage->set_prompt_tokens(10);
  usage->set_completion_tokens(8);
  usage->set_total_tokens(18);
  usage->mutable_completion_tokens_details()->set_reasoning_tokens(3);
  return completion;
}

TEST(SeedctlRendererTest, PipedOutputHasSections) {
  std::ostringstream out;
  ChatRenderer renderer(out, /*terminal=*/false);
  renderer.AddChunk(Delta("Let me", ""));
  renderer.AddChunk(Delta(" think.", ""));
  renderer.AddChunk(Delta("", "Hi"));
  renderer.AddChunk(Delta("", " there."));
  renderer.Finish(Done());
  EXPECT_EQ(out.str(),
            "Reasoning:\nLet me think.\n\nAnswer:\nHi there.\n\n"
            "Usage: 10 prompt + 8 completion (3 reasoning) = 18 tokens\n");
}

TEST(SeedctlRendererTest, PipedOutputWithoutReasoningIsJustTheAnswer) {
  std::ostringstream out;
  ChatRenderer renderer(out, false);
  renderer.AddChunk(Delta("", "Hi."));
  renderer.Finish(Done());
  EXPECT_EQ(out.str(), "Hi.\n\nUsage: 10 prompt + 8 completion (3 reasoning) = 18 tokens\n");
}

TEST(SeedctlRendererTest, TerminalDimsTheReasoning) {
  std::ostringstream out;
  ChatRenderer renderer(out, /*terminal=*/true);
  renderer.AddChunk(Delta("hmm", ""));
  renderer.AddChunk(Delta("", "Hi."));
  renderer.Finish(Done());
  EXPECT_EQ(out.str(),
            "\x1b[2mhmm\x1b[0m\n\nHi.\n\n"
            "\x1b[2mUsage: 10 prompt + 8 completion (3 reasoning) = 18 tokens\x1b[0m\n");
}

TEST(SeedctlRendererTest, InterruptedReasoningRestoresTheTerminal) {
  std::ostringstream out;
  ChatRenderer renderer(out, true);
  renderer.AddChunk(Delta("thinking", ""));
  renderer.Interrupt();
  EXPECT_EQ(out.str(), "\x1b[2mthinking\x1b[0m\n");
}

TEST(SeedctlRendererTest, ToolCallsAsJsonLines) {
  v1::ChatCompletion completion = Done();
  auto* choice = completion.mutable_choices(0);
  choice->set_finish_reason(v1::FINISH_REASON_TOOL_CALLS);
  auto* call = choice->mutable_message()->add_tool_calls();
  call->set_id("call_1");
  call->mutable_function()->set_name("get_weather");
  call->mutable_function()->set_arguments("{\"city\":\"Paris\"}");
  completion.clear_usage();
  std::ostringstream out;
  ChatRenderer(out, false).ShowCompletion(completion);
  EXPECT_EQ(out.str(),
            "Tool calls:\n"
            R"({"index":0,"id":"call_1","type":"function",)"
            R"("function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}})"
            "\n");
}

}  // namespace
}  // namespace seedgate::seedctl
