#include "server/translate/json_schema.h"

#include <exception>
#include <set>
#include <utility>

// valijson reports a bad schema by exception only with this set; without it,
// it aborts the process. Set here, before the first valijson include, and
// nowhere else: only this file sees valijson.
#ifndef VALIJSON_USE_EXCEPTIONS
#define VALIJSON_USE_EXCEPTIONS 1
#endif
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "server/translate/text_excerpt.h"

namespace seedgate::translate {

struct CompiledSchema::Compiled {
  valijson::Schema schema;
  // A Validator caches the std::regex of each `pattern` it meets (compiling
  // one costs tens of microseconds, more than checking a typical document)
  // and is not thread-safe: one per compiled schema, behind a mutex that is
  // uncontended in practice (a schema belongs to one RPC).
  mutable absl::Mutex mu;
  mutable valijson::Validator validator ABSL_GUARDED_BY(mu);
};

namespace {

// Deeper documents are refused rather than validated: valijson recurses once
// per level, and a recursive schema (`"items": {"$ref": "#"}`) would follow a
// hostile document all the way down the stack.
constexpr int kMaxDocumentDepth = 128;

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
    pointer += '/';
    for (char c : token) {
      if (c == '~') {
        pointer += "~0";
      } else if (c == '/') {
        pointer += "~1";
      } else {
        pointer += c;
      }
    }
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
         absl::StartsWith(description, "Failed to validate against additional properties");
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
  {
    absl::MutexLock lock(&compiled_->mu);
    // Without results valijson stops at the first failure and builds no
    // error paths: the common, valid case costs a fraction. Only a document
    // that fails is walked again for every violation.
    if (compiled_->validator.validate(compiled_->schema, adapter, nullptr)) return violations;
    compiled_->validator.validate(compiled_->schema, adapter, &results);
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
  } catch (const nlohmann::json::parse_error& e) {
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
