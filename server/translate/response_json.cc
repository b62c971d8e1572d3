#include "server/translate/response_json.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "server/translate/enum_strings.h"
#include "server/translate/upstream_error.h"

namespace seedgate::translate {
namespace {

using nlohmann::json;

#define SEEDGATE_RETURN_IF_ERROR(expr)                                \
  do {                                                                \
    if (absl::Status status_ = (expr); !status_.ok()) return status_; \
  } while (false)

// Reading is lenient the way a good client is: unknown members are ignored,
// JSON null is the same as an absent member, numbers are read whether the
// upstream wrote them as integers, floats or numeric strings, and scalars where
// a string is expected are read as their JSON text. Only a shape that cannot
// be read as documented (an object where a string belongs, a string where an
// array belongs, ...) fails, naming the member by its path.

absl::Status WrongType(const std::string& path, const json& value, absl::string_view expected) {
  return MalformedUpstreamResponse(
      absl::StrCat(path, " is ", value.type_name(), ", expected ", expected));
}

// The member `key` of `object`, or nullptr when it is absent or null.
const json* Member(const json& object, absl::string_view key) {
  auto it = object.find(std::string_view(key.data(), key.size()));
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string Path(absl::string_view parent, absl::string_view key) {
  return parent.empty() ? std::string(key) : absl::StrCat(parent, ".", key);
}

std::string IndexPath(absl::string_view array_path, size_t index) {
  return absl::StrCat(array_path, "[", index, "]");
}

// Calls `set(std::string)` when the member is present.
template <typename Setter>
absl::Status ReadString(const json& object, absl::string_view key, absl::string_view parent,
                        Setter set) {
  const json* value = Member(object, key);
  if (value == nullptr) return absl::OkStatus();
  if (value->is_string()) {
    set(value->get<std::string>());
  } else if (value->is_number() || value->is_boolean()) {
    set(value->dump());
  } else {
    return WrongType(Path(parent, key), *value, "a string");
  }
  return absl::OkStatus();
}

template <typename Int>
Int ClampToInt(double number) {
  if (std::isnan(number)) return 0;
  if (number <= static_cast<double>(std::numeric_limits<Int>::min())) {
    return std::numeric_limits<Int>::min();
  }
  if (number >= static_cast<double>(std::numeric_limits<Int>::max())) {
    return std::numeric_limits<Int>::max();
  }
  return static_cast<Int>(number);
}

// An integer from an integer, a float (truncated: `12.0` is 12) or a numeric
// string; out-of-range values saturate.
template <typename Int>
absl::Status ParseInt(const json& value, const std::string& path, Int* out) {
  if (value.is_number_integer() && !value.is_number_unsigned()) {
    const std::int64_t number = value.get<std::int64_t>();
    *out = static_cast<Int>(std::clamp<std::int64_t>(number, std::numeric_limits<Int>::min(),
                                                     std::numeric_limits<Int>::max()));
    return absl::OkStatus();
  }
  if (value.is_number_unsigned()) {
    const std::uint64_t number = value.get<std::uint64_t>();
    *out = number > static_cast<std::uint64_t>(std::numeric_limits<Int>::max())
               ? std::numeric_limits<Int>::max()
               : static_cast<Int>(number);
    return absl::OkStatus();
  }
  double number = 0;
  if (value.is_number_float()) {
    number = value.get<double>();
  } else if (!value.is_string() ||
             !absl::SimpleAtod(absl::StripAsciiWhitespace(value.get<std::string>()), &number)) {
    return WrongType(path, value, "an integer");
  }
  *out = ClampToInt<Int>(std::trunc(number));
  return absl::OkStatus();
}

template <typename Int, typename Setter>
absl::Status ReadInt(const json& object, absl::string_view key, absl::string_view parent,
                     Setter set) {
  const json* value = Member(object, key);
  if (value == nullptr) return absl::OkStatus();
  Int number = 0;
  SEEDGATE_RETURN_IF_ERROR(ParseInt(*value, Path(parent, key), &number));
  set(number);
  return absl::OkStatus();
}

template <typename Setter>
absl::Status ReadDouble(const json& object, absl::string_view key, absl::string_view parent,
                        Setter set) {
  const json* value = Member(object, key);
  if (value == nullptr) return absl::OkStatus();
  double number = 0;
  if (value->is_number()) {
    number = value->get<double>();
  } else if (!value->is_string() ||
             !absl::SimpleAtod(absl::StripAsciiWhitespace(value->get<std::string>()), &number)) {
    return WrongType(Path(parent, key), *value, "a number");
  }
  set(number);
  return absl::OkStatus();
}

// An enum from its upstream string; a string this build does not know (or a
// stray scalar) leaves the *_UNSPECIFIED default.
template <typename Enum>
absl::Status ReadEnum(const json& object, absl::string_view key, absl::string_view parent,
                      Enum (*from_string)(std::string_view), Enum* out) {
  const json* value = Member(object, key);
  if (value == nullptr) return absl::OkStatus();
  if (value->is_string()) {
    *out = from_string(value->get_ref<const std::string&>());
  } else if (value->is_object() || value->is_array()) {
    return WrongType(Path(parent, key), *value, "a string");
  }
  return absl::OkStatus();
}

// Calls `read(element, element_path, index)` for each element of the array
// member `key`; absent or null is an empty array.
template <typename ReadElement>
absl::Status ReadArray(const json& object, absl::string_view key, absl::string_view parent,
                       ReadElement read) {
  const json* value = Member(object, key);
  if (value == nullptr) return absl::OkStatus();
  const std::string path = Path(parent, key);
  if (!value->is_array()) return WrongType(path, *value, "an array");
  for (size_t i = 0; i < value->size(); ++i) {
    SEEDGATE_RETURN_IF_ERROR(read((*value)[i], IndexPath(path, i), i));
  }
  return absl::OkStatus();
}

// Calls `read(member, member_path)` when the object member `key` is present.
template <typename ReadObject>
absl::Status ReadObjectMember(const json& object, absl::string_view key, absl::string_view parent,
                              ReadObject read) {
  const json* value = Member(object, key);
  if (value == nullptr) return absl::OkStatus();
  const std::string path = Path(parent, key);
  if (!value->is_object()) return WrongType(path, *value, "an object");
  return read(*value, path);
}

absl::Status RequireObject(const json& value, const std::string& path) {
  return value.is_object() ? absl::OkStatus() : WrongType(path, value, "an object");
}

absl::Status ReadBytes(const json& object, absl::string_view parent,
                       google::protobuf::RepeatedField<std::int32_t>* bytes) {
  return ReadArray(object, "bytes", parent,
                   [&](const json& element, const std::string& path, size_t) {
                     std::int32_t byte = 0;
                     SEEDGATE_RETURN_IF_ERROR(ParseInt(element, path, &byte));
                     bytes->Add(byte);
                     return absl::OkStatus();
                   });
}

absl::Status ReadTopLogprob(const json& value, const std::string& path, v1::TopLogprob* out) {
  SEEDGATE_RETURN_IF_ERROR(RequireObject(value, path));
  SEEDGATE_RETURN_IF_ERROR(
      ReadString(value, "token", path, [&](std::string s) { out->set_token(std::move(s)); }));
  SEEDGATE_RETURN_IF_ERROR(ReadBytes(value, path, out->mutable_bytes()));
  return ReadDouble(value, "logprob", path, [&](double d) { out->set_logprob(d); });
}

absl::Status ReadTokenLogprob(const json& value, const std::string& path, v1::TokenLogprob* out) {
  SEEDGATE_RETURN_IF_ERROR(RequireObject(value, path));
  SEEDGATE_RETURN_IF_ERROR(
      ReadString(value, "token", path, [&](std::string s) { out->set_token(std::move(s)); }));
  SEEDGATE_RETURN_IF_ERROR(ReadBytes(value, path, out->mutable_bytes()));
  SEEDGATE_RETURN_IF_ERROR(
      ReadDouble(value, "logprob", path, [&](double d) { out->set_logprob(d); }));
  return ReadArray(value, "top_logprobs", path,
                   [&](const json& element, const std::string& element_path, size_t) {
                     return ReadTopLogprob(element, element_path, out->add_top_logprobs());
                   });
}

absl::Status ReadLogprobs(const json& choice, absl::string_view parent,
                          std::function<v1::Logprobs*()> mutable_logprobs) {
  return ReadObjectMember(
      choice, "logprobs", parent, [&](const json& value, const std::string& path) {
        v1::Logprobs* logprobs = mutable_logprobs();
        return ReadArray(value, "content", path,
                         [&](const json& element, const std::string& element_path, size_t) {
                           return ReadTokenLogprob(element, element_path, logprobs->add_content());
                         });
      });
}

absl::Status ReadUsage(const json& body, std::function<v1::Usage*()> mutable_usage) {
  return ReadObjectMember(body, "usage", "", [&](const json& value, const std::string& path) {
    v1::Usage* usage = mutable_usage();
    SEEDGATE_RETURN_IF_ERROR(ReadInt<std::int64_t>(
        value, "prompt_tokens", path, [&](std::int64_t n) { usage->set_prompt_tokens(n); }));
    SEEDGATE_RETURN_IF_ERROR(
        ReadInt<std::int64_t>(value, "completion_tokens", path,
                              [&](std::int64_t n) { usage->set_completion_tokens(n); }));
    SEEDGATE_RETURN_IF_ERROR(ReadInt<std::int64_t>(
        value, "total_tokens", path, [&](std::int64_t n) { usage->set_total_tokens(n); }));
    SEEDGATE_RETURN_IF_ERROR(ReadObjectMember(
        value, "prompt_tokens_details", path, [&](const json& details, const std::string& p) {
          return ReadInt<std::int64_t>(details, "cached_tokens", p, [&](std::int64_t n) {
            usage->mutable_prompt_tokens_details()->set_cached_tokens(n);
          });
        }));
    return ReadObjectMember(
        value, "completion_tokens_details", path, [&](const json& details, const std::string& p) {
          return ReadInt<std::int64_t>(details, "reasoning_tokens", p, [&](std::int64_t n) {
            usage->mutable_completion_tokens_details()->set_reasoning_tokens(n);
          });
        });
  });
}

// Tool-call arguments are JSON text. Some OpenAI-compatible upstreams send the
// arguments as a JSON object instead; its text is what the caller wants.
template <typename Setter>
absl::Status ReadArguments(const json& function, absl::string_view parent, Setter set) {
  const json* value = Member(function, "arguments");
  if (value != nullptr && value->is_object()) {
    set(value->dump(-1, ' ', false, json::error_handler_t::replace));
    return absl::OkStatus();
  }
  return ReadString(function, "arguments", parent, set);
}

// The fields ToolCall and ToolCallDelta share: id, type, function{name,
// arguments}.
template <typename Call>
absl::Status ReadToolCallCommon(const json& value, const std::string& path, Call* out) {
  SEEDGATE_RETURN_IF_ERROR(
      ReadString(value, "id", path, [&](std::string s) { out->set_id(std::move(s)); }));
  v1::ToolType type = v1::TOOL_TYPE_UNSPECIFIED;
  SEEDGATE_RETURN_IF_ERROR(ReadEnum(value, "type", path, ToolTypeFromString, &type));
  out->set_type(type);
  return ReadObjectMember(value, "function", path, [&](const json& function, const std::string& p) {
    auto* function_out = out->mutable_function();
    SEEDGATE_RETURN_IF_ERROR(ReadString(
        function, "name", p, [&](std::string s) { function_out->set_name(std::move(s)); }));
    return ReadArguments(function, p,
                         [&](std::string s) { function_out->set_arguments(std::move(s)); });
  });
}

// The fields AssistantMessage and Delta share.
template <typename Message, typename ReadToolCall>
absl::Status ReadMessageCommon(const json& value, const std::string& path, Message* out,
                               ReadToolCall read_tool_call) {
  v1::Role role = v1::ROLE_UNSPECIFIED;
  SEEDGATE_RETURN_IF_ERROR(ReadEnum(value, "role", path, RoleFromString, &role));
  out->set_role(role);
  SEEDGATE_RETURN_IF_ERROR(
      ReadString(value, "content", path, [&](std::string s) { out->set_content(std::move(s)); }));
  SEEDGATE_RETURN_IF_ERROR(ReadString(value, "reasoning_content", path, [&](std::string s) {
    out->set_reasoning_content(std::move(s));
  }));
  return ReadArray(value, "tool_calls", path, read_tool_call);
}

// The fields Choice and ChunkChoice share, except the message/delta. A missing
// `index` is the choice's position in the array.
template <typename ChoiceT>
absl::Status ReadChoiceCommon(const json& value, const std::string& path, size_t position,
                              ChoiceT* out) {
  out->set_index(static_cast<std::int32_t>(position));
  SEEDGATE_RETURN_IF_ERROR(
      ReadInt<std::int32_t>(value, "index", path, [&](std::int32_t n) { out->set_index(n); }));
  v1::FinishReason finish_reason = v1::FINISH_REASON_UNSPECIFIED;
  SEEDGATE_RETURN_IF_ERROR(
      ReadEnum(value, "finish_reason", path, FinishReasonFromString, &finish_reason));
  out->set_finish_reason(finish_reason);
  v1::ModerationHitType hit_type = v1::MODERATION_HIT_TYPE_UNSPECIFIED;
  SEEDGATE_RETURN_IF_ERROR(
      ReadEnum(value, "moderation_hit_type", path, ModerationHitTypeFromString, &hit_type));
  out->set_moderation_hit_type(hit_type);
  return ReadLogprobs(value, path, [out] { return out->mutable_logprobs(); });
}

// The top-level fields ChatCompletion and ChatCompletionChunk share, except
// choices.
template <typename Response>
absl::Status ReadResponseCommon(const json& body, Response* out) {
  SEEDGATE_RETURN_IF_ERROR(
      ReadString(body, "id", "", [&](std::string s) { out->set_id(std::move(s)); }));
  SEEDGATE_RETURN_IF_ERROR(
      ReadString(body, "model", "", [&](std::string s) { out->set_model(std::move(s)); }));
  SEEDGATE_RETURN_IF_ERROR(
      ReadString(body, "object", "", [&](std::string s) { out->set_object(std::move(s)); }));
  v1::ServiceTier tier = v1::SERVICE_TIER_UNSPECIFIED;
  SEEDGATE_RETURN_IF_ERROR(ReadEnum(body, "service_tier", "", ServiceTierFromString, &tier));
  out->set_service_tier(tier);
  SEEDGATE_RETURN_IF_ERROR(
      ReadInt<std::int64_t>(body, "created", "", [&](std::int64_t n) { out->set_created(n); }));
  return ReadUsage(body, [out] { return out->mutable_usage(); });
}

absl::Status RequireBodyObject(const json& body) {
  if (body.is_object()) return absl::OkStatus();
  return MalformedUpstreamResponse(
      absl::StrCat("body is ", body.type_name(), ", expected a JSON object"));
}

}  // namespace

absl::StatusOr<v1::ChatCompletion> CompletionFromJson(const nlohmann::json& body) {
  SEEDGATE_RETURN_IF_ERROR(RequireBodyObject(body));
  v1::ChatCompletion completion;
  SEEDGATE_RETURN_IF_ERROR(ReadResponseCommon(body, &completion));
  SEEDGATE_RETURN_IF_ERROR(ReadArray(
      body, "choices", "", [&](const json& value, const std::string& path, size_t position) {
        SEEDGATE_RETURN_IF_ERROR(RequireObject(value, path));
        v1::Choice* choice = completion.add_choices();
        SEEDGATE_RETURN_IF_ERROR(ReadChoiceCommon(value, path, position, choice));
        return ReadObjectMember(
            value, "message", path, [&](const json& message, const std::string& message_path) {
              v1::AssistantMessage* out = choice->mutable_message();
              return ReadMessageCommon(message, message_path, out,
                                       [&](const json& call, const std::string& call_path, size_t) {
                                         SEEDGATE_RETURN_IF_ERROR(RequireObject(call, call_path));
                                         return ReadToolCallCommon(call, call_path,
                                                                   out->add_tool_calls());
                                       });
            });
      }));
  return completion;
}

absl::StatusOr<v1::ChatCompletionChunk> ChunkFromJson(const nlohmann::json& body) {
  SEEDGATE_RETURN_IF_ERROR(RequireBodyObject(body));
  v1::ChatCompletionChunk chunk;
  SEEDGATE_RETURN_IF_ERROR(ReadResponseCommon(body, &chunk));
  SEEDGATE_RETURN_IF_ERROR(ReadArray(
      body, "choices", "", [&](const json& value, const std::string& path, size_t position) {
        SEEDGATE_RETURN_IF_ERROR(RequireObject(value, path));
        v1::ChunkChoice* choice = chunk.add_choices();
        SEEDGATE_RETURN_IF_ERROR(ReadChoiceCommon(value, path, position, choice));
        return ReadObjectMember(
            value, "delta", path, [&](const json& delta, const std::string& delta_path) {
              v1::Delta* out = choice->mutable_delta();
              return ReadMessageCommon(
                  delta, delta_path, out,
                  [&](const json& call, const std::string& call_path, size_t call_position) {
                    SEEDGATE_RETURN_IF_ERROR(RequireObject(call, call_path));
                    v1::ToolCallDelta* call_out = out->add_tool_calls();
                    // `index` says which call a fragment belongs to; without
                    // one, its position in this chunk is the best guess.
                    call_out->set_index(static_cast<std::int32_t>(call_position));
                    SEEDGATE_RETURN_IF_ERROR(ReadInt<std::int32_t>(
                        call, "index", call_path, [&](std::int32_t n) { call_out->set_index(n); }));
                    return ReadToolCallCommon(call, call_path, call_out);
                  });
            });
      }));
  return chunk;
}

}  // namespace seedgate::translate

#undef SEEDGATE_RETURN_IF_ERROR
