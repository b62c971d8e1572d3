#include "server/service/client_limits_store.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/service/client_entries.h"

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

}  // namespace

absl::StatusOr<ClientLimitsTable> ClientLimitsTable::Parse(absl::string_view text) {
  absl::StatusOr<std::vector<ClientEntry>> entries = ParseClientEntries(text, /*with_token=*/false);
  if (!entries.ok()) return entries.status();
  ClientLimitsTable table;
  for (ClientEntry& entry : *entries) {
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
