// StreamAccumulator: rebuilds from stream chunks the ChatCompletion that
// CreateChatCompletion would have returned: content and reasoning joined,
// tool calls reassembled from their deltas by index, the finish reason, the
// usage, and seedgate's answer checks (a finished choice's
// tool_call_validations become each ToolCall's arguments_validation).
#ifndef SEEDGATE_CLIENT_STREAM_ACCUMULATOR_H_
#define SEEDGATE_CLIENT_STREAM_ACCUMULATOR_H_

#include <map>
#include <utility>

#include "seedgate/v1/chat.pb.h"

namespace seedgate::client {

class StreamAccumulator {
 public:
  void Add(const v1::ChatCompletionChunk& chunk);

  // The answer so far; choices and tool calls in the order they first appeared.
  const v1::ChatCompletion& completion() const { return completion_; }

 private:
  v1::Choice* ChoiceFor(int index);

  v1::ChatCompletion completion_;
  std::map<int, int> choice_position_;                     // choice index -> position
  std::map<std::pair<int, int>, int> tool_call_position_;  // (choice, call index) -> position
};

}  // namespace seedgate::client

#endif  // SEEDGATE_CLIENT_STREAM_ACCUMULATOR_H_
