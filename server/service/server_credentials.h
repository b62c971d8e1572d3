#ifndef SEEDGATE_SERVER_SERVICE_SERVER_CREDENTIALS_H_
#define SEEDGATE_SERVER_SERVICE_SERVER_CREDENTIALS_H_

#include <grpcpp/security/server_credentials.h>

#include <memory>

#include "absl/status/statusor.h"
#include "server/config/server_config.h"

namespace seedgate::service {

// The gRPC port's transport security: plaintext without --tls_cert; TLS with
// it; mutual TLS (a client certificate signed by --tls_client_ca required and
// verified during the handshake) with --tls_client_ca. The files are watched
// by gRPC and reloaded when they change, so a rotated certificate (a
// cert-manager Secret update) needs no restart. The files are checked first:
// a key that does not match its certificate is an error at start-up, not a
// failed handshake later.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const config::ServerConfig& config);

}  // namespace seedgate::service

#endif  // SEEDGATE_SERVER_SERVICE_SERVER_CREDENTIALS_H_
