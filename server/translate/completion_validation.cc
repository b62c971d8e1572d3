#include "server/translate/completion_validation.h"

#include "server/translate/content_validation.h"
#include "server/translate/tool_call_validation.h"

namespace seedgate::translate {

CompletionValidation ValidateCompletion(const RequestSchemas& schemas,
                                        v1::ChatCompletion& completion) {
  CompletionValidation result;
  for (v1::Choice& choice : *completion.mutable_choices()) {
    v1::AssistantMessage& message = *choice.mutable_message();
    for (v1::ToolCall& call : *message.mutable_tool_calls()) {
      *call.mutable_arguments_validation() =
          ValidateToolCallArguments(schemas, call.function().name(), call.function().arguments());
      result.records.push_back(
          {ValidationSubject::kToolArguments, OutcomeOf(call.arguments_validation())});
    }
    if (!ShouldValidateContent(schemas, message.content(), message.tool_calls_size() > 0)) {
      continue;
    }
    *choice.mutable_content_validation() = ValidateContent(schemas, message.content());
    result.records.push_back({ValidationSubject::kContent, OutcomeOf(choice.content_validation())});
    if (result.strict_status.ok()) {
      result.strict_status =
          StrictContentStatus(schemas, choice.index(), choice.content_validation());
    }
  }
  return result;
}

}  // namespace seedgate::translate
