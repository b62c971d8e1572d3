#include "tests/support/tls_cert.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace seedgate::testing {

TlsFiles MakeSelfSignedCert() {
  char tmpl[] = "/tmp/seedgate-tls-XXXXXX";
  char* dir = mkdtemp(tmpl);
  if (dir == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  TlsFiles files;
  files.dir = dir;
  files.cert_file = files.dir + "/cert.pem";
  files.key_file = files.dir + "/key.pem";
  std::string cmd =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost"
      " -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout '" +
      files.key_file + "' -out '" + files.cert_file + "' >'" + files.dir + "/openssl.log' 2>&1";
  int rc = std::system(cmd.c_str());
  if (rc != 0) {
    std::fprintf(stderr, "MakeSelfSignedCert: `%s` failed (rc=%d)\n", cmd.c_str(), rc);
    std::abort();
  }
  return files;
}

}  // namespace seedgate::testing
