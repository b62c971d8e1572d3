#include "server/translate/json_schema.h"

#include <exception>
#include <map>
#include <set>
#include <utility>

// valijson reports a bad schema by exception only with VALIJSON_USE_EXCEPTIONS
// set (server/translate/CMakeLists.txt); without it, it aborts the process.
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>
// After valijson, before anything instantiates its validator: RE2 for regexes.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "server/translate/schema_references.h"
#include "server/translate/text_excerpt.h"
#include "server/translate/valijson_re2.h"

namespace seedgate::translate {

struct CompiledSchema::Compiled {
  valijson::Schema schema;
  // Every `pattern` and `patternProperties` key, compiled by RE2 once.
  SchemaRegexes regexes;
  // Not thread-safe: one per compiled schema, behind a mutex that is
  // uncontended in practice (a schema belongs to one RPC).
  mutable absl::Mutex mu;
  mutable valijson::Validator validator ABSL_GUARDED_BY(mu);
};

namespace {

// One RFC 6901 reference token.
std::string EscapeToken(absl::string_view token) {
  std::string escaped;
  for (char c : token) {
    if (c == '~') {
      escaped += "~0";
    } else if (c == '/') {
      escaped += "~1";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

// Deeper documents are refused rather than validated: valijson recurses once
// per level, and a recursive schema (`"items": {"$ref": "#"}`) would follow a
// hostile document all the way down the stack.
constexpr int kMaxDocumentDepth = 128;

// Compiles every regex of `schema` (`pattern` values, `patternProperties`
// keys) into `regexes`: RE2 must accept each (no backreferences or
// lookaround, the usual JSON Schema subset).
absl::Status CompileRegexes(const nlohmann::json& schema, SchemaRegexes* regexes) {
  std::vector<const nlohmann::json*> pending = {&schema};
  while (!pending.empty()) {
    const nlohmann::json* node = pending.back();
    pending.pop_back();
    if (node->is_array()) {
      for (const auto& child : *node) pending.push_back(&child);
      continue;
    }
    if (!node->is_object()) continue;
    for (const auto& [key, value] : node->items()) {
      // Literal values, not schemas: a "pattern" inside them means nothing.
      if (IsLiteralKeyword(key)) continue;
      if (key == "pattern" && value.is_string()) {
        if (absl::Status ok = regexes->Add(value.get<std::string>()); !ok.ok()) return ok;
      } else if (key == "patternProperties" && value.is_object()) {
        for (const auto& [pattern, sub] : value.items()) {
          if (absl::Status ok = regexes->Add(pattern); !ok.ok()) return ok;
          pending.push_back(&sub);
        }
        continue;
      }
      pending.push_back(&value);
    }
  }
  return absl::OkStatus();
}

int DepthOf(const nlohmann::json& document) {
  int max_depth = 0;
  std::vector<std::pair<const nlohmann::json*, int>> pending = {{&document, 1}};
  while (!pending.empty()) {
    auto [value, depth] = pending.back();
    pending.pop_back();
    max_depth = std::max(max_depth, depth);
    if (depth > kMaxDocumentDepth) break;
    if (value->is_structured()) {
      for (const auto& child : *value) pending.emplace_back(&child, depth + 1);
    }
  }
  return max_depth;
}

// valijson names a value by a path of "<root>", "[name]", "[index]".
std::string JsonPointer(const std::vector<std::string>& context) {
  std::string pointer;
  for (size_t i = 1; i < context.size(); ++i) {
    absl::string_view token = context[i];
    if (token.size() >= 2 && token.front() == '[' && token.back() == ']') {
      token = token.substr(1, token.size() - 2);
    }
    absl::StrAppend(&pointer, "/", EscapeToken(token));
  }
  return pointer;
}

// The JSON type of the value at `pointer`.
std::string TypeAt(const nlohmann::json& document, const std::string& pointer) {
  try {
    return document.at(nlohmann::json::json_pointer(pointer)).type_name();
  } catch (const std::exception&) {
    return "unknown";
  }
}

// Roll-ups valijson adds above a nested failure that is itself reported.
bool IsRollUp(absl::string_view description) {
  return absl::StartsWith(description, "Failed to validate item #") ||
         absl::StartsWith(description, "Failed to validate against schema associated with") ||
         absl::StartsWith(description, "Failed to validate against additional properties") ||
         absl::StartsWith(description, "Failed to validate against child schema #");
}

v1::SchemaViolation Violation(std::string pointer, std::string message) {
  v1::SchemaViolation violation;
  violation.set_pointer(std::move(pointer));
  violation.set_message(std::move(message));
  return violation;
}

}  // namespace

absl::StatusOr<CompiledSchema> CompiledSchema::Compile(const nlohmann::json& schema) {
  if (!schema.is_object() && !schema.is_boolean()) {
    return absl::InvalidArgumentError(
        absl::StrCat("is not a JSON Schema: a schema is an object, got ", schema.type_name()));
  }
  auto compiled = std::make_shared<Compiled>();
  if (absl::Status regexes = CompileRegexes(schema, &compiled->regexes); !regexes.ok()) {
    return regexes;
  }
  if (absl::Status references = CheckSchemaReferences(schema); !references.ok()) return references;
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(schema);
    parser.populateSchema(adapter, compiled->schema);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        "is not a JSON Schema seedgate can check answers against: ", SingleLine(e.what())));
  }
  return CompiledSchema(std::move(compiled));
}

std::vector<v1::SchemaViolation> CompiledSchema::Validate(const nlohmann::json& document) const {
  std::vector<v1::SchemaViolation> violations;
  if (DepthOf(document) > kMaxDocumentDepth) {
    violations.push_back(Violation(
        "", absl::StrCat("nested deeper than ", kMaxDocumentDepth, " levels; not checked")));
    return violations;
  }
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(document);
  try {
    absl::MutexLock lock(&compiled_->mu);
    ScopedSchemaRegexes regexes(&compiled_->regexes);
    // Without results valijson stops at the first failure and builds no
    // error paths: the common, valid case costs a fraction. Only a document
    // that fails is walked again for every violation.
    if (compiled_->validator.validate(compiled_->schema, adapter, nullptr)) return violations;
    compiled_->validator.validate(compiled_->schema, adapter, &results);
  } catch (const std::exception& e) {
    // Compile refuses what is known to throw; this is the net under it, so
    // that a surprise in valijson flags the answer instead of ending the
    // process.
    violations.push_back(
        Violation("", absl::StrCat("could not be checked: ", SingleLine(e.what()))));
    return violations;
  }
  std::set<std::pair<std::string, std::string>> seen;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    if (IsRollUp(error.description)) continue;
    std::string pointer = JsonPointer(error.context);
    std::string message = SingleLine(error.description);
    if (absl::StrContains(message, "'type' constraint")) {
      // valijson does not say what it found; the model (or its caller) needs it.
      if (absl::EndsWith(message, ".")) message.pop_back();
      absl::StrAppend(&message, " (got ", TypeAt(document, pointer), ")");
    }
    if (!seen.emplace(pointer, message).second) continue;
    violations.push_back(Violation(std::move(pointer), std::move(message)));
  }
  if (violations.empty()) violations.push_back(Violation("", "does not satisfy the schema"));
  return violations;
}

ParsedJson ParseJsonText(absl::string_view text) {
  ParsedJson parsed;
  try {
    parsed.value = nlohmann::json::parse(text.begin(), text.end());
    parsed.ok = true;
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e999
    absl::string_view reason = e.what();
    // "[json.exception.parse_error.101] parse error at ...": the id is noise.
    if (size_t end = reason.find("] "); absl::StartsWith(reason, "[json.") && end != reason.npos) {
      reason.remove_prefix(end + 2);
    }
    parsed.error = Violation("", absl::StrCat("not valid JSON: ", SingleLine(reason)));
  }
  return parsed;
}

}  // namespace seedgate::translate
