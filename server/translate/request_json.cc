#include "server/translate/request_json.h"

#include <string>

#include "server/translate/enum_strings.h"
#include "server/translate/struct_json.h"

namespace seedgate::translate {
namespace {

using nlohmann::json;

// Sets `object[key]` to the upstream string of an enum, or leaves it out for
// *_UNSPECIFIED (the upstream default applies).
void PutEnum(json& object, const char* key, std::string_view text) {
  if (!text.empty()) object[key] = std::string(text);
}

json ContentPartToJson(const v1::ContentPart& part) {
  switch (part.part_case()) {
    case v1::ContentPart::kText:
      return {{"type", "text"}, {"text", part.text()}};
    case v1::ContentPart::kImageUrl: {
      json image = {{"url", part.image_url().url()}};
      PutEnum(image, "detail", ImageDetailString(part.image_url().detail()));
      return {{"type", "image_url"}, {"image_url", std::move(image)}};
    }
    case v1::ContentPart::kVideoUrl: {
      json video = {{"url", part.video_url().url()}};
      if (part.video_url().has_fps()) video["fps"] = part.video_url().fps();
      return {{"type", "video_url"}, {"video_url", std::move(video)}};
    }
    case v1::ContentPart::PART_NOT_SET:
      break;
  }
  return nullptr;
}

json ToolCallToJson(const v1::ToolCall& call) {
  // The upstream knows only function tool calls; an unset type means function.
  return {
      {"id", call.id()},
      {"type", "function"},
      {"function", {{"name", call.function().name()}, {"arguments", call.function().arguments()}}}};
}

json MessageToJson(const v1::Message& message) {
  json out = json::object();
  PutEnum(out, "role", RoleString(message.role()));
  switch (message.content_case()) {
    case v1::Message::kContentText:
      out["content"] = message.content_text();
      break;
    case v1::Message::kContentParts: {
      json parts = json::array();
      for (const v1::ContentPart& part : message.content_parts().parts()) {
        json part_json = ContentPartToJson(part);
        if (!part_json.is_null()) parts.push_back(std::move(part_json));
      }
      out["content"] = std::move(parts);
      break;
    }
    case v1::Message::CONTENT_NOT_SET:
      break;
  }
  if (message.has_reasoning_content()) out["reasoning_content"] = message.reasoning_content();
  if (message.tool_calls_size() > 0) {
    json calls = json::array();
    for (const v1::ToolCall& call : message.tool_calls()) calls.push_back(ToolCallToJson(call));
    out["tool_calls"] = std::move(calls);
  }
  if (message.has_tool_call_id()) out["tool_call_id"] = message.tool_call_id();
  return out;
}

json ToolToJson(const v1::Tool& tool) {
  const v1::FunctionDefinition& function = tool.function();
  json function_json = {{"name", function.name()}};
  if (function.has_description()) function_json["description"] = function.description();
  if (function.has_parameters()) function_json["parameters"] = StructToJson(function.parameters());
  return {{"type", "function"}, {"function", std::move(function_json)}};
}

void PutResponseFormat(json& out, const v1::ResponseFormat& format) {
  const std::string_view type = ResponseFormatTypeString(format.type());
  if (type.empty()) return;
  json format_json = {{"type", std::string(type)}};
  if (format.has_json_schema()) {
    const v1::JsonSchema& schema = format.json_schema();
    json schema_json = {{"name", schema.name()}};
    if (schema.has_description()) schema_json["description"] = schema.description();
    if (schema.has_schema()) schema_json["schema"] = StructToJson(schema.schema());
    if (schema.has_strict()) schema_json["strict"] = schema.strict();
    format_json["json_schema"] = std::move(schema_json);
  }
  out["response_format"] = std::move(format_json);
}

void PutToolChoice(json& out, const v1::ToolChoice& choice) {
  switch (choice.choice_case()) {
    case v1::ToolChoice::kMode:
      PutEnum(out, "tool_choice", ToolChoiceModeString(choice.mode()));
      break;
    case v1::ToolChoice::kFunction:
      out["tool_choice"] = {{"type", "function"},
                            {"function", {{"name", choice.function().name()}}}};
      break;
    case v1::ToolChoice::CHOICE_NOT_SET:
      break;
  }
}

}  // namespace

nlohmann::json RequestToJson(const v1::CreateChatCompletionRequest& request, bool stream) {
  json out = json::object();
  // An empty model is left out so that the upstream's default applies.
  if (!request.model().empty()) out["model"] = request.model();

  json messages = json::array();
  for (const v1::Message& message : request.messages()) messages.push_back(MessageToJson(message));
  out["messages"] = std::move(messages);

  if (request.has_thinking()) {
    json thinking = json::object();
    PutEnum(thinking, "type", ThinkingTypeString(request.thinking().type()));
    if (!thinking.empty()) out["thinking"] = std::move(thinking);
  }

  out["stream"] = stream;
  if (request.has_stream_options()) {
    const v1::StreamOptions& options = request.stream_options();
    json options_json = json::object();
    if (options.has_include_usage()) options_json["include_usage"] = options.include_usage();
    if (options.has_chunk_include_usage()) {
      options_json["chunk_include_usage"] = options.chunk_include_usage();
    }
    out["stream_options"] = std::move(options_json);
  }

  if (request.has_max_tokens()) out["max_tokens"] = request.max_tokens();
  if (request.has_max_completion_tokens()) {
    out["max_completion_tokens"] = request.max_completion_tokens();
  }
  if (request.has_temperature()) out["temperature"] = request.temperature();
  if (request.has_top_p()) out["top_p"] = request.top_p();

  if (request.has_stop()) {
    switch (request.stop().value_case()) {
      case v1::Stop::kText:
        out["stop"] = request.stop().text();
        break;
      case v1::Stop::kTexts: {
        json texts = json::array();
        for (const std::string& text : request.stop().texts().values()) texts.push_back(text);
        out["stop"] = std::move(texts);
        break;
      }
      case v1::Stop::VALUE_NOT_SET:
        break;
    }
  }

  PutEnum(out, "reasoning_effort", ReasoningEffortString(request.reasoning_effort()));
  if (request.has_response_format()) PutResponseFormat(out, request.response_format());
  if (request.has_frequency_penalty()) out["frequency_penalty"] = request.frequency_penalty();
  if (request.has_presence_penalty()) out["presence_penalty"] = request.presence_penalty();
  if (request.has_logprobs()) out["logprobs"] = request.logprobs();
  if (request.has_top_logprobs()) out["top_logprobs"] = request.top_logprobs();

  if (!request.logit_bias().empty()) {
    // JSON object keys are strings; the upstream reads them as token ids.
    json bias = json::object();
    for (const auto& [token_id, value] : request.logit_bias()) {
      bias[std::to_string(token_id)] = value;
    }
    out["logit_bias"] = std::move(bias);
  }

  if (request.tools_size() > 0) {
    json tools = json::array();
    for (const v1::Tool& tool : request.tools()) tools.push_back(ToolToJson(tool));
    out["tools"] = std::move(tools);
  }
  if (request.has_parallel_tool_calls()) out["parallel_tool_calls"] = request.parallel_tool_calls();
  if (request.has_tool_choice()) PutToolChoice(out, request.tool_choice());
  return out;
}

}  // namespace seedgate::translate
