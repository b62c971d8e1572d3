#include "server/translate/request_validation.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/translate/model_catalog.h"
#include "server/translate/status_details.h"

namespace seedgate::translate {
namespace {

using FieldViolation = google::rpc::BadRequest::FieldViolation;

// The upstream's documented limits.
constexpr int kMaxCompletionTokensLimit = 65536;
constexpr int kMaxStopStrings = 4;
constexpr int kMaxTopLogprobs = 20;
constexpr int kMaxLogitBias = 100;
constexpr double kMinVideoFps = 0.2;
constexpr double kMaxVideoFps = 5;
constexpr size_t kMaxNameLength = 64;

class Violations {
 public:
  void Add(std::string field, std::string description) {
    FieldViolation violation;
    violation.set_field(std::move(field));
    violation.set_description(std::move(description));
    list_.push_back(std::move(violation));
  }

  // `value` must be a number inside [low, high]; NaN never is.
  void CheckRange(const std::string& field, double value, double low, double high) {
    if (std::isnan(value)) {
      Add(field, absl::StrCat("NaN is not a number; give a value in [", low, ", ", high, "]"));
    } else if (value < low || value > high) {
      Add(field, absl::StrCat(value, " is outside [", low, ", ", high, "]"));
    }
  }

  std::vector<FieldViolation> Take() { return std::move(list_); }

