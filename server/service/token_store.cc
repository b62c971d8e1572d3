#include "server/service/token_store.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <set>
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

constexpr size_t kMinTokenLength = 16;
constexpr size_t kMaxNameLength = 64;

bool IsValidName(absl::string_view name) {
  return !name.empty() && name.size() <= kMaxNameLength &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-';
         });
}

bool IsValidToken(absl::string_view token) {
  return std::all_of(token.begin(), token.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

struct RawEntry {
  std::string where;  // "line 3" / "clients[2]", for messages
  std::string name;
  std::string token;
  ClientLimitOverrides limits;
};

absl::StatusOr<std::vector<RawEntry>> ParseLines(absl::string_view text) {
  std::vector<RawEntry> entries;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    RawEntry entry;
    entry.where = absl::StrCat("line ", line_number);
    if (fields.size() < 2) {
      return absl::InvalidArgumentError(
          absl::StrCat(entry.where, ": expected `name token [limit=N]...`"));
    }
    entry.name = std::string(fields[0]);
    entry.token = std::string(fields[1]);
    for (size_t i = 2; i < fields.size(); ++i) {
      std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(fields[i], '=');
      int64_t value = 0;
      if (!absl::SimpleAtoi(kv.second, &value)) {
        return absl::InvalidArgumentError(
            absl::StrCat(entry.where, ": field ", i + 1, " is not `limit=N`"));
      }
      if (absl::Status s = SetClientLimit(kv.first, value, entry.where, entry.limits); !s.ok())
        return s;
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

absl::StatusOr<std::vector<RawEntry>> ParseJson(absl::string_view text) {
  using nlohmann::json;
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return absl::InvalidArgumentError("not valid JSON");
  if (!doc.is_object() || !doc.contains("clients") || !doc["clients"].is_array()) {
    return absl::InvalidArgumentError(
        "expected a JSON object {\"clients\": [{\"name\": ..., \"token\": ...}, ...]}");
  }
  std::vector<RawEntry> entries;
  for (size_t i = 0; i < doc["clients"].size(); ++i) {
    const json& item = doc["clients"][i];
    RawEntry entry;
    entry.where = absl::StrCat("clients[", i, "]");
    if (!item.is_object() || !item.contains("name") || !item["name"].is_string() ||
        !item.contains("token") || !item["token"].is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat(entry.where, ": expected an object with string \"name\" and \"token\""));
    }
    for (const auto& [key, value] : item.items()) {
      if (key == "name") {
        entry.name = value.get<std::string>();
      } else if (key == "token") {
        entry.token = value.get<std::string>();
      } else {
        if (!value.is_number_integer()) {
          return absl::InvalidArgumentError(
              absl::StrCat(entry.where, ": ", key, " must be a whole number"));
        }
        if (absl::Status s = SetClientLimit(key, value.get<int64_t>(), entry.where, entry.limits);
            !s.ok()) {
          return s;
        }
      }
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace

TokenTable::Digest TokenTable::Sha256(absl::string_view token) {
  Digest digest;
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest.data());
  return digest;
}

absl::StatusOr<TokenTable> TokenTable::Parse(absl::string_view text) {
  const absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(text);
  absl::StatusOr<std::vector<RawEntry>> entries =
      absl::StartsWith(trimmed, "{") ? ParseJson(trimmed) : ParseLines(text);
  if (!entries.ok()) return entries.status();
  TokenTable table;
  std::set<std::string> names;
  std::set<Digest> digests;
  for (RawEntry& entry : *entries) {
    if (!IsValidName(entry.name)) {
      return absl::InvalidArgumentError(absl::StrCat(entry.where, ": a client name is 1-",
                                                     kMaxNameLength, " of A-Z a-z 0-9 . _ -"));
    }
    if (entry.token.size() < kMinTokenLength || !IsValidToken(entry.token)) {
      return absl::InvalidArgumentError(absl::StrCat(entry.where, " (client ", entry.name,
                                                     "): a token is at least ", kMinTokenLength,
                                                     " printable characters without spaces"));
    }
    if (!names.insert(entry.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(entry.where, ": client ", entry.name, " is listed twice"));
    }
    Digest digest = Sha256(entry.token);
    if (!digests.insert(digest).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          entry.where, " (client ", entry.name, "): the same token is given to another client"));
    }
    table.rows_.push_back({digest, {std::move(entry.name), entry.limits}});
  }
  return table;
}

const TokenTable::Client* TokenTable::Find(absl::string_view token) const {
  const Digest digest = Sha256(token);
  const Client* found = nullptr;
  // Every row is compared, whatever matches, so the time taken says nothing
  // about which token (or how much of one) was right.
  for (const Row& row : rows_) {
    if (CRYPTO_memcmp(row.digest.data(), digest.data(), digest.size()) == 0) found = &row.client;
  }
  return found;
}

std::vector<std::string> TokenTable::names() const {
  std::vector<std::string> names;
  for (const Row& row : rows_) names.push_back(row.client.name);
  return names;
}

}  // namespace seedgate::service
