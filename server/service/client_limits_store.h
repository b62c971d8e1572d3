#ifndef SEEDGATE_SERVER_SERVICE_CLIENT_LIMITS_STORE_H_
#define SEEDGATE_SERVER_SERVICE_CLIENT_LIMITS_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/service/client_limits.h"
#include "server/service/reloadable_table.h"

namespace seedgate::service {

// The per-client limits of a limits file (--client_limits_file), by client
// name: the name of a tokens-file entry, the name a client certificate
// gives (mtls), or "anonymous" (none). It works in every --client_auth mode,
// and holds no credential, so it may live in a ConfigMap.
//
// The file is either lines of `name [requests_per_minute=N]
// [concurrent_streams=N] [tokens_per_minute=N]` (`#` starts a comment), or
// JSON: {"clients": [{"name": ..., "requests_per_minute": N, ...}]}. Names
// are 1-64 of [A-Za-z0-9._@-] and may not repeat.
//
// Precedence, limit by limit: this file, then the client's tokens-file
// entry, then the --client_* defaults.
class ClientLimitsTable {
 public:
  static constexpr char kFileKind[] = "limits file";

  // INVALID_ARGUMENT naming the line (or entry) and what is wrong.
  static absl::StatusOr<ClientLimitsTable> Parse(absl::string_view text);

  // The limits set for `name`, or null.
  const ClientLimitOverrides* Find(absl::string_view name) const;

  std::vector<std::string> names() const;
  size_t size() const { return clients_.size(); }

 private:
  absl::flat_hash_map<std::string, ClientLimitOverrides> clients_;
};

// The current ClientLimitsTable of its file, reloaded on change.
using ClientLimitsStore = ReloadableTable<ClientLimitsTable>;

}  // namespace seedgate::service

#endif  // SEEDGATE_SERVER_SERVICE_CLIENT_LIMITS_STORE_H_
