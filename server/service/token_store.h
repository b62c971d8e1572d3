#ifndef SEEDGATE_SERVER_SERVICE_TOKEN_STORE_H_
#define SEEDGATE_SERVER_SERVICE_TOKEN_STORE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/service/client_limits.h"
#include "server/service/reloadable_table.h"

namespace seedgate::service {

// The clients of a tokens file, by token. Only SHA-256 digests of the tokens
// are kept, and a look-up compares against every entry in constant time, so
// neither timing nor a memory dump gives a token away.
//
// The file is either lines of `name token [requests_per_minute=N]
// [concurrent_streams=N] [tokens_per_minute=N]` (`#` starts a comment), or
// JSON: {"clients": [{"name": ..., "token": ..., "requests_per_minute": N,
// ...}]}. Names are 1-64 of [A-Za-z0-9._-]; tokens at least 16 printable
// characters without spaces; neither may repeat.
class TokenTable {
 public:
  static constexpr char kFileKind[] = "tokens file";

  struct Client {
    std::string name;
    ClientLimitOverrides limits;
  };

  // INVALID_ARGUMENT naming the line (or entry) and what is wrong; never
  // quoting a token.
  static absl::StatusOr<TokenTable> Parse(absl::string_view text);

  // The client holding `token`, or null.
  const Client* Find(absl::string_view token) const;

  std::vector<std::string> names() const;
  size_t size() const { return rows_.size(); }

 private:
  using Digest = std::array<uint8_t, 32>;
  struct Row {
    Digest digest;
    Client client;
  };
  static Digest Sha256(absl::string_view token);

  std::vector<Row> rows_;
};

// The current TokenTable of its file, reloaded on change.
using TokenStore = ReloadableTable<TokenTable>;

}  // namespace seedgate::service

#endif  // SEEDGATE_SERVER_SERVICE_TOKEN_STORE_H_
