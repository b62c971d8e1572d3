#ifndef SEEDGATE_SERVER_SERVICE_CLIENT_ENTRIES_H_
#define SEEDGATE_SERVER_SERVICE_CLIENT_ENTRIES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/service/client_limits.h"

namespace seedgate::service {

// One client as the tokens file and the client-limits file list it, before
// the file's own rules (valid names, no duplicates) are checked.
struct ClientEntry {
  std::string where;  // "line 3" / "clients[2]", for messages
  std::string name;
  std::string token;  // only in a tokens file
  ClientLimitOverrides limits;
};

// The two layouts both files accept, told apart by a leading '{':
//   lines   `name [token] [limit=N]...`, '#' starts a comment;
//   JSON    {"clients": [{"name": ..., ["token": ...,] "<limit>": N}, ...]}.
// With `with_token`, each entry must carry a token (the second field, or
// "token"). INVALID_ARGUMENT names the entry; it never quotes a field, so a
// token given where it does not belong stays out of the log.
absl::StatusOr<std::vector<ClientEntry>> ParseClientEntries(absl::string_view text,
                                                            bool with_token);

}  // namespace seedgate::service

#endif  // SEEDGATE_SERVER_SERVICE_CLIENT_ENTRIES_H_
