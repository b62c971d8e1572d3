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

// A throwaway certificate authority (cert_file is the CA certificate to
// trust; key_file signs).
TlsFiles MakeCa(const std::string& name = "seedgate-test-ca");

// A certificate signed by `ca`, with subject CN=`common_name`, usable by a
// server (SAN IP:127.0.0.1, DNS:localhost) and by a client. Files go into a
// fresh temp dir. Aborts on failure.
TlsFiles MakeSignedCert(const TlsFiles& ca, const std::string& common_name);

// A file's contents (for grpc::SslCredentialsOptions); aborts when unreadable.
std::string ReadFileOrDie(const std::string& path);

}  // namespace seedgate::testing
