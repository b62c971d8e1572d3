#include "server/service/client_entries.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"

namespace seedgate::service {
namespace {

absl::StatusOr<std::vector<ClientEntry>> ParseLines(absl::string_view text, bool with_token) {
  const char* expected = with_token ? "`name token [limit=N]...`" : "`name [limit=N]...`";
  std::vector<ClientEntry> entries;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    ClientEntry entry;
    entry.where = absl::StrCat("line ", line_number);
    const size_t first_limit = with_token ? 2 : 1;
    if (fields.size() < first_limit) {
      return absl::InvalidArgumentError(absl::StrCat(entry.where, ": expected ", expected));
    }
    entry.name = std::string(fields[0]);
    if (with_token) entry.token = std::string(fields[1]);
    for (size_t i = first_limit; i < fields.size(); ++i) {
      std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(fields[i], '=');
      int64_t value = 0;
      if (!absl::SimpleAtoi(kv.second, &value)) {
        return absl::InvalidArgumentError(absl::StrCat(
            entry.where, ": field ", i + 1, " is not `limit=N` (expected ", expected, ")"));
      }
      if (absl::Status s = SetClientLimit(kv.first, value, entry.where, entry.limits); !s.ok()) {
        return s;
      }
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

absl::StatusOr<std::vector<ClientEntry>> ParseJson(absl::string_view text, bool with_token) {
  using nlohmann::json;
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return absl::InvalidArgumentError("not valid JSON");
  if (!doc.is_object() || !doc.contains("clients") || !doc["clients"].is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "expected a JSON object {\"clients\": [{\"name\": ..., ",
        with_token ? "\"token\": ..." : "\"requests_per_minute\": N, ...", "}, ...]}"));
  }
  std::vector<ClientEntry> entries;
  for (size_t i = 0; i < doc["clients"].size(); ++i) {
    const json& item = doc["clients"][i];
    ClientEntry entry;
    entry.where = absl::StrCat("clients[", i, "]");
    auto has_string = [&](const char* key) { return item.contains(key) && item[key].is_string(); };
    if (!item.is_object() || !has_string("name") || (with_token && !has_string("token"))) {
      return absl::InvalidArgumentError(absl::StrCat(
          entry.where, with_token ? ": expected an object with string \"name\" and \"token\""
                                  : ": expected an object with a string \"name\""));
    }
    for (const auto& [key, value] : item.items()) {
      if (key == "name") {
        entry.name = value.get<std::string>();
        continue;
      }
      if (with_token && key == "token") {
        entry.token = value.get<std::string>();
        continue;
      }
      if (!value.is_number_integer()) {
        return absl::InvalidArgumentError(absl::StrCat(entry.where, ": \"",
                                                       absl::string_view(key).substr(0, 64),
                                                       "\" must be a whole number"));
      }
      if (absl::Status s = SetClientLimit(key, value.get<int64_t>(), entry.where, entry.limits);
          !s.ok()) {
        return s;
      }
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace

absl::StatusOr<std::vector<ClientEntry>> ParseClientEntries(absl::string_view text,
                                                            bool with_token) {
  const absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(text);
  return absl::StartsWith(trimmed, "{") ? ParseJson(trimmed, with_token)
                                        : ParseLines(text, with_token);
}

}  // namespace seedgate::service