 private:
  std::vector<FieldViolation> list_;
};

std::string Quote(absl::string_view text) { return absl::StrCat("\"", text, "\""); }

// Function and JSON-schema names follow the OpenAI convention the upstream
// copies: ^[a-zA-Z0-9_-]{1,64}$.
bool IsValidName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

void CheckName(Violations& violations, const std::string& field, absl::string_view name) {
  if (name.empty()) {
    violations.Add(field, "is required");
  } else if (!IsValidName(name)) {
    violations.Add(field, absl::StrCat(Quote(name),
                                       " is not a valid name: use 1 to 64 of a-z, A-Z, 0-9, _ "
                                       "and -"));
  }
}

// A value that is not one of the enum's declared numbers (proto3 enums are
// open, so a client may send any int).
void CheckEnumKnown(Violations& violations, const std::string& field, int value,
                    bool (*is_valid)(int)) {
  if (!is_valid(value)) violations.Add(field, absl::StrCat("unknown value ", value));
}

std::string RoleName(v1::Role role) {
  const std::string& name = v1::Role_Name(role);
  return name.empty() ? absl::StrCat("role ", static_cast<int>(role)) : name;
}

void CheckModel(Violations& violations, const std::string& model,
                const ValidationOptions& options) {
  if (model.empty() || options.allow_unknown_models || IsDocumentedModel(model)) return;
  std::vector<std::string> documented;
  for (const v1::Model& entry : ModelCatalog().models()) documented.push_back(entry.id());
  violations.Add(
      "model",
      absl::StrCat("unknown model ", Quote(model), "; use one of ", absl::StrJoin(documented, ", "),
                   ", or leave it empty for the default ", ModelCatalog().default_model()));
}

void CheckContentPart(Violations& violations, const std::string& path,
                      const v1::ContentPart& part) {
  switch (part.part_case()) {
    case v1::ContentPart::kText:
      break;
    case v1::ContentPart::kImageUrl:
      if (part.image_url().url().empty()) {
        violations.Add(path + ".image_url.url", "is required: an image URL or a data: URL");
      }
      CheckEnumKnown(violations, path + ".image_url.detail", part.image_url().detail(),
                     v1::ImageDetail_IsValid);
      break;
    case v1::ContentPart::kVideoUrl:
      if (part.video_url().url().empty()) {
        violations.Add(path + ".video_url.url", "is required: a video URL or a data: URL");
      }
      if (part.video_url().has_fps()) {
        violations.CheckRange(path + ".video_url.fps", part.video_url().fps(), kMinVideoFps,
                              kMaxVideoFps);
      }
      break;
    case v1::ContentPart::PART_NOT_SET:
      violations.Add(path, "sets none of text, image_url, video_url; set exactly one");
      break;
  }
}

void CheckRequestToolCall(Violations& violations, const std::string& path,
                          const v1::ToolCall& call) {
  if (call.id().empty()) {
    violations.Add(path + ".id", "is required: the id the model gave this tool call");
  }
  if (call.type() != v1::TOOL_TYPE_UNSPECIFIED && call.type() != v1::TOOL_TYPE_FUNCTION) {
    violations.Add(path + ".type",
                   absl::StrCat("unknown value ", call.type(), "; only TOOL_TYPE_FUNCTION"));
  }
  if (call.function().name().empty()) {
    violations.Add(path + ".function.name", "is required: the name of the function called");
  }
}

void CheckMessage(Violations& violations, const std::string& path, const v1::Message& message) {
  const v1::Role role = message.role();
  if (role == v1::ROLE_UNSPECIFIED) {
    violations.Add(path + ".role",
                   "is required: one of ROLE_SYSTEM, ROLE_USER, ROLE_ASSISTANT, ROLE_TOOL");
  } else if (!v1::Role_IsValid(role)) {
    violations.Add(path + ".role", absl::StrCat("unknown value ", static_cast<int>(role),
                                                "; use ROLE_SYSTEM, ROLE_USER, ROLE_ASSISTANT "
                                                "or ROLE_TOOL"));
  }
  const bool is_assistant = role == v1::ROLE_ASSISTANT;
  const bool role_known = role != v1::ROLE_UNSPECIFIED && v1::Role_IsValid(role);

  switch (message.content_case()) {
    case v1::Message::kContentText:
      break;
    case v1::Message::kContentParts: {
      const auto& parts = message.content_parts().parts();
      if (parts.empty()) {
        violations.Add(path + ".content_parts.parts",
                       "is empty; give at least one part, or use content_text");
      }
      for (int j = 0; j < parts.size(); ++j) {
        CheckContentPart(violations, absl::StrCat(path, ".content_parts.parts[", j, "]"), parts[j]);
      }
      break;
    }
    case v1::Message::CONTENT_NOT_SET:
      if (is_assistant) {
        if (message.tool_calls().empty()) {
          violations.Add(path + ".content",
                         "an assistant message needs content (content_text or content_parts) "
                         "or tool_calls");
        }
      } else if (role_known) {
        violations.Add(path + ".content", absl::StrCat("a ", RoleName(role),
                                                       " message needs content: content_text "
                                                       "or content_parts"));
      }
      break;
  }

  if (message.has_reasoning_content() && !is_assistant) {
    violations.Add(path + ".reasoning_content",
                   absl::StrCat("is only allowed on assistant messages, not on ", RoleName(role)));
  }
  if (!message.tool_calls().empty() && !is_assistant) {
    violations.Add(path + ".tool_calls",
                   absl::StrCat("are only allowed on assistant messages, not on ", RoleName(role)));
  }
  if (is_assistant) {
    for (int k = 0; k < message.tool_calls_size(); ++k) {
      CheckRequestToolCall(violations, absl::StrCat(path, ".tool_calls[", k, "]"),
                           message.tool_calls(k));
    }
  }
  if (role == v1::ROLE_TOOL) {
    if (message.tool_call_id().empty()) {
      violations.Add(path + ".tool_call_id",
                     "is required on a ROLE_TOOL message: the id of the tool call it answers");
    }
  } else if (message.has_tool_call_id()) {
    violations.Add(path + ".tool_call_id",
                   absl::StrCat("is only allowed on tool messages, not on ", RoleName(role)));
  }
}

void CheckStop(Violations& violations, const v1::Stop& stop) {
  switch (stop.value_case()) {
    case v1::Stop::kText:
      if (stop.text().empty()) violations.Add("stop.text", "is empty; give a non-empty string");
      break;
    case v1::Stop::kTexts: {
      const auto& values = stop.texts().values();
      if (values.size() > kMaxStopStrings) {
        violations.Add("stop.texts.values",
                       absl::StrCat(values.size(), " stop strings given; at most ", kMaxStopStrings,
                                    " are allowed"));
      }
      for (int j = 0; j < values.size(); ++j) {
        if (values[j].empty()) {
          violations.Add(absl::StrCat("stop.texts.values[", j, "]"),
                         "is empty; give a non-empty string");
        }
      }
      break;
    }
    case v1::Stop::VALUE_NOT_SET:
      break;
  }
}

void CheckLogitBias(Violations& violations, const v1::CreateChatCompletionRequest& request) {
  // Sorted, so that the report does not depend on hash-map order.
  const std::map<std::int64_t, std::int32_t> sorted(request.logit_bias().begin(),
                                                    request.logit_bias().end());
  for (const auto& [token_id, bias] : sorted) {
    const std::string field = absl::StrCat("logit_bias[", token_id, "]");
    if (token_id < 0) {
      violations.Add(field, absl::StrCat("token id ", token_id,
                                         " is negative; keys are token ids from the vocabulary"));
    }
    if (bias < -kMaxLogitBias || bias > kMaxLogitBias) {
      violations.Add(field, absl::StrCat("bias ", bias, " is outside [", -kMaxLogitBias, ", ",
                                         kMaxLogitBias, "]"));
    }
  }
}

void CheckResponseFormat(Violations& violations, const v1::ResponseFormat& format) {
  const v1::ResponseFormatType type = format.type();
  if (type == v1::RESPONSE_FORMAT_TYPE_UNSPECIFIED) {
    violations.Add("response_format.type",
                   "is required when response_format is given: RESPONSE_FORMAT_TYPE_TEXT, "
                   "RESPONSE_FORMAT_TYPE_JSON_OBJECT or RESPONSE_FORMAT_TYPE_JSON_SCHEMA");
  } else if (!v1::ResponseFormatType_IsValid(type)) {
    violations.Add("response_format.type", absl::StrCat("unknown value ", static_cast<int>(type)));
  }
  const bool is_json_schema = type == v1::RESPONSE_FORMAT_TYPE_JSON_SCHEMA;
  if (is_json_schema && !format.has_json_schema()) {
    violations.Add("response_format.json_schema",
                   "is required when type is RESPONSE_FORMAT_TYPE_JSON_SCHEMA");
  }
  if (!format.has_json_schema()) return;
  if (!is_json_schema) {
    violations.Add("response_format.json_schema",
                   absl::StrCat("is only allowed with type RESPONSE_FORMAT_TYPE_JSON_SCHEMA, not ",
                                v1::ResponseFormatType_Name(type)));
  }
  CheckName(violations, "response_format.json_schema.name", format.json_schema().name());
  if (!format.json_schema().has_schema()) {
    violations.Add("response_format.json_schema.schema",
                   "is required: the JSON Schema object the answer must follow");
  }
}

// Returns the declared tool names, in order.
std::vector<std::string> CheckTools(Violations& violations,
                                    const v1::CreateChatCompletionRequest& request) {
  std::vector<std::string> names;
  std::map<std::string, int> first_index;
  for (int i = 0; i < request.tools_size(); ++i) {
    const v1::Tool& tool = request.tools(i);
    const std::string path = absl::StrCat("tools[", i, "]");
    if (tool.type() != v1::TOOL_TYPE_UNSPECIFIED && tool.type() != v1::TOOL_TYPE_FUNCTION) {
      violations.Add(path + ".type", absl::StrCat("unknown value ", static_cast<int>(tool.type()),
                                                  "; only TOOL_TYPE_FUNCTION (or unset)"));
    }
    if (!tool.has_function()) {
      violations.Add(path + ".function",
                     "is required: the function's name, description, "
                     "parameters");
      continue;
    }
    const std::string& name = tool.function().name();
    CheckName(violations, path + ".function.name", name);
    if (name.empty()) continue;
    auto [it, inserted] = first_index.emplace(name, i);
    if (!inserted) {
      violations.Add(path + ".function.name",
                     absl::StrCat(Quote(name), " is already declared by tools[", it->second,
                                  "]; tool names must be unique"));
    }
    names.push_back(name);
  }
  return names;
}

void CheckToolChoice(Violations& violations, const v1::ToolChoice& choice,
                     const std::vector<std::string>& tool_names, bool has_tools) {
  switch (choice.choice_case()) {
    case v1::ToolChoice::kMode:
      if (!v1::ToolChoiceMode_IsValid(choice.mode())) {
        violations.Add("tool_choice.mode",
                       absl::StrCat("unknown value ", static_cast<int>(choice.mode())));
      } else if (choice.mode() == v1::TOOL_CHOICE_MODE_REQUIRED && !has_tools) {
        violations.Add("tool_choice.mode",
                       "TOOL_CHOICE_MODE_REQUIRED needs at least one tool in tools");
      }
      break;
    case v1::ToolChoice::kFunction: {
      const std::string& name = choice.function().name();
      if (name.empty()) {
        violations.Add("tool_choice.function.name", "is required: the name of one of the tools");
      } else if (!has_tools) {
        violations.Add("tool_choice.function",
                       absl::StrCat("names ", Quote(name), " but the request declares no tools"));
      } else if (std::find(tool_names.begin(), tool_names.end(), name) == tool_names.end()) {
        violations.Add("tool_choice.function.name",
                       absl::StrCat(Quote(name), " is not one of the declared tools (",
                                    absl::StrJoin(tool_names, ", "), ")"));
      }
      break;
    }
    case v1::ToolChoice::CHOICE_NOT_SET:
      break;
  }
}

// The reference: "Deep thinking models do not support this field" for stop,
// logprobs, top_logprobs and logit_bias. Whether a model thinks by default is
// not documented, so only an explicit THINKING_TYPE_ENABLED is held against
// them.
void CheckThinkingConflicts(Violations& violations,
                            const v1::CreateChatCompletionRequest& request) {
  if (!request.has_thinking() || request.thinking().type() != v1::THINKING_TYPE_ENABLED) return;
  constexpr const char* kWhy =
      " is not supported with deep thinking (thinking.type is THINKING_TYPE_ENABLED); remove "
      "it or disable thinking";
  if (request.has_stop() && request.stop().value_case() != v1::Stop::VALUE_NOT_SET) {
    violations.Add("stop", absl::StrCat("stop", kWhy));
  }
  if (request.has_logprobs() && request.logprobs()) {
    violations.Add("logprobs", absl::StrCat("logprobs", kWhy));
  }
  if (request.has_top_logprobs()) {
    violations.Add("top_logprobs", absl::StrCat("top_logprobs", kWhy));
  }
  if (!request.logit_bias().empty()) {
    violations.Add("logit_bias", absl::StrCat("logit_bias", kWhy));
  }
}

}  // namespace

std::vector<FieldViolation> ValidateRequest(const v1::CreateChatCompletionRequest& request,
                                            const ValidationOptions& options) {
  Violations violations;
  CheckModel(violations, request.model(), options);

  if (request.messages().empty()) {
    violations.Add("messages", "is empty; give at least one message");
  }
  for (int i = 0; i < request.messages_size(); ++i) {
    CheckMessage(violations, absl::StrCat("messages[", i, "]"), request.messages(i));
  }

  if (request.has_thinking()) {
    const v1::ThinkingType type = request.thinking().type();
    if (type == v1::THINKING_TYPE_UNSPECIFIED) {
      violations.Add("thinking.type",
                     "is required when thinking is given: THINKING_TYPE_ENABLED, "
                     "THINKING_TYPE_DISABLED or THINKING_TYPE_AUTO");
    } else if (!v1::ThinkingType_IsValid(type)) {
      violations.Add("thinking.type", absl::StrCat("unknown value ", static_cast<int>(type)));
    }
  }

  if (request.has_stream() && request.stream() != options.streaming) {
    violations.Add("stream",
                   options.streaming
                       ? "is false, but this is StreamChatCompletion; call CreateChatCompletion "
                         "for a single answer, or leave stream unset"
                       : "is true, but this is CreateChatCompletion; call StreamChatCompletion "
                         "for a streamed answer, or leave stream unset");
  }
  if (request.has_stream_options() && !options.streaming) {
    violations.Add("stream_options",
                   "is only allowed on StreamChatCompletion; remove it from CreateChatCompletion");
  }

  if (request.has_max_tokens() && request.max_tokens() < 0) {
    violations.Add("max_tokens",
                   absl::StrCat(request.max_tokens(), " is negative; give 0 or more"));
  }
  if (request.has_max_completion_tokens() &&
      (request.max_completion_tokens() < 0 ||
       request.max_completion_tokens() > kMaxCompletionTokensLimit)) {
    violations.Add("max_completion_tokens",
                   absl::StrCat(request.max_completion_tokens(), " is outside [0, ",
                                kMaxCompletionTokensLimit, "]"));
  }
  if (request.has_max_tokens() && request.has_max_completion_tokens()) {
    violations.Add("max_completion_tokens",
                   "cannot be set together with max_tokens; set only one of them");
  }

  if (request.has_temperature()) {
    violations.CheckRange("temperature", request.temperature(), 0, 2);
  }
  if (request.has_top_p()) violations.CheckRange("top_p", request.top_p(), 0, 1);
  if (request.has_frequency_penalty()) {
    violations.CheckRange("frequency_penalty", request.frequency_penalty(), -2, 2);
  }
  if (request.has_presence_penalty()) {
    violations.CheckRange("presence_penalty", request.presence_penalty(), -2, 2);
  }

  if (request.has_stop()) CheckStop(violations, request.stop());

  if (!v1::ReasoningEffort_IsValid(request.reasoning_effort())) {
    violations.Add("reasoning_effort",
                   absl::StrCat("unknown value ", static_cast<int>(request.reasoning_effort())));
  }

  if (request.has_top_logprobs()) {
    if (request.top_logprobs() < 0 || request.top_logprobs() > kMaxTopLogprobs) {
      violations.Add("top_logprobs", absl::StrCat(request.top_logprobs(), " is outside [0, ",
                                                  kMaxTopLogprobs, "]"));
    }
    if (!(request.has_logprobs() && request.logprobs())) {
      violations.Add("top_logprobs", "can only be set when logprobs is true");
    }
  }
  CheckLogitBias(violations, request);

  if (request.has_response_format()) CheckResponseFormat(violations, request.response_format());

  const std::vector<std::string> tool_names = CheckTools(violations, request);
  if (request.has_tool_choice()) {
    CheckToolChoice(violations, request.tool_choice(), tool_names, request.tools_size() > 0);
  }

  CheckThinkingConflicts(violations, request);
  return violations.Take();
}

absl::Status CheckRequest(const v1::CreateChatCompletionRequest& request,
                          const ValidationOptions& options) {
  std::vector<FieldViolation> violations = ValidateRequest(request, options);
  if (violations.empty()) return absl::OkStatus();
  return InvalidRequestError(std::move(violations));
}

absl::Status InvalidRequestError(std::vector<FieldViolation> violations) {
  google::rpc::BadRequest bad_request;
  std::vector<std::string> summaries;
  for (FieldViolation& violation : violations) {
    summaries.push_back(absl::StrCat(violation.field(), ": ", violation.description()));
    *bad_request.add_field_violations() = std::move(violation);
  }
  absl::Status status = absl::InvalidArgumentError(absl::StrCat(
      "invalid request: ", violations.size(),
      violations.size() == 1 ? " problem: " : " problems: ", absl::StrJoin(summaries, "; ")));
  AttachDetail(status, bad_request);
  google::rpc::ErrorInfo info;
  info.set_reason("INVALID_REQUEST");
  info.set_domain("seedgate");
  AttachDetail(status, info);
  return status;
}

}  // namespace seedgate::translate
