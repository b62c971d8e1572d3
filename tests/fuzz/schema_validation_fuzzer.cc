// libFuzzer target for server/translate/json_schema.h: any schema text and
// any document text.
//
// Input layout: the schema's JSON text, a NUL byte, the document's text.
// Properties checked:
//   - CompiledSchema::Compile and Validate never crash or throw (valijson
//     throws on malformed schemas; Compile must catch all of it);
//   - every violation has a pointer that is "" or starts with '/', and a
//     pointer and message that are valid UTF-8 (they go into proto3
//     strings);
//   - a document without violations is reported valid consistently: a
//     second Validate (warm regex cache) gives the same result.
// Schemas with `pattern`, `patternProperties` or `format` are skipped: their
// regexes run in libstdc++'s backtracking std::regex, whose worst case is
// exponential (a known limitation, see README), which would make this target
// time out rather than find bugs in seedgate's code.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "server/translate/json_schema.h"
#include "tests/fuzz/fuzz_check.h"

namespace seedgate::fuzz {
namespace {

void Run(std::string_view input) {
  size_t split = input.find('\0');
  if (split == std::string_view::npos) return;
  std::string_view schema_text = input.substr(0, split);
  std::string_view document_text = input.substr(split + 1);
  if (schema_text.find("pattern") != std::string_view::npos ||
      schema_text.find("format") != std::string_view::npos ||
      schema_text.find("\\u") != std::string_view::npos) {  // "\u0070attern"
    return;
  }
  nlohmann::json schema = nlohmann::json::parse(schema_text, nullptr, /*allow_exceptions=*/false);
  if (schema.is_discarded()) return;
  absl::StatusOr<translate::CompiledSchema> compiled = translate::CompiledSchema::Compile(schema);
  if (!compiled.ok()) {
    const std::string message(compiled.status().message());
    FUZZ_CHECK(IsValidUtf8(message), message);
    return;
  }
  translate::ParsedJson parsed =
      translate::ParseJsonText(absl::string_view(document_text.data(), document_text.size()));
  if (!parsed.ok) {
    FUZZ_CHECK(IsValidUtf8(parsed.error.message()), parsed.error.message());
    return;
  }
  auto first = compiled->Validate(parsed.value);
  for (const auto& violation : first) {
    FUZZ_CHECK(violation.pointer().empty() || violation.pointer()[0] == '/', violation.pointer());
    FUZZ_CHECK(IsValidUtf8(violation.pointer()), violation.pointer());
    FUZZ_CHECK(IsValidUtf8(violation.message()), violation.message());
  }
  auto second = compiled->Validate(parsed.value);
  FUZZ_CHECK(first.empty() == second.empty(), "validating twice disagrees");
}

}  // namespace
}  // namespace seedgate::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  seedgate::fuzz::Run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
