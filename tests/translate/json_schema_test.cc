#include "server/translate/json_schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pthread.h>

#include <functional>
#include <string>
#include <vector>

namespace seedgate::translate {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
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
  for (const char* bad : {R"("object")", R"({"type": 5})", R"({"minimum": "one"})"}) {
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

TEST(ParseJsonTextTest, ANumberBeyondDoubleIsInvalidJsonNotAnException) {
  // nlohmann throws out_of_range (not parse_error) for these: arguments such
  // as {"n": 1e999} from a model once escaped as an uncaught exception.
  for (const char* huge : {"1e999", "{\"n\": -7E0972}", "[1, 2e400]"}) {
    ParsedJson parsed = ParseJsonText(huge);
    EXPECT_FALSE(parsed.ok) << huge;
    EXPECT_EQ(parsed.error.pointer(), "") << huge;
    EXPECT_THAT(parsed.error.message(), StartsWith("not valid JSON: number overflow")) << huge;
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

TEST(CompiledSchemaTest, CompileRefusesRegexesRe2CannotRun) {
  // RE2 matches the patterns: what it cannot compile (a syntax error, a
  // backreference, lookaround) is refused up front.
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

TEST(CompiledSchemaTest, CatastrophicBacktrackingPatternsAnswerAtOnce) {
  // Nested quantifiers against a near-miss: a backtracking engine (valijson's
  // std::regex) tries 2^40 ways before failing and this test would time out;
  // RE2 answers in linear time. Each regex position valijson evaluates is
  // covered: pattern, patternProperties, and pattern under propertyNames.
  const std::string near_miss = std::string(40, 'a') + "!";
  CompiledSchema schema = Compile(json::parse(R"({"type": "object",
      "properties": {"word": {"type": "string", "pattern": "^(a+)+$"}},
      "patternProperties": {"^(a|aa)+$": {"type": "integer"}},
      "additionalProperties": false})"));
  EXPECT_THAT(schema.Validate({{"word", near_miss}}),
              UnorderedElementsAre(ViolationAt("/word", "pattern")));
  EXPECT_THAT(schema.Validate({{"word", std::string(40, 'a')}}), IsEmpty());
  EXPECT_THAT(schema.Validate({{near_miss, 1}}),
              UnorderedElementsAre(ViolationAt("", "could not be validated")));
  EXPECT_THAT(schema.Validate({{std::string(40, 'a'), 1}}), IsEmpty());

  CompiledSchema names = Compile(json::parse(R"({"propertyNames": {"pattern": "^(a+)+$"}})"));
  EXPECT_THAT(names.Validate({{near_miss, 1}}), Not(IsEmpty()));
  EXPECT_THAT(names.Validate({{"aaa", 1}}), IsEmpty());
}

TEST(CompiledSchemaTest, LongStringsAreMatchedWithoutRecursion) {
  // libstdc++'s std::regex recurses once per character and would overflow
  // the stack on strings this long; RE2 does not recurse.
  CompiledSchema schema = Compile(json::parse(R"({"type": "object",
      "properties": {"code": {"type": "string", "pattern": "^[a-z]*$"},
                     "when": {"type": "string", "format": "date-time"}}})"));
  const std::string long_word(1 << 20, 'a');
  EXPECT_THAT(schema.Validate({{"code", long_word}}), IsEmpty());
  EXPECT_THAT(schema.Validate({{"code", long_word + "!"}}),
              UnorderedElementsAre(ViolationAt("/code", "pattern")));
  EXPECT_THAT(schema.Validate({{"when", std::string(1 << 20, '7') + "-07-18T16:52:45Z"}}),
              IsEmpty());
  EXPECT_THAT(schema.Validate({{"when", std::string(1 << 20, '7')}}),
              UnorderedElementsAre(ViolationAt("/when", "valid date-time")));
}

TEST(CompiledSchemaTest, DateAndTimeFormatsAreChecked) {
  CompiledSchema schema = Compile(json::parse(R"({"type": "object",
      "properties": {"day": {"format": "date"}, "at": {"format": "time"},
                     "when": {"format": "date-time"}, "mail": {"format": "email"}}})"));
  EXPECT_THAT(schema.Validate(json::parse(R"({"day": "2022-07-18", "at": "16:52:45+02:00",
      "when": "2022-07-18T16:52:45.5Z", "mail": "anything"})")),
              IsEmpty());
  EXPECT_THAT(
      schema.Validate(json::parse(R"({"day": "2022-02-30", "at": "25:00:00Z",
      "when": "2022-07-18 16:52:45"})")),
      UnorderedElementsAre(ViolationAt("/day", "valid date"), ViolationAt("/at", "valid time"),
                           ViolationAt("/when", "valid date-time")));
  // A format constrains strings only.
  EXPECT_THAT(schema.Validate(json::parse(R"({"day": 5})")), IsEmpty());
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

absl::Status CompileStatus(const json& schema) { return CompiledSchema::Compile(schema).status(); }

TEST(CompiledSchemaTest, CompileRefusesReferencesOutsideTheSchema) {
  // Never fetched; and valijson resolves a relative one ("%", "x.json")
  // against the schema itself, which made {"$ref": "%"} recurse forever
  // (found by the schema fuzzer).
  for (const char* ref : {"https://example.com/s", "x.json", "%", "x.json#/definitions/a", "#a"}) {
    absl::Status status = CompileStatus({{"$ref", ref}});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << ref;
    EXPECT_THAT(status.message(), HasSubstr("only references inside the same schema")) << ref;
    EXPECT_THAT(status.message(), HasSubstr(ref));
  }
  absl::Status dangling = CompileStatus(json::parse(R"({"items": {"$ref": "#/definitions/x"}})"));
  EXPECT_EQ(dangling.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(dangling.message(), HasSubstr("\"#/definitions/x\" that points to nothing"));
}

TEST(CompiledSchemaTest, CycleDetectionReadsPointersAsValijsonDoes) {
  // Each names the same node as a plain pointer would, spelled the way
  // valijson still resolves: trailing and doubled slashes, %-escapes, "~"
  // escapes, an index with a leading zero.
  for (const char* bad : {R"({"allOf": [{"$ref": "#/"}]})", R"({"allOf": [{"$ref": "#//"}]})",
                          R"({"definitions": {"a b": {"not": {"$ref": "#/definitions/a%20b"}}},
            "items": {"$ref": "#/definitions/a b"}})",
                          R"({"definitions": {"a/b": {"not": {"$ref": "#/definitions//a~1b/"}}},
            "items": {"$ref": "#/definitions/a~1b"}})",
                          R"({"anyOf": [{"$ref": "#/anyOf/00"}, {"type": "string"}]})"}) {
    absl::Status status = CompileStatus(json::parse(bad));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(status.message(), HasSubstr("cycle")) << bad;
  }
}

// {"definitions": {"d0": ..., "dN": {"type": "string"}}, "$ref": "#/definitions/d0"}
// where each d<i> wraps a reference to d<i+1> in `wrapper` levels of `wrap`.
json ReferenceChain(int length, const char* wrap, int wrapper = 1) {
  json definitions = json::object();
  for (int i = 0; i < length; ++i) {
    json next = {{"$ref", "#/definitions/d" + std::to_string(i + 1)}};
    for (int level = 0; level < wrapper; ++level) {
      next = std::string(wrap) == "allOf" ? json{{wrap, json::array({next})}} : json{{wrap, next}};
    }
    definitions["d" + std::to_string(i)] = next;
  }
  definitions["d" + std::to_string(length)] = {{"type", "string"}};
  return {{"definitions", definitions}, {"$ref", "#/definitions/d0"}};
}

TEST(CompiledSchemaTest, CompileRefusesChainsTooLongToFollow) {
  // valijson follows each link by recursion: thousands of them overflow the
  // stack of the thread compiling the schema, or validating against it.
  absl::Status in_place = CompileStatus(ReferenceChain(20, "not"));
  EXPECT_EQ(in_place.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(in_place.message(), HasSubstr("at most 32 are supported"));

  EXPECT_TRUE(CompiledSchema::Compile(ReferenceChain(50, "items", 3)).ok());
}

// Runs `body` on a thread with a stack of `bytes`, as small as a server
// thread's could be: what valijson's recursion must fit in.
void RunOnStack(size_t bytes, std::function<void()> body) {
  pthread_attr_t attributes;
  ASSERT_EQ(pthread_attr_init(&attributes), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attributes, bytes), 0);
  pthread_t thread;
  auto run = [](void* argument) -> void* {
    (*static_cast<std::function<void()>*>(argument))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attributes, run, &body), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attributes);
}

// Sanitizers make every frame several times larger (redzones, fake stacks).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr size_t kSmallStack = size_t{64} << 20;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr size_t kSmallStack = size_t{64} << 20;
#else
constexpr size_t kSmallStack = size_t{2} << 20;
#endif
#else
constexpr size_t kSmallStack = size_t{2} << 20;
#endif

TEST(CompiledSchemaTest, TheLongestChainsAllowedFitInASmallStack) {
  RunOnStack(kSmallStack, [] {
    // 32 schemas applied in place (items -> "#" -> d0 -> allOf[0] -> d1 ...
    // d15) at every level of a document 128 levels deep.
    json schema = ReferenceChain(15, "allOf");
    schema["definitions"]["d15"] = {{"type", "array"}, {"items", {{"$ref", "#"}}}};
    CompiledSchema compiled = Compile(schema);
    std::string deep = std::string(127, '[') + std::string(127, ']');
    EXPECT_THAT(compiled.Validate(json::parse(deep)), IsEmpty());
    std::string leaf = std::string(127, '[') + "1" + std::string(127, ']');
    EXPECT_THAT(compiled.Validate(json::parse(leaf)), Not(IsEmpty()));
    // One more link is refused.
    schema["definitions"]["d15"]["allOf"] = json::array({{{"type", "array"}}});
    EXPECT_THAT(CompileStatus(schema).message(), HasSubstr("applies 33 schemas in place"));

    // 999 nested levels to parse: the schema (4), then 497 definitions of
    // 2 levels each leading to the next, and the last one.
    EXPECT_TRUE(CompiledSchema::Compile(ReferenceChain(497, "items")).ok());
    EXPECT_THAT(CompileStatus(ReferenceChain(498, "items")).message(),
                HasSubstr("comes to 1001 levels"));
  });
}

}  // namespace
}  // namespace seedgate::translate
