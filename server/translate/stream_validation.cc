#include "server/translate/stream_validation.h"

#include "server/translate/content_validation.h"
#include "server/translate/tool_call_validation.h"

namespace seedgate::translate {

std::vector<ValidationRecord> StreamValidator::Observe(v1::ChatCompletionChunk& chunk) {
  std::vector<ValidationRecord> records;
  for (v1::ChunkChoice& choice : *chunk.mutable_choices()) {
    ChoiceSoFar& so_far = choices_[choice.index()];
    const v1::Delta& delta = choice.delta();
    if (schemas_.content_format != ContentFormat::kText) so_far.content += delta.content();
    for (const v1::ToolCallDelta& piece : delta.tool_calls()) {
      ToolCallSoFar& call = so_far.tool_calls[piece.index()];
      // The first piece names the call; some upstreams repeat the name in
      // later pieces, which must not be appended.
      if (call.id.empty()) call.id = piece.id();
      if (call.name.empty()) call.name = piece.function().name();
      call.arguments += piece.function().arguments();
    }
    if (choice.finish_reason() != v1::FINISH_REASON_UNSPECIFIED) {
      Finish(choice, so_far, records);
      choices_.erase(choice.index());
    }
  }
  return records;
}

void StreamValidator::Finish(v1::ChunkChoice& choice, ChoiceSoFar& so_far,
                             std::vector<ValidationRecord>& records) {
  for (const auto& [index, call] : so_far.tool_calls) {
    v1::ToolCallValidation* validation = choice.add_tool_call_validations();
    validation->set_index(index);
    validation->set_id(call.id);
    validation->set_name(call.name);
    *validation->mutable_arguments_validation() =
        ValidateToolCallArguments(schemas_, call.name, call.arguments);
    records.push_back(
        {ValidationSubject::kToolArguments, OutcomeOf(validation->arguments_validation())});
  }
  if (!ShouldValidateContent(schemas_, so_far.content, !so_far.tool_calls.empty())) return;
  *choice.mutable_content_validation() = ValidateContent(schemas_, so_far.content);
  records.push_back({ValidationSubject::kContent, OutcomeOf(choice.content_validation())});
  if (strict_status_.ok()) {
    strict_status_ = StrictContentStatus(schemas_, choice.index(), choice.content_validation());
  }
}

}  // namespace seedgate::translate
