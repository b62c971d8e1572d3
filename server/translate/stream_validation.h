#ifndef SEEDGATE_SERVER_TRANSLATE_STREAM_VALIDATION_H_
#define SEEDGATE_SERVER_TRANSLATE_STREAM_VALIDATION_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "seedgate/v1/chat.pb.h"
#include "server/translate/request_schemas.h"
#include "server/translate/validation_outcome.h"

namespace seedgate::translate {

// The checks of a streamed answer. Tool-call arguments and content arrive in
// pieces over many chunks (a tool call's pieces share its index); they are
// assembled per choice as the chunks pass, and checked when the choice is
// complete: in the chunk that carries its finish_reason, which gets
// tool_call_validations (every call of the choice, by index) and, when the
// content is checked, content_validation. A choice that never finishes (the
// stream broke) is never checked. Not thread-safe; one per stream.
class StreamValidator {
 public:
  // `schemas` must outlive this.
  explicit StreamValidator(const RequestSchemas& schemas) : schemas_(schemas) {}

  // Takes in `chunk`'s pieces and sets the checks of each choice it
  // finishes. Returns the checks made (usually none), for the metrics.
  std::vector<ValidationRecord> Observe(v1::ChatCompletionChunk& chunk);

  // StrictContentStatus of the first finished choice that fails it; OK
  // otherwise. The stream's OK end becomes this.
  const absl::Status& strict_status() const { return strict_status_; }

 private:
  struct ToolCallSoFar {
    std::string id;
    std::string name;
    std::string arguments;
  };
  struct ChoiceSoFar {
    std::string content;  // only kept when it will be checked
    std::map<int, ToolCallSoFar> tool_calls;
  };

  void Finish(v1::ChunkChoice& choice, ChoiceSoFar& so_far, std::vector<ValidationRecord>& records);

  const RequestSchemas& schemas_;
  std::map<int, ChoiceSoFar> choices_;
  absl::Status strict_status_;
};

}  // namespace seedgate::translate

#endif  // SEEDGATE_SERVER_TRANSLATE_STREAM_VALIDATION_H_
