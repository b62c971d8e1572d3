#include "server/translate/json_schema.h"

#include <exception>
#include <map>
#include <optional>
#include <regex>
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
#include "re2/re2.h"
#include "server/translate/text_excerpt.h"

namespace seedgate::translate {

struct CompiledSchema::Compiled {
  valijson::Schema schema;
  // The schema makes valijson run std::regex (pattern, patternProperties,
  // format date/time/date-time).
  bool uses_regex = false;
  // A Validator caches the std::regex of each `pattern` it meets (compiling
  // one costs tens of microseconds, more than checking a typical document)
  // and is not thread-safe: one per compiled schema, behind a mutex that is
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

// libstdc++'s std::regex (valijson's engine) recurses once per character
// matched: a long enough string overflows the stack. Strings longer than this
// are not matched against a schema's regexes.
constexpr size_t kMaxRegexSubjectBytes = 4096;

// Keywords whose values are data, not schemas: a "pattern" or "$ref" inside
// them means nothing.
bool IsLiteralKeyword(absl::string_view key) {
  return key == "const" || key == "enum" || key == "default" || key == "examples";
}

bool IsRegexFormat(const nlohmann::json& format) {
  return format.is_string() && (format == "date" || format == "time" || format == "date-time");
}

// Every regex of `schema` (`pattern` values, `patternProperties` keys) must
// be one valijson can compile (std::regex, ECMAScript) and RE2 accepts too:
// no backreferences or lookaround, the usual JSON Schema subset. Sets
// *uses_regex when valijson will run regexes.
absl::Status CheckRegexes(const nlohmann::json& schema, bool* uses_regex) {
  auto check = [&](const std::string& pattern) -> absl::Status {
    *uses_regex = true;
    RE2 re2(pattern, RE2::Quiet);
    if (!re2.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("has pattern \"", SingleLine(pattern, 100),
                       "\" that is not a supported regular expression: ", re2.error()));
    }
    try {
      std::regex compiled(pattern);
    } catch (const std::regex_error& e) {
      return absl::InvalidArgumentError(
          absl::StrCat("has pattern \"", SingleLine(pattern, 100),
                       "\" that is not an ECMAScript regular expression: ", e.what()));
    }
    return absl::OkStatus();
  };
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
        if (absl::Status ok = check(value.get<std::string>()); !ok.ok()) return ok;
      } else if (key == "patternProperties" && value.is_object()) {
        for (const auto& [pattern, sub] : value.items()) {
          if (absl::Status ok = check(pattern); !ok.ok()) return ok;
          pending.push_back(&sub);
        }
        continue;
      } else if (key == "format" && IsRegexFormat(value)) {
        *uses_regex = true;
      }
      pending.push_back(&value);
    }
  }
  return absl::OkStatus();
}

// The pointer of the first string (value or object key) longer than
// kMaxRegexSubjectBytes, if any.
std::optional<std::string> FirstLongString(const nlohmann::json& document) {
  // Almost every document has none: find out without building pointers.
  bool any = false;
  std::vector<const nlohmann::json*> scan = {&document};
  while (!scan.empty() && !any) {
    const nlohmann::json* value = scan.back();
    scan.pop_back();
    if (value->is_string()) {
      any = value->get_ref<const std::string&>().size() > kMaxRegexSubjectBytes;
    } else if (value->is_object()) {
      for (const auto& [key, child] : value->items()) {
        if (key.size() > kMaxRegexSubjectBytes) any = true;
        scan.push_back(&child);
      }
    } else if (value->is_array()) {
      for (const auto& child : *value) scan.push_back(&child);
    }
  }
  if (!any) return std::nullopt;
  std::vector<std::pair<const nlohmann::json*, std::string>> pending = {{&document, ""}};
  while (!pending.empty()) {
    auto [value, pointer] = std::move(pending.back());
    pending.pop_back();
    if (value->is_string() && value->get_ref<const std::string&>().size() > kMaxRegexSubjectBytes) {
      return pointer;
    }
    if (value->is_object()) {
      for (const auto& [key, child] : value->items()) {
        if (key.size() > kMaxRegexSubjectBytes) return pointer;
        pending.emplace_back(&child, pointer + "/" + EscapeToken(key));
      }
    } else if (value->is_array()) {
      for (size_t i = 0; i < value->size(); ++i) {
        pending.emplace_back(&(*value)[i], absl::StrCat(pointer, "/", i));
      }
    }
  }
  return std::nullopt;
}

