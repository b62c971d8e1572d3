#include "server/service/client_limits_store.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"

namespace seedgate::service {
namespace {

constexpr size_t kMaxNameLength = 64;

// Token names ([A-Za-z0-9._-]) and the names client certificates give,
// which may hold '@' (an e-mail address SAN).
bool IsValidName(absl::string_view name) {
  return !name.empty() && name.size() <= kMaxNameLength &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-' || c == '@';
         });
}

struct Entry {
  std::string where;  // "line 3" / "clients[2]", for messages
  std::string name;
  ClientLimitOverrides limits;
};

absl::StatusOr<std::vector<Entry>> ParseLines(absl::string_view text) {
  std::vector<Entry> entries;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    Entry entry;
    entry.where = absl::StrCat("line ", line_number);
    entry.name = std::string(fields[0]);
    for (size_t i = 1; i < fields.size(); ++i) {
      std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(fields[i], '=');
      int64_t value = 0;
      // Never quotes the field: a tokens file given here by mistake would
      // put a token into the log.
      if (!absl::SimpleAtoi(kv.second, &value)) {
        return absl::InvalidArgumentError(absl::StrCat(
            entry.where, ": field ", i + 1, " is not `limit=N` (expected `name limit=N...`)"));
      }
      if (absl::Status s = SetClientLimit(kv.first, value, entry.where, entry.limits); !s.ok()) {
        return s;
      }
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

absl::StatusOr<std::vector<Entry>> ParseJson(absl::string_view text) {
  using nlohmann::json;
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return absl::InvalidArgumentError("not valid JSON");
  if (!doc.is_object() || !doc.contains("clients") || !doc["clients"].is_array()) {
    return absl::InvalidArgumentError(
        "expected a JSON object {\"clients\": [{\"name\": ..., \"requests_per_minute\": N, "
        "...}, ...]}");
  }
  std::vector<Entry> entries;
  for (size_t i = 0; i < doc["clients"].size(); ++i) {
    const json& item = doc["clients"][i];
    Entry entry;
    entry.where = absl::StrCat("clients[", i, "]");
    if (!item.is_object() || !item.contains("name") || !item["name"].is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat(entry.where, ": expected an object with a string \"name\""));
    }
    for (const auto& [key, value] : item.items()) {
      if (key == "name") {
        entry.name = value.get<std::string>();
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

absl::StatusOr<ClientLimitsTable> ClientLimitsTable::Parse(absl::string_view text) {
  const absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(text);
  absl::StatusOr<std::vector<Entry>> entries =
      absl::StartsWith(trimmed, "{") ? ParseJson(trimmed) : ParseLines(text);
  if (!entries.ok()) return entries.status();
  ClientLimitsTable table;
  for (Entry& entry : *entries) {
    if (!IsValidName(entry.name)) {
      return absl::InvalidArgumentError(absl::StrCat(entry.where, ": a client name is 1-",
                                                     kMaxNameLength, " of A-Z a-z 0-9 . _ - @"));
    }
    if (!table.clients_.emplace(entry.name, entry.limits).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(entry.where, ": client ", entry.name, " is listed twice"));
    }
  }
  return table;
}

const ClientLimitOverrides* ClientLimitsTable::Find(absl::string_view name) const {
  auto it = clients_.find(name);
  return it == clients_.end() ? nullptr : &it->second;
}

std::vector<std::string> ClientLimitsTable::names() const {
  std::vector<std::string> names;
  for (const auto& [name, limits] : clients_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace seedgate::service
