// Throwaway self-signed TLS certificates for tests.
#pragma once

#include <string>

namespace seedgate::testing {

struct TlsFiles {
  std::string dir;        // fresh temp dir holding both files
  std::string cert_file;  // PEM cert; also the CA file clients should trust
  std::string key_file;   // PEM private key (unencrypted)
};

// Makes a self-signed certificate for 127.0.0.1 and localhost
// (SAN IP:127.0.0.1, DNS:localhost) with the `openssl` CLI. Aborts on failure.
TlsFiles MakeSelfSignedCert();

}  // namespace seedgate::testing