// valijson follows `$ref`, `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/
// `else` and schema `dependencies` without moving into the document, so a
// cycle through them alone (`{"allOf": [{"$ref": "#"}]}`) recurses until the
// stack overflows whatever the document. Refused here. Cycles that pass
// through `properties`, `items` and the like are fine: each turn consumes a
// level of the document, whose depth Validate bounds.
absl::Status CheckNoInPlaceCycle(const nlohmann::json& schema) {
  std::map<std::string, std::vector<std::string>> edges;  // schema pointer -> in place
  std::vector<std::pair<const nlohmann::json*, std::string>> pending = {{&schema, ""}};
  while (!pending.empty()) {
    auto [node, pointer] = std::move(pending.back());
    pending.pop_back();
    if (node->is_array()) {
      for (size_t i = 0; i < node->size(); ++i) {
        pending.emplace_back(&(*node)[i], absl::StrCat(pointer, "/", i));
      }
      continue;
    }
    if (!node->is_object()) continue;
    std::vector<std::string>& out = edges[pointer];
    for (const auto& [key, value] : node->items()) {
      if (IsLiteralKeyword(key)) continue;
      const std::string child = absl::StrCat(pointer, "/", EscapeToken(key));
      pending.emplace_back(&value, child);
      if (key == "$ref" && value.is_string()) {
        const std::string& ref = value.get_ref<const std::string&>();
        if (!absl::StartsWith(ref, "#")) continue;  // remote: Compile refuses it
        std::string target = ref.substr(1);
        if (!target.empty() && target[0] != '/') {
          return absl::InvalidArgumentError(absl::StrCat(
              "has $ref \"", SingleLine(ref, 100),
              "\": only local references by JSON pointer (\"#/definitions/x\") are supported"));
        }
        out.push_back(std::move(target));
      } else if (key == "allOf" || key == "anyOf" || key == "oneOf") {
        if (!value.is_array()) continue;
        for (size_t i = 0; i < value.size(); ++i) out.push_back(absl::StrCat(child, "/", i));
      } else if (key == "not" || key == "if" || key == "then" || key == "else") {
        out.push_back(child);
      } else if (key == "dependencies" && value.is_object()) {
        for (const auto& [name, dependency] : value.items()) {
          if (dependency.is_object()) out.push_back(absl::StrCat(child, "/", EscapeToken(name)));
        }
      }
    }
  }
  // Depth-first search for a cycle: 1 = on the current path, 2 = done.
  std::map<std::string, int> state;
  for (const auto& [start, unused] : edges) {
    if (state[start] != 0) continue;
    std::vector<std::pair<std::string, size_t>> path = {{start, 0}};
    state[start] = 1;
    while (!path.empty()) {
      auto& [node, next] = path.back();
      auto it = edges.find(node);
      if (it == edges.end() || next >= it->second.size()) {
        state[node] = 2;
        path.pop_back();
        continue;
      }
      const std::string target = it->second[next++];
      int& target_state = state[target];
      if (target_state == 1) {
        return absl::InvalidArgumentError(absl::StrCat(
            "has a reference cycle at \"", SingleLine(target.empty() ? "#" : "#" + target, 100),
            "\" that never moves into the document (e.g. {\"allOf\": [{\"$ref\": \"#\"}]})"));
      }
      if (target_state == 0) {
        target_state = 1;
        path.emplace_back(target, 0);
      }
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
  if (absl::Status regexes = CheckRegexes(schema, &compiled->uses_regex); !regexes.ok()) {
    return regexes;
  }
  if (absl::Status acyclic = CheckNoInPlaceCycle(schema); !acyclic.ok()) return acyclic;
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
  if (compiled_->uses_regex) {
    if (std::optional<std::string> pointer = FirstLongString(document)) {
      violations.push_back(
          Violation(*pointer, absl::StrCat("a string longer than ", kMaxRegexSubjectBytes,
                                           " bytes cannot be checked against the schema's patterns "
                                           "and formats; not checked")));
      return violations;
    }
  }
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(document);
  try {
    absl::MutexLock lock(&compiled_->mu);
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
