// ChatRenderer: writes an answer for a person, as it arrives. On a terminal
// the reasoning is dim and the answer plain; piped, each part gets a heading
// ("Reasoning:", "Answer:", "Tool calls:") so the text stays readable and
// greppable. A "Usage:" line ends the output.
#ifndef SEEDGATE_CLIENT_SEEDCTL_CHAT_RENDERER_H_
#define SEEDGATE_CLIENT_SEEDCTL_CHAT_RENDERER_H_

#include <ostream>
#include <string>

#include "seedgate/v1/chat.pb.h"

namespace seedgate::seedctl {

class ChatRenderer {
 public:
  ChatRenderer(std::ostream& out, bool terminal) : out_(out), terminal_(terminal) {}

  // A stream chunk: its reasoning and content, written and flushed at once.
  void AddChunk(const v1::ChatCompletionChunk& chunk);

  // The end: tool calls, an unusual finish reason, the usage line. For a
  // stream pass the accumulated answer (client::StreamAccumulator).
  void Finish(const v1::ChatCompletion& completion);

  // A whole (unary) answer: reasoning, content, then Finish().
  void ShowCompletion(const v1::ChatCompletion& completion);

  // The output stops early (error, Ctrl-C): undo the dim colour, end the line.
  void Interrupt();

 private:
  enum class Section { kNone, kReasoning, kAnswer };
  void Reasoning(const std::string& text);
  void Content(const std::string& text);
  void Write(const std::string& text);
  void Escape(const char* sequence);
  void EndLine();

  std::ostream& out_;
  bool terminal_;
  Section section_ = Section::kNone;
  bool dim_ = false;
  bool at_line_start_ = true;
};

// `{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"{...}"}}`
std::string ToolCallJson(int index, const v1::ToolCall& call);

// "Usage: 12 prompt + 30 completion (6 reasoning) = 42 tokens"
std::string UsageLine(const v1::Usage& usage);

}  // namespace seedgate::seedctl

#endif  // SEEDGATE_CLIENT_SEEDCTL_CHAT_RENDERER_H_
