#include "server/translate/json_schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace seedgate::translate {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

MATCHER_P2(ViolationAt, pointer, message_part, "") {
  *result_listener << "at \"" << arg.pointer() << "\": " << arg.message();
  return arg.pointer() == pointer && arg.message().find(message_part) != std::string::npos;
}

CompiledSchema Compile(const json& schema) {
  absl::StatusOr<CompiledSchema> compiled = CompiledSchema::Compile(schema);
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  return *std::move(compiled);
}

// An order: nested objects and arrays, an enum, required fields, no extras.
const json kOrderSchema = json::parse(R"({
  "type": "object",
  "properties": {
    "customer": {
      "type": "object",
      "properties": {"name": {"type": "string"}, "tier": {"enum": ["gold", "silver"]}},
      "required": ["name"],
      "additionalProperties": false
    },
    "items": {
      "type": "array",
      "minItems": 1,
      "items": {
        "type": "object",
        "properties": {"sku": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}},
        "required": ["sku", "qty"]
      }
    }
  },
  "required": ["customer", "items"],
  "additionalProperties": false
})");

TEST(CompiledSchemaTest, AcceptsADocumentThatFollowsIt) {
  CompiledSchema schema = Compile(kOrderSchema);
  json order = json::parse(R"({"customer": {"name": "Ann", "tier": "gold"},
                               "items": [{"sku": "A1", "qty": 2}, {"sku": "B2", "qty": 1}]})");
  EXPECT_THAT(schema.Validate(order), IsEmpty());
}

TEST(CompiledSchemaTest, NamesEachViolationByJsonPointerWithoutRollUps) {
  CompiledSchema schema = Compile(kOrderSchema);
  json order = json::parse(R"({"customer": {"tier": "bronze", "vip": true},
                               "items": [{"sku": "A1", "qty": 2}, {"sku": 7, "qty": 0}],
                               "note": "x"})");
  EXPECT_THAT(
      schema.Validate(order),
      UnorderedElementsAre(ViolationAt("/customer/tier", "enum"), ViolationAt("/customer", "'vip'"),
                           ViolationAt("/customer", "Missing required property 'name'"),
                           ViolationAt("/items/1/qty", "greater than or equal to 1"),
                           ViolationAt("/items/1/sku", "'type' constraint (got number)"),
                           ViolationAt("", "'note'")));
}

TEST(CompiledSchemaTest, MissingRequiredFieldsAreEachReported) {
  CompiledSchema schema = Compile(kOrderSchema);
  EXPECT_THAT(schema.Validate(json::object()),
              UnorderedElementsAre(ViolationAt("", "Missing required property 'customer'"),
                                   ViolationAt("", "Missing required property 'items'")));
}

TEST(CompiledSchemaTest, ExtraFieldsPassWithoutAdditionalPropertiesFalse) {
  CompiledSchema schema = Compile(json::parse(R"({"type": "object",
      "properties": {"city": {"type": "string"}}, "required": ["city"]})"));
  EXPECT_THAT(schema.Validate(json::parse(R"({"city": "Paris", "unit": "c"})")), IsEmpty());
}

TEST(CompiledSchemaTest, PointerEscapesSlashAndTilde) {
  CompiledSchema schema = Compile(json::parse(R"({"type": "object",
      "properties": {"a/b": {"type": "string"}, "c~d": {"type": "string"}}})"));
  EXPECT_THAT(schema.Validate(json::parse(R"({"a/b": 1, "c~d": 2})")),
              UnorderedElementsAre(ViolationAt("/a~1b", "type"), ViolationAt("/c~0d", "type")));
}

TEST(CompiledSchemaTest, FollowsLocalReferences) {
  CompiledSchema schema = Compile(json::parse(R"({
      "definitions": {"point": {"type": "object", "required": ["x", "y"]}},
      "type": "array", "items": {"$ref": "#/definitions/point"}})"));
  EXPECT_THAT(schema.Validate(json::parse(R"([{"x": 1, "y": 2}, {"x": 1}])")),
              UnorderedElementsAre(ViolationAt("/1", "Missing required property 'y'")));
}

