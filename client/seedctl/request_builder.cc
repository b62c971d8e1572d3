#include "client/seedctl/request_builder.h"

#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace seedgate::seedctl {
namespace {

using client::ClientError;
using client::Result;
using json = nlohmann::json;

ClientError Usage(std::string message) {
  return ClientError::Local(grpc::StatusCode::INVALID_ARGUMENT, std::move(message));
}

Result<std::string> ReadFile(const std::string& path, const std::string& flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Usage(flag + ": cannot open " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A JSON object as a google.protobuf.Struct (JSON Schemas travel that way).
Result<google::protobuf::Struct> ToStruct(const json& value, const std::string& where) {
  if (!value.is_object()) return Usage(where + " must be a JSON object");
  google::protobuf::Struct out;
  auto status = google::protobuf::util::JsonStringToMessage(value.dump(), &out);
  if (!status.ok()) return Usage(where + ": " + std::string(status.message()));
  return out;
}

Result<json> Parse(const std::string& text, const std::string& what) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return Usage(what + " is not valid JSON");
  return value;
}

std::string StringOr(const json& object, const char* key, bool* ok) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return "";
  if (!it->is_string()) *ok = false;
  return it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

Result<std::vector<v1::Tool>> ToolsFromJson(const std::string& text) {
  Result<json> parsed = Parse(text, "--tools file");
  if (!parsed.ok()) return parsed.error();
  const json& tools = *parsed;
  if (!tools.is_array()) return Usage("--tools file must hold a JSON array of tools");
  std::vector<v1::Tool> out;
  for (size_t i = 0; i < tools.size(); ++i) {
    const json& tool = tools[i];
    std::string where = "--tools [" + std::to_string(i) + "]";
    if (!tool.is_object()) return Usage(where + " must be an object");
    bool ok = true;
    std::string type = StringOr(tool, "type", &ok);
    if (!type.empty() && type != "function") {
      return Usage(where + ".type must be \"function\", not \"" + type + "\"");
    }
    auto function = tool.find("function");
    if (function == tool.end() || !function->is_object()) {
      return Usage(where + ".function must be an object with a name");
    }
    v1::Tool proto;
    proto.set_type(v1::TOOL_TYPE_FUNCTION);
    v1::FunctionDefinition* definition = proto.mutable_function();
    definition->set_name(StringOr(*function, "name", &ok));
    std::string description = StringOr(*function, "description", &ok);
    if (!ok) return Usage(where + ": name, type and description must be strings");
    if (definition->name().empty()) return Usage(where + ".function.name is missing");
    if (function->contains("description")) definition->set_description(description);
    if (auto params = function->find("parameters");
        params != function->end() && !params->is_null()) {
      Result<google::protobuf::Struct> schema = ToStruct(*params, where + ".function.parameters");
      if (!schema.ok()) return schema.error();
      *definition->mutable_parameters() = *std::move(schema);
    }
    out.push_back(std::move(proto));
  }
  return out;
}

Result<v1::ResponseFormat> ResponseFormatFromJson(const std::string& text) {
  Result<json> parsed = Parse(text, "--response-format file");
  if (!parsed.ok()) return parsed.error();
  const json& format = *parsed;
  if (!format.is_object()) return Usage("--response-format file must hold a JSON object");
  bool ok = true;
  std::string type = StringOr(format, "type", &ok);
  v1::ResponseFormat out;
  if (type == "text") {
    out.set_type(v1::RESPONSE_FORMAT_TYPE_TEXT);
  } else if (type == "json_object") {
    out.set_type(v1::RESPONSE_FORMAT_TYPE_JSON_OBJECT);
  } else if (type == "json_schema") {
    out.set_type(v1::RESPONSE_FORMAT_TYPE_JSON_SCHEMA);
    auto schema = format.find("json_schema");
    if (schema == format.end() || !schema->is_object()) {
      return Usage("--response-format: json_schema needs a \"json_schema\" object");
    }
    v1::JsonSchema* proto = out.mutable_json_schema();
    proto->set_name(StringOr(*schema, "name", &ok));
    if (schema->contains("description")) {
      proto->set_description(StringOr(*schema, "description", &ok));
    }
    if (!ok) return Usage("--response-format: type, name and description must be strings");
    if (auto body = schema->find("schema"); body != schema->end()) {
      Result<google::protobuf::Struct> s = ToStruct(*body, "--response-format json_schema.schema");
      if (!s.ok()) return s.error();
      *proto->mutable_schema() = *std::move(s);
    }
    if (auto strict = schema->find("strict"); strict != schema->end()) {
      if (!strict->is_boolean()) return Usage("--response-format: strict must be true or false");
      proto->set_strict(strict->get<bool>());
    }
  } else {
    return Usage("--response-format: type must be text, json_object or json_schema");
  }
  return out;
}

Result<v1::CreateChatCompletionRequest> BuildChatRequest(const Flags& flags,
                                                         const std::string& prompt, bool stream) {
  v1::CreateChatCompletionRequest request;
  request.set_model(flags.model);
  if (!flags.system.empty()) {
    v1::Message* system = request.add_messages();
    system->set_role(v1::ROLE_SYSTEM);
    system->set_content_text(flags.system);
  }
  v1::Message* user = request.add_messages();
  user->set_role(v1::ROLE_USER);
  if (flags.media.empty()) {
    user->set_content_text(prompt);
  } else {
    // Media first, in command-line order, then the question about them.
    v1::ContentParts* parts = user->mutable_content_parts();
    for (const Media& media : flags.media) {
      v1::ContentPart* part = parts->add_parts();
      if (media.kind == Media::kImage) {
        part->mutable_image_url()->set_url(media.url);
      } else {
        part->mutable_video_url()->set_url(media.url);
      }
    }
    if (!prompt.empty()) parts->add_parts()->set_text(prompt);
  }

  if (flags.thinking == "enabled") request.mutable_thinking()->set_type(v1::THINKING_TYPE_ENABLED);
  if (flags.thinking == "disabled") {
    request.mutable_thinking()->set_type(v1::THINKING_TYPE_DISABLED);
  }
  if (flags.thinking == "auto") request.mutable_thinking()->set_type(v1::THINKING_TYPE_AUTO);
  if (flags.reasoning_effort == "minimal")
    request.set_reasoning_effort(v1::REASONING_EFFORT_MINIMAL);
  if (flags.reasoning_effort == "low") request.set_reasoning_effort(v1::REASONING_EFFORT_LOW);
  if (flags.reasoning_effort == "medium") request.set_reasoning_effort(v1::REASONING_EFFORT_MEDIUM);
  if (flags.reasoning_effort == "high") request.set_reasoning_effort(v1::REASONING_EFFORT_HIGH);
  if (flags.max_tokens) request.set_max_tokens(*flags.max_tokens);
  if (flags.temperature) request.set_temperature(*flags.temperature);

  if (!flags.tools_file.empty()) {
    Result<std::string> text = ReadFile(flags.tools_file, "--tools");
    if (!text.ok()) return text.error();
    Result<std::vector<v1::Tool>> tools = ToolsFromJson(*text);
    if (!tools.ok()) return tools.error();
    for (auto& tool : *tools) *request.add_tools() = std::move(tool);
  }
  if (!flags.tool_choice.empty()) {
    v1::ToolChoice* choice = request.mutable_tool_choice();
    if (flags.tool_choice == "none") {
      choice->set_mode(v1::TOOL_CHOICE_MODE_NONE);
    } else if (flags.tool_choice == "auto") {
      choice->set_mode(v1::TOOL_CHOICE_MODE_AUTO);
    } else if (flags.tool_choice == "required") {
      choice->set_mode(v1::TOOL_CHOICE_MODE_REQUIRED);
    } else {
      choice->mutable_function()->set_name(flags.tool_choice);
    }
  }
  if (!flags.response_format_file.empty()) {
    Result<std::string> text = ReadFile(flags.response_format_file, "--response-format");
    if (!text.ok()) return text.error();
    Result<v1::ResponseFormat> format = ResponseFormatFromJson(*text);
    if (!format.ok()) return format.error();
    *request.mutable_response_format() = *std::move(format);
  }
  // Ask for the total usage in a last chunk, for the usage line.
  if (stream) request.mutable_stream_options()->set_include_usage(true);
  return request;
}

}  // namespace seedgate::seedctl
