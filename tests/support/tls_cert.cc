#include "tests/support/tls_cert.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

namespace seedgate::testing {
namespace {

std::string MakeTempDir() {
  char tmpl[] = "/tmp/seedgate-tls-XXXXXX";
  char* dir = mkdtemp(tmpl);
  if (dir == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  return dir;
}

void RunOrDie(const std::string& cmd, const std::string& dir) {
  const std::string full = cmd + " >>'" + dir + "/openssl.log' 2>&1";
  int rc = std::system(full.c_str());
  if (rc != 0) {
    std::fprintf(stderr, "tls_cert: `%s` failed (rc=%d)\n", full.c_str(), rc);
    std::abort();
  }
}

constexpr char kEcKey[] = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";

}  // namespace

TlsFiles MakeCa(const std::string& name) {
  TlsFiles files;
  files.dir = MakeTempDir();
  files.cert_file = files.dir + "/ca.pem";
  files.key_file = files.dir + "/ca.key";
  RunOrDie(std::string("openssl req -x509 ") + kEcKey + " -days 1 -subj '/CN=" + name +
               "' -addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign"
               " -keyout '" +
               files.key_file + "' -out '" + files.cert_file + "'",
           files.dir);
  return files;
}

TlsFiles MakeSignedCert(const TlsFiles& ca, const std::string& common_name) {
  TlsFiles files;
  files.dir = MakeTempDir();
  files.cert_file = files.dir + "/cert.pem";
  files.key_file = files.dir + "/key.pem";
  const std::string csr = files.dir + "/cert.csr", ext = files.dir + "/ext.cnf";
  std::ofstream(ext) << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                        "extendedKeyUsage=serverAuth,clientAuth\n";
  RunOrDie(std::string("openssl req ") + kEcKey + " -subj '/CN=" + common_name + "' -keyout '" +
               files.key_file + "' -out '" + csr + "'",
           files.dir);
  RunOrDie("openssl x509 -req -days 1 -in '" + csr + "' -CA '" + ca.cert_file + "' -CAkey '" +
               ca.key_file + "' -CAcreateserial -CAserial '" + files.dir + "/ca.srl' -extfile '" +
               ext + "' -out '" + files.cert_file + "'",
           files.dir);
  return files;
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) {
    std::fprintf(stderr, "ReadFileOrDie: cannot read %s\n", path.c_str());
    std::abort();
  }
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

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
