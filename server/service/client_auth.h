#ifndef SEEDGATE_SERVER_SERVICE_CLIENT_AUTH_H_
#define SEEDGATE_SERVER_SERVICE_CLIENT_AUTH_H_

#include <grpcpp/server_context.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/config/server_config.h"
#include "server/service/client_limits.h"
#include "server/service/token_store.h"

namespace seedgate::service {

// Decides who is calling (--client_auth):
// - tokens: `authorization: Bearer <token>` metadata, looked up in the
//   tokens file (TokenStore);
// - mtls: the client certificate gRPC's TLS handshake already verified
//   against --tls_client_ca; its common name (else first SAN) is the name;
// - none: every caller is "anonymous".
// Failures are UNAUTHENTICATED with ErrorInfo{reason "UNAUTHENTICATED",
// domain "seedgate"} and a message that never repeats what was sent.
class ClientAuthenticator {
 public:
  enum class Mode { kTokens, kMtls, kNone };

  // INVALID_ARGUMENT when the mode is unset (NoClientAuthMessage) or the
  // tokens file cannot be used.
  static absl::StatusOr<std::unique_ptr<ClientAuthenticator>> Create(
      const config::ServerConfig& config);

  absl::StatusOr<Caller> Authenticate(const grpc::ServerContextBase& context) const;

  Mode mode() const { return mode_; }
  // The tokens file, in tokens mode; else null.
  TokenStore* tokens() const { return tokens_.get(); }

 private:
  ClientAuthenticator(Mode mode, ClientLimits defaults) : mode_(mode), defaults_(defaults) {}

  absl::StatusOr<Caller> FromToken(const grpc::ServerContextBase& context) const;
  absl::StatusOr<Caller> FromCertificate(const grpc::ServerContextBase& context) const;

  const Mode mode_;
  const ClientLimits defaults_;
  std::unique_ptr<TokenStore> tokens_;
};

// UNAUTHENTICATED with ErrorInfo{reason "UNAUTHENTICATED", domain "seedgate"}.
absl::Status UnauthenticatedError(absl::string_view message);

}  // namespace seedgate::service

#endif  // SEEDGATE_SERVER_SERVICE_CLIENT_AUTH_H_
