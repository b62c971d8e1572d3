#ifndef SEEDGATE_SERVER_TRANSLATE_JSON_SCHEMA_H_
#define SEEDGATE_SERVER_TRANSLATE_JSON_SCHEMA_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "seedgate/v1/chat.pb.h"

namespace seedgate::translate {

// A JSON Schema (draft 7, via valijson), parsed once and then used to
// validate any number of documents. Copies share the compiled form; a
// CompiledSchema is immutable and may be used from several threads.
class CompiledSchema {
 public:
  // INVALID_ARGUMENT, with valijson's reason, when `schema` is not a schema
  // valijson can use (e.g. `"type": 5`, a `$ref` to another document).
  static absl::StatusOr<CompiledSchema> Compile(const nlohmann::json& schema);

  // Every rule `document` breaks; empty when it satisfies the schema. Each
  // violation names the offending value by JSON pointer ("" is the whole
  // document); summaries that only repeat a nested failure ("failed to
  // validate item #2") are left out.
  std::vector<v1::SchemaViolation> Validate(const nlohmann::json& document) const;

 private:
  struct Compiled;
  explicit CompiledSchema(std::shared_ptr<const Compiled> compiled)
      : compiled_(std::move(compiled)) {}

  std::shared_ptr<const Compiled> compiled_;
};

// `text` parsed as one JSON value (whitespace around it allowed), or the
// syntax error as a violation at pointer "" (e.g. `not valid JSON: syntax
// error while parsing object key - ... at line 1, column 5`).
struct ParsedJson {
  bool ok = false;
  nlohmann::json value;
  v1::SchemaViolation error;  // when !ok
};
ParsedJson ParseJsonText(absl::string_view text);

}  // namespace seedgate::translate

#endif  // SEEDGATE_SERVER_TRANSLATE_JSON_SCHEMA_H_
