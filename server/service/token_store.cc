#include "server/service/token_store.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/service/client_entries.h"

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

}  // namespace

TokenTable::Digest TokenTable::Sha256(absl::string_view token) {
  Digest digest;
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest.data());
  return digest;
}

absl::StatusOr<TokenTable> TokenTable::Parse(absl::string_view text) {
  absl::StatusOr<std::vector<ClientEntry>> entries = ParseClientEntries(text, /*with_token=*/true);
  if (!entries.ok()) return entries.status();
  TokenTable table;
  std::set<std::string> names;
  std::set<Digest> digests;
  for (ClientEntry& entry : *entries) {
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
