// seedctl's request: flags and OpenAI-style JSON files to the proto.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/seedctl/request_builder.h"

namespace seedgate::seedctl {
namespace {

using ::testing::HasSubstr;

TEST(SeedctlRequestTest, PlainPromptWithSystemAndOptions) {
  Flags flags;
  flags.model = "doubao-seed-2.0-mini";
  flags.system = "be brief";
  flags.thinking = "disabled";
  flags.reasoning_effort = "minimal";
  flags.max_tokens = 0;
  flags.temperature = 0.5;
  auto request = BuildChatRequest(flags, "hello", /*stream=*/true);
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->model(), "doubao-seed-2.0-mini");
  ASSERT_EQ(request->messages_size(), 2);
  EXPECT_EQ(request->messages(0).role(), v1::ROLE_SYSTEM);
  EXPECT_EQ(request->messages(0).content_text(), "be brief");
  EXPECT_EQ(request->messages(1).role(), v1::ROLE_USER);
  EXPECT_EQ(request->messages(1).content_text(), "hello");
  EXPECT_EQ(request->thinking().type(), v1::THINKING_TYPE_DISABLED);
  EXPECT_EQ(request->reasoning_effort(), v1::REASONING_EFFORT_MINIMAL);
  EXPECT_TRUE(request->has_max_tokens()) << "0 is a value, and sent";
  EXPECT_EQ(request->temperature(), 0.5);
  EXPECT_TRUE(request->stream_options().include_usage());
  EXPECT_FALSE(request->has_stream()) << "the RPC decides stream";

  auto unary = BuildChatRequest(Flags(), "hello", /*stream=*/false);
  EXPECT_FALSE(unary->has_stream_options());
  EXPECT_FALSE(unary->has_thinking());
  EXPECT_FALSE(unary->has_temperature());
}

TEST(SeedctlRequestTest, ImagesAndVideosBecomeContentParts) {
  Flags flags;
  flags.media = {{Media::kImage, "https://x/a.png"}, {Media::kVideo, "https://x/b.mp4"}};
  auto request = BuildChatRequest(flags, "describe", false);
  ASSERT_TRUE(request.ok());
  const auto& parts = request->messages(0).content_parts().parts();
  ASSERT_EQ(parts.size(), 3);
  EXPECT_EQ(parts[0].image_url().url(), "https://x/a.png");
  EXPECT_EQ(parts[1].video_url().url(), "https://x/b.mp4");
  EXPECT_EQ(parts[2].text(), "describe");
}

TEST(SeedctlRequestTest, ToolsFromOpenAiJson) {
  auto tools = ToolsFromJson(R"([
    {"type": "function", "function": {
      "name": "get_weather", "description": "Weather of a city",
      "parameters": {"type": "object", "properties": {"city": {"type": "string"},
                     "days": {"type": "integer", "maximum": 7}}, "required": ["city"]}}},
    {"function": {"name": "now"}}
  ])");
  ASSERT_TRUE(tools.ok()) << tools.error().message;
  ASSERT_EQ(tools->size(), 2u);
  const v1::Tool& weather = (*tools)[0];
  EXPECT_EQ(weather.type(), v1::TOOL_TYPE_FUNCTION);
  EXPECT_EQ(weather.function().name(), "get_weather");
  EXPECT_EQ(weather.function().description(), "Weather of a city");
  const auto& fields = weather.function().parameters().fields();
  EXPECT_EQ(fields.at("type").string_value(), "object");
  EXPECT_EQ(fields.at("properties")
                .struct_value()
                .fields()
                .at("days")
                .struct_value()
                .fields()
                .at("maximum")
                .number_value(),
            7);
  EXPECT_EQ(fields.at("required").list_value().values(0).string_value(), "city");
  EXPECT_FALSE((*tools)[1].function().has_description());
  EXPECT_FALSE((*tools)[1].function().has_parameters());
}

TEST(SeedctlRequestTest, BadToolsSayWhere) {
  EXPECT_THAT(ToolsFromJson("{").error().message, HasSubstr("not valid JSON"));
  EXPECT_THAT(ToolsFromJson("{}").error().message, HasSubstr("JSON array"));
  EXPECT_THAT(ToolsFromJson(R"([{"type":"retrieval","function":{"name":"x"}}])").error().message,
              HasSubstr("[0].type"));
  EXPECT_THAT(ToolsFromJson(R"([{"function":{"name":"a"}},{"function":{}}])").error().message,
              HasSubstr("[1].function.name"));
  EXPECT_THAT(ToolsFromJson(R"([{"function":{"name":"a","parameters":[1]}}])").error().message,
              HasSubstr("parameters must be a JSON object"));
}

TEST(SeedctlRequestTest, ResponseFormats) {
  auto object = ResponseFormatFromJson(R"({"type":"json_object"})");
  ASSERT_TRUE(object.ok());
  EXPECT_EQ(object->type(), v1::RESPONSE_FORMAT_TYPE_JSON_OBJECT);

  auto schema = ResponseFormatFromJson(R"({"type":"json_schema","json_schema":{
      "name":"person","description":"a person","strict":true,
      "schema":{"type":"object","properties":{"age":{"type":"integer"}}}}})");
  ASSERT_TRUE(schema.ok()) << schema.error().message;
  EXPECT_EQ(schema->type(), v1::RESPONSE_FORMAT_TYPE_JSON_SCHEMA);
  EXPECT_EQ(schema->json_schema().name(), "person");
  EXPECT_EQ(schema->json_schema().description(), "a person");
  EXPECT_TRUE(schema->json_schema().strict());
  EXPECT_EQ(schema->json_schema().schema().fields().at("type").string_value(), "object");

  EXPECT_THAT(ResponseFormatFromJson(R"({"type":"yaml"})").error().message,
              HasSubstr("text, json_object or json_schema"));
  EXPECT_THAT(ResponseFormatFromJson(R"({"type":"json_schema"})").error().message,
              HasSubstr("\"json_schema\" object"));
}

TEST(SeedctlRequestTest, ToolChoiceAndMissingFiles) {
  Flags flags;
  flags.tool_choice = "required";
  EXPECT_EQ(BuildChatRequest(flags, "x", false)->tool_choice().mode(),
            v1::TOOL_CHOICE_MODE_REQUIRED);
  flags.tool_choice = "get_weather";
  EXPECT_EQ(BuildChatRequest(flags, "x", false)->tool_choice().function().name(), "get_weather");

  flags.tools_file = "/nonexistent/tools.json";
  auto missing = BuildChatRequest(flags, "x", false);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message, HasSubstr("--tools: cannot open /nonexistent/tools.json"));
}

}  // namespace
}  // namespace seedgate::seedctl
