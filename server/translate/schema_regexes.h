#ifndef SEEDGATE_SERVER_TRANSLATE_SCHEMA_REGEXES_H_
#define SEEDGATE_SERVER_TRANSLATE_SCHEMA_REGEXES_H_

// The regular expressions of JSON Schema validation, matched by RE2: linear
// time and no recursion, whatever the pattern and the string (see
// valijson_re2.h for why valijson's own std::regex is not used).

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "re2/re2.h"

namespace seedgate::translate {

// The regexes of one schema, compiled once when the schema is compiled and
// looked up by their text while documents are validated.
class SchemaRegexes {
 public:
  // INVALID_ARGUMENT when RE2 cannot compile `pattern` (backreferences,
  // lookaround: outside the JSON Schema subset RE2 implements).
  absl::Status Add(const std::string& pattern);
  const RE2* Find(const std::string& pattern) const;

 private:
  absl::flat_hash_map<std::string, std::unique_ptr<const RE2>> regexes_;
};

// While alive, the valijson specializations on this thread find their
// regexes in `regexes` (a pattern missing from it is compiled for the one
// match).
class ScopedSchemaRegexes {
 public:
  explicit ScopedSchemaRegexes(const SchemaRegexes* regexes);
  ~ScopedSchemaRegexes();
  ScopedSchemaRegexes(const ScopedSchemaRegexes&) = delete;
  ScopedSchemaRegexes& operator=(const ScopedSchemaRegexes&) = delete;

 private:
  const SchemaRegexes* previous_;
};

// ECMAScript `regex_search` semantics (unanchored) with RE2. A pattern RE2
// cannot compile matches nothing (Compile refuses such schemas up front).
bool PatternFound(const std::string& pattern, const std::string& subject);

// The formats valijson checks (date, time, date-time), with valijson's
// grammar and messages: `known` is false for any other format. `month` and
// `day` are set when a date matched, for valijson's day-of-month check.
struct FormatMatch {
  bool known = false;
  bool matches = false;
  int month = 0;
  int day = 0;
  const char* error = "";
};
FormatMatch MatchFormat(const std::string& format, const std::string& value);

}  // namespace seedgate::translate

#endif  // SEEDGATE_SERVER_TRANSLATE_SCHEMA_REGEXES_H_
