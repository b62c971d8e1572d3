#ifndef SEEDGATE_SERVER_TRANSLATE_ENUM_STRINGS_H_
#define SEEDGATE_SERVER_TRANSLATE_ENUM_STRINGS_H_

// Internal: the upstream's lowercase strings for the proto enums, both ways.
// To the upstream: *_UNSPECIFIED and values this build does not know have no
// string (""), so callers omit the field. From the upstream: any string this
// build does not know becomes *_UNSPECIFIED, never an error.

#include <string_view>

#include "seedgate/v1/chat.pb.h"

namespace seedgate::translate {

std::string_view RoleString(v1::Role role);
std::string_view ImageDetailString(v1::ImageDetail detail);
std::string_view ThinkingTypeString(v1::ThinkingType type);
std::string_view ReasoningEffortString(v1::ReasoningEffort effort);
std::string_view ResponseFormatTypeString(v1::ResponseFormatType type);
std::string_view ToolChoiceModeString(v1::ToolChoiceMode mode);

v1::Role RoleFromString(std::string_view text);
v1::ToolType ToolTypeFromString(std::string_view text);
v1::FinishReason FinishReasonFromString(std::string_view text);
v1::ServiceTier ServiceTierFromString(std::string_view text);
v1::ModerationHitType ModerationHitTypeFromString(std::string_view text);

}  // namespace seedgate::translate

#endif  // SEEDGATE_SERVER_TRANSLATE_ENUM_STRINGS_H_
