#include "server/translate/schema_regexes.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "server/translate/text_excerpt.h"

namespace seedgate::translate {
namespace {

thread_local const SchemaRegexes* current_regexes = nullptr;

RE2::Options PatternOptions() {
  RE2::Options options;
  options.set_log_errors(false);
  return options;
}

}  // namespace

absl::Status SchemaRegexes::Add(const std::string& pattern) {
  if (regexes_.contains(pattern)) return absl::OkStatus();
  auto regex = std::make_unique<const RE2>(pattern, PatternOptions());
  if (!regex->ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("has pattern \"", SingleLine(pattern, 100),
                     "\" that is not a supported regular expression: ", regex->error()));
  }
  regexes_.emplace(pattern, std::move(regex));
  return absl::OkStatus();
}

const RE2* SchemaRegexes::Find(const std::string& pattern) const {
  auto it = regexes_.find(pattern);
  return it == regexes_.end() ? nullptr : it->second.get();
}

ScopedSchemaRegexes::ScopedSchemaRegexes(const SchemaRegexes* regexes)
    : previous_(current_regexes) {
  current_regexes = regexes;
}

ScopedSchemaRegexes::~ScopedSchemaRegexes() { current_regexes = previous_; }

bool PatternFound(const std::string& pattern, const std::string& subject) {
  if (const RE2* regex = current_regexes ? current_regexes->Find(pattern) : nullptr) {
    return RE2::PartialMatch(subject, *regex);
  }
  const RE2 regex(pattern, PatternOptions());
  return regex.ok() && RE2::PartialMatch(subject, regex);
}

FormatMatch MatchFormat(const std::string& format, const std::string& value) {
  // valijson's expressions, unchanged.
  static const RE2 kDate("^([0-9]+)-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])$");
  static const RE2 kTime(
      "^([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\\.[0-9]+)?(([Zz])|([\\+|\\-]([01][0-9]|2["
      "0-3]):[0-5][0-9]))$");
  static const RE2 kDateTime(
      "^([0-9]+)-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):([0-5][0-9]):([0-"
      "5][0-9]|60)(\\.[0-9]+)?(([Zz])|([\\+|\\-]([01][0-9]|2[0-3]):[0-5][0-9]))$");
  FormatMatch match;
  if (format == "date") {
    match.known = true;
    match.matches = RE2::FullMatch(value, kDate, nullptr, &match.month, &match.day);
    match.error = "String should be a valid date";
  } else if (format == "time") {
    match.known = true;
    match.matches = RE2::FullMatch(value, kTime);
    match.error = "String should be a valid time";
  } else if (format == "date-time") {
    match.known = true;
    match.matches = RE2::FullMatch(value, kDateTime, nullptr, &match.month, &match.day);
    match.error = "String should be a valid date-time";
  }
  return match;
}

}  // namespace seedgate::translate
