#include "server/translate/enum_strings.h"

namespace seedgate::translate {

std::string_view RoleString(v1::Role role) {
  switch (role) {
    case v1::ROLE_SYSTEM:
      return "system";
    case v1::ROLE_USER:
      return "user";
    case v1::ROLE_ASSISTANT:
      return "assistant";
    case v1::ROLE_TOOL:
      return "tool";
    default:
      return "";
  }
}

std::string_view ImageDetailString(v1::ImageDetail detail) {
  switch (detail) {
    case v1::IMAGE_DETAIL_LOW:
      return "low";
    case v1::IMAGE_DETAIL_HIGH:
      return "high";
    case v1::IMAGE_DETAIL_XHIGH:
      return "xhigh";
    default:
      return "";
  }
}

std::string_view ThinkingTypeString(v1::ThinkingType type) {
  switch (type) {
    case v1::THINKING_TYPE_ENABLED:
      return "enabled";
    case v1::THINKING_TYPE_DISABLED:
      return "disabled";
    case v1::THINKING_TYPE_AUTO:
      return "auto";
    default:
      return "";
  }
}

std::string_view ReasoningEffortString(v1::ReasoningEffort effort) {
  switch (effort) {
    case v1::REASONING_EFFORT_MINIMAL:
      return "minimal";
    case v1::REASONING_EFFORT_LOW:
      return "low";
    case v1::REASONING_EFFORT_MEDIUM:
      return "medium";
    case v1::REASONING_EFFORT_HIGH:
      return "high";
    default:
      return "";
  }
}

std::string_view ResponseFormatTypeString(v1::ResponseFormatType type) {
  switch (type) {
    case v1::RESPONSE_FORMAT_TYPE_TEXT:
      return "text";
    case v1::RESPONSE_FORMAT_TYPE_JSON_OBJECT:
      return "json_object";
    case v1::RESPONSE_FORMAT_TYPE_JSON_SCHEMA:
      return "json_schema";
    default:
      return "";
  }
}

std::string_view ToolChoiceModeString(v1::ToolChoiceMode mode) {
  switch (mode) {
    case v1::TOOL_CHOICE_MODE_NONE:
      return "none";
    case v1::TOOL_CHOICE_MODE_AUTO:
      return "auto";
    case v1::TOOL_CHOICE_MODE_REQUIRED:
      return "required";
    default:
      return "";
  }
}

v1::Role RoleFromString(std::string_view text) {
  if (text == "system") return v1::ROLE_SYSTEM;
  if (text == "user") return v1::ROLE_USER;
  if (text == "assistant") return v1::ROLE_ASSISTANT;
  if (text == "tool") return v1::ROLE_TOOL;
  return v1::ROLE_UNSPECIFIED;
}

v1::ToolType ToolTypeFromString(std::string_view text) {
  return text == "function" ? v1::TOOL_TYPE_FUNCTION : v1::TOOL_TYPE_UNSPECIFIED;
}

v1::FinishReason FinishReasonFromString(std::string_view text) {
  if (text == "stop") return v1::FINISH_REASON_STOP;
  if (text == "length") return v1::FINISH_REASON_LENGTH;
  if (text == "content_filter") return v1::FINISH_REASON_CONTENT_FILTER;
  if (text == "tool_calls") return v1::FINISH_REASON_TOOL_CALLS;
  return v1::FINISH_REASON_UNSPECIFIED;
}

v1::ServiceTier ServiceTierFromString(std::string_view text) {
  if (text == "default") return v1::SERVICE_TIER_DEFAULT;
  if (text == "scale") return v1::SERVICE_TIER_SCALE;
  return v1::SERVICE_TIER_UNSPECIFIED;
}

v1::ModerationHitType ModerationHitTypeFromString(std::string_view text) {
  if (text == "severe_violation") return v1::MODERATION_HIT_TYPE_SEVERE_VIOLATION;
  if (text == "violence") return v1::MODERATION_HIT_TYPE_VIOLENCE;
  return v1::MODERATION_HIT_TYPE_UNSPECIFIED;
}

}  // namespace seedgate::translate