TEST(CompiledSchemaTest, RefusesDocumentsNestedTooDeep) {
  CompiledSchema schema = Compile(json::parse(R"({"items": {"$ref": "#"}})"));
  std::string deep = std::string(1000, '[') + std::string(1000, ']');
  EXPECT_THAT(schema.Validate(json::parse(deep)),
              UnorderedElementsAre(ViolationAt("", "nested deeper than")));
  std::string shallow = std::string(50, '[') + std::string(50, ']');
  EXPECT_THAT(schema.Validate(json::parse(shallow)), IsEmpty());
}

TEST(CompiledSchemaTest, CompileRefusesWhatIsNotASchema) {
  for (const char* bad : {R"("object")", R"({"type": 5})", R"({"$ref": "https://example.com/s"})",
                          R"({"minimum": "one"})"}) {
    absl::StatusOr<CompiledSchema> compiled = CompiledSchema::Compile(json::parse(bad));
    ASSERT_FALSE(compiled.ok()) << bad;
    EXPECT_EQ(compiled.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(compiled.status().message(), HasSubstr("JSON Schema")) << bad;
  }
}

TEST(CompiledSchemaTest, CopiesShareOneCompiledForm) {
  CompiledSchema schema = Compile(kOrderSchema);
  CompiledSchema copy = schema;
  EXPECT_THAT(copy.Validate(json::object()), testing::SizeIs(2));
  EXPECT_THAT(schema.Validate(json::object()), testing::SizeIs(2));
}

TEST(ParseJsonTextTest, AllowsWhitespaceAround) {
  ParsedJson parsed = ParseJsonText("  \n {\"city\": \"Paris\"} \t");
  ASSERT_TRUE(parsed.ok);
  EXPECT_EQ(parsed.value, json::parse(R"({"city": "Paris"})"));
}

TEST(ParseJsonTextTest, ReportsTheSyntaxErrorAtTheRoot) {
  for (const char* bad : {"", "{\"city\": \"Par", "{city: 1}", "{\"a\": 1} trailing", "{'a': 1}"}) {
    ParsedJson parsed = ParseJsonText(bad);
    EXPECT_FALSE(parsed.ok) << bad;
    EXPECT_EQ(parsed.error.pointer(), "") << bad;
    EXPECT_THAT(parsed.error.message(), StartsWith("not valid JSON: ")) << bad;
    EXPECT_THAT(parsed.error.message(), Not(HasSubstr("json.exception"))) << bad;
  }
}

TEST(CompiledSchemaTest, PatternsAreChecked) {
  CompiledSchema schema = Compile(json::parse(R"({"type": "object",
      "properties": {"sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"}},
      "patternProperties": {"^x-": {"type": "integer"}}})"));
  EXPECT_THAT(schema.Validate(json::parse(R"({"sku": "ABC-1234", "x-n": 1})")), IsEmpty());
  EXPECT_THAT(schema.Validate(json::parse(R"({"sku": "abc", "x-n": "one"})")),
              UnorderedElementsAre(ViolationAt("/sku", "pattern"), ViolationAt("/x-n", "type")));
}

TEST(CompiledSchemaTest, CompileRefusesRegexesValijsonCannotRunSafely) {
  // "[" would make valijson throw mid-check; a backreference is outside the
  // RE2 subset (and a classic catastrophic-backtracking shape).
  for (const char* bad : {R"({"pattern": "["})", R"({"pattern": "^(a)\\1$"})",
                          R"({"patternProperties": {"(?<=x)y": {}}})",
                          R"js({"items": {"properties": {"a": {"pattern": "(?=x)"}}}})js"}) {
    absl::StatusOr<CompiledSchema> compiled = CompiledSchema::Compile(json::parse(bad));
    ASSERT_FALSE(compiled.ok()) << bad;
    EXPECT_THAT(compiled.status().message(), HasSubstr("has pattern")) << bad;
  }
  // Literal values are not schemas: a "pattern" key inside them is data.
  EXPECT_TRUE(CompiledSchema::Compile(json::parse(R"({"const": {"pattern": "["},
                                                      "enum": [{"pattern": "("}]})"))
                  .ok());
}

TEST(CompiledSchemaTest, LongStringsAreNotRunThroughRegexes) {
  // libstdc++'s std::regex recurses per character: a long subject could
  // overflow the stack, so such a document is flagged, not matched.
  CompiledSchema with_pattern = Compile(json::parse(R"({"type": "object",
      "properties": {"code": {"type": "string", "pattern": "^[a-z]*$"}}})"));
  json long_text = {{"note", std::string(5000, 'a')}, {"code", "ok"}};
  EXPECT_THAT(with_pattern.Validate(long_text),
              UnorderedElementsAre(ViolationAt("/note", "not checked")));
  EXPECT_THAT(with_pattern.Validate(json::parse(R"({"code": "fine"})")), IsEmpty());

  CompiledSchema without_pattern = Compile(json::parse(R"({"type": "object"})"));
  EXPECT_THAT(without_pattern.Validate(long_text), IsEmpty());
}

TEST(CompiledSchemaTest, CompileRefusesReferenceCyclesThatNeverDescend) {
  // Each would make valijson recurse until the stack overflows, whatever the
  // document.
  for (
      const char* bad :
      {R"({"$ref": "#"})", R"({"allOf": [{"$ref": "#"}]})",
       R"({"not": {"anyOf": [{"$ref": "#"}]}})",
       R"({"definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"oneOf": [{"$ref": "#/definitions/a"}]}},
            "properties": {"x": {"$ref": "#/definitions/a"}}})",
       R"({"dependencies": {"a": {"$ref": "#"}}})", R"({"$ref": "#anchor"})"}) {
    absl::StatusOr<CompiledSchema> compiled = CompiledSchema::Compile(json::parse(bad));
    ASSERT_FALSE(compiled.ok()) << bad;
    EXPECT_EQ(compiled.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  // Recursion through properties or items consumes the document: fine.
  CompiledSchema tree = Compile(json::parse(R"({"type": "object",
      "properties": {"children": {"type": "array", "items": {"$ref": "#"}}},
      "allOf": [{"$ref": "#/definitions/named"}],
      "definitions": {"named": {"required": ["name"]}},
      "enum_holder": {"enum": [{"$ref": "#"}]}})"));
  EXPECT_THAT(tree.Validate(json::parse(R"({"name": "a", "children": [{"name": "b"}, {}]})")),
              UnorderedElementsAre(ViolationAt("/children/1", "'name'")));
}

}  // namespace
}  // namespace seedgate::translate
