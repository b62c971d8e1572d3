#include "client/seedctl/chat_renderer.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace seedgate::seedctl {
namespace {

constexpr char kDim[] = "\x1b[2m";
constexpr char kReset[] = "\x1b[0m";

std::string FinishReasonName(v1::FinishReason reason) {
  switch (reason) {
    case v1::FINISH_REASON_LENGTH:
      return "length (the answer hit the token limit)";
    case v1::FINISH_REASON_CONTENT_FILTER:
      return "content_filter";
    case v1::FINISH_REASON_TOOL_CALLS:
      return "tool_calls";
    default:
      return "";
  }
}

}  // namespace

void ChatRenderer::Write(const std::string& text) {
  if (text.empty()) return;
  out_ << text << std::flush;  // every token shows the moment it arrives
  at_line_start_ = text.back() == '\n';
}

// Escape sequences change the colour, not the line.
void ChatRenderer::Escape(const char* sequence) { out_ << sequence << std::flush; }

void ChatRenderer::EndLine() {
  if (!at_line_start_) Write("\n");
}

void ChatRenderer::Reasoning(const std::string& text) {
  if (text.empty()) return;
  if (section_ != Section::kReasoning) {
    EndLine();
    if (terminal_) {
      Escape(kDim);
      dim_ = true;
    } else {
      Write(section_ == Section::kNone ? "Reasoning:\n" : "\nReasoning:\n");
    }
    section_ = Section::kReasoning;
  }
  Write(text);
}

void ChatRenderer::Content(const std::string& text) {
  if (text.empty()) return;
  if (section_ == Section::kReasoning) {
    if (dim_) {
      Escape(kReset);
      dim_ = false;
    }
    EndLine();
    Write(terminal_ ? "\n" : "\nAnswer:\n");
  }
  section_ = Section::kAnswer;
  Write(text);
}

void ChatRenderer::AddChunk(const v1::ChatCompletionChunk& chunk) {
  for (const auto& choice : chunk.choices()) {
    Reasoning(choice.delta().reasoning_content());
    Content(choice.delta().content());
  }
}

void ChatRenderer::ShowCompletion(const v1::ChatCompletion& completion) {
  for (const auto& choice : completion.choices()) {
    Reasoning(choice.message().reasoning_content());
    Content(choice.message().content());
  }
  Finish(completion);
}

void ChatRenderer::Finish(const v1::ChatCompletion& completion) {
  Interrupt();
  for (const auto& choice : completion.choices()) {
    if (choice.message().tool_calls_size() > 0) {
      if (section_ != Section::kNone) Write("\n");
      Write("Tool calls:\n");
      section_ = Section::kAnswer;
      for (int i = 0; i < choice.message().tool_calls_size(); ++i) {
        Write(ToolCallJson(i, choice.message().tool_calls(i)) + "\n");
      }
    }
    if (std::string reason = FinishReasonName(choice.finish_reason());
        !reason.empty() && choice.finish_reason() != v1::FINISH_REASON_TOOL_CALLS) {
      Write("Finish reason: " + reason + "\n");
    }
  }
  if (completion.has_usage()) {
    if (section_ != Section::kNone) Write("\n");
    Write(terminal_ ? absl::StrCat(kDim, UsageLine(completion.usage()), kReset, "\n")
                    : UsageLine(completion.usage()) + "\n");
  }
}

void ChatRenderer::Interrupt() {
  if (dim_) {
    Escape(kReset);
    dim_ = false;
  }
  EndLine();
}

std::string ToolCallJson(int index, const v1::ToolCall& call) {
  nlohmann::ordered_json out = {
      {"index", index},
      {"id", call.id()},
      {"type", "function"},
      {"function", {{"name", call.function().name()}, {"arguments", call.function().arguments()}}},
  };
  // Arguments are model output: never let odd bytes throw.
  return out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string UsageLine(const v1::Usage& usage) {
  std::string line = absl::StrCat("Usage: ", usage.prompt_tokens(), " prompt");
  if (int64_t cached = usage.prompt_tokens_details().cached_tokens(); cached > 0) {
    absl::StrAppend(&line, " (", cached, " cached)");
  }
  absl::StrAppend(&line, " + ", usage.completion_tokens(), " completion");
  if (int64_t reasoning = usage.completion_tokens_details().reasoning_tokens(); reasoning > 0) {
    absl::StrAppend(&line, " (", reasoning, " reasoning)");
  }
  absl::StrAppend(&line, " = ", usage.total_tokens(), " tokens");
  return line;
}

}  // namespace seedgate::seedctl
