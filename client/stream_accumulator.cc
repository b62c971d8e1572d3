#include "client/stream_accumulator.h"

namespace seedgate::client {

v1::Choice* StreamAccumulator::ChoiceFor(int index) {
  auto [it, inserted] = choice_position_.try_emplace(index, completion_.choices_size());
  if (!inserted) return completion_.mutable_choices(it->second);
  v1::Choice* choice = completion_.add_choices();
  choice->set_index(index);
  choice->mutable_message()->set_role(v1::ROLE_ASSISTANT);
  return choice;
}

void StreamAccumulator::Add(const v1::ChatCompletionChunk& chunk) {
  if (completion_.id().empty()) completion_.set_id(chunk.id());
  if (completion_.model().empty()) completion_.set_model(chunk.model());
  if (completion_.created() == 0) completion_.set_created(chunk.created());
  if (chunk.service_tier() != v1::SERVICE_TIER_UNSPECIFIED) {
    completion_.set_service_tier(chunk.service_tier());
  }
  completion_.set_object("chat.completion");
  // Usage is cumulative in every chunk that has it: the last one is the total.
  if (chunk.has_usage()) *completion_.mutable_usage() = chunk.usage();

  for (const v1::ChunkChoice& part : chunk.choices()) {
    v1::Choice* choice = ChoiceFor(part.index());
    v1::AssistantMessage* message = choice->mutable_message();
    const v1::Delta& delta = part.delta();
    if (delta.has_content()) message->mutable_content()->append(delta.content());
    if (delta.has_reasoning_content()) {
      message->mutable_reasoning_content()->append(delta.reasoning_content());
    }
    for (const v1::ToolCallDelta& call_delta : delta.tool_calls()) {
      auto [it, inserted] = tool_call_position_.try_emplace(
          std::make_pair(part.index(), call_delta.index()), message->tool_calls_size());
      v1::ToolCall* call =
          inserted ? message->add_tool_calls() : message->mutable_tool_calls(it->second);
      // The first delta of a call names it; later ones only add arguments.
      if (!call_delta.id().empty()) call->set_id(call_delta.id());
      if (call_delta.type() != v1::TOOL_TYPE_UNSPECIFIED) call->set_type(call_delta.type());
      if (inserted && call->type() == v1::TOOL_TYPE_UNSPECIFIED) {
        call->set_type(v1::TOOL_TYPE_FUNCTION);
      }
      if (!call_delta.function().name().empty() && call->function().name().empty()) {
        call->mutable_function()->set_name(call_delta.function().name());
      }
      call->mutable_function()->mutable_arguments()->append(call_delta.function().arguments());
    }
    if (part.finish_reason() != v1::FINISH_REASON_UNSPECIFIED) {
      choice->set_finish_reason(part.finish_reason());
    }
    // seedgate's checks, given once the choice is complete, land where the
    // unary RPC puts them.
    for (const v1::ToolCallValidation& validation : part.tool_call_validations()) {
      auto it = tool_call_position_.find(std::make_pair(part.index(), validation.index()));
      if (it == tool_call_position_.end()) continue;
      *message->mutable_tool_calls(it->second)->mutable_arguments_validation() =
          validation.arguments_validation();
    }
    if (part.has_content_validation()) {
      *choice->mutable_content_validation() = part.content_validation();
    }
    if (part.moderation_hit_type() != v1::MODERATION_HIT_TYPE_UNSPECIFIED) {
      choice->set_moderation_hit_type(part.moderation_hit_type());
    }
    if (part.has_logprobs()) {
      for (const auto& token : part.logprobs().content()) {
        *choice->mutable_logprobs()->add_content() = token;
      }
    }
  }
}

}  // namespace seedgate::client
