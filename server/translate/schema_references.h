#ifndef SEEDGATE_SERVER_TRANSLATE_SCHEMA_REFERENCES_H_
#define SEEDGATE_SERVER_TRANSLATE_SCHEMA_REFERENCES_H_

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace seedgate::translate {

// Checks the `$ref`s of a JSON Schema before valijson parses it, so that no
// schema a caller sends can overflow the stack of the thread that compiles
// it or later validates against it. valijson follows references by
// recursion and detects neither cycles nor long chains; this refuses, with
// INVALID_ARGUMENT and a message naming the reference:
//   - a `$ref` that is not a JSON pointer into the same schema ("#" or
//     "#/definitions/x"): remote documents are never fetched, and valijson
//     resolves a relative one ("x.json", "%") against the schema itself;
//   - a `$ref` that points to nothing;
//   - a cycle that never moves into the document (`{"allOf": [{"$ref": "#"}]}`):
//     it would recurse forever whatever the document;
//   - chains longer than valijson's recursion can safely follow: more than
//     kMaxInPlaceChain references and combinators (`allOf`, `not`, ...)
//     followed in place, or more than kMaxParseLevels nested schemas in
//     total along any path through the references.
// Cycles that pass through `properties`, `items` and the like are fine: each
// turn consumes a level of the document, whose depth the validator bounds.
absl::Status CheckSchemaReferences(const nlohmann::json& schema);

// Keywords whose values are data, not schemas: a "$ref" or "pattern" inside
// them means nothing.
bool IsLiteralKeyword(absl::string_view key);

inline constexpr int kMaxInPlaceChain = 32;
inline constexpr int kMaxParseLevels = 1000;

}  // namespace seedgate::translate

#endif  // SEEDGATE_SERVER_TRANSLATE_SCHEMA_REFERENCES_H_
