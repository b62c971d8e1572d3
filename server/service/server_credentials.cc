#include "server/service/server_credentials.h"

#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"

namespace seedgate::service {
namespace {

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<FILE, FileCloser>;

// Loads the certificate and key as the handshake will, so that a wrong file
// fails start-up with a message naming it.
absl::Status CheckKeyPair(const std::string& cert_path, const std::string& key_path) {
  File cert_file(std::fopen(cert_path.c_str(), "r"));
  if (cert_file == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("--tls_cert: ", cert_path, " cannot be read"));
  }
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_X509(cert_file.get(), nullptr, nullptr, nullptr), X509_free);
  if (cert == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls_cert: ", cert_path, " holds no PEM certificate"));
  }
  File key_file(std::fopen(key_path.c_str(), "r"));
  if (key_file == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("--tls_key: ", key_path, " cannot be read"));
  }
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_PrivateKey(key_file.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls_key: ", key_path, " holds no unencrypted PEM private key"));
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls_key: ", key_path, " is not the key of --tls_cert ", cert_path));
  }
  return absl::OkStatus();
}

absl::Status CheckCaBundle(const std::string& path) {
  File file(std::fopen(path.c_str(), "r"));
  if (file == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("--tls_client_ca: ", path, " cannot be read"));
  }
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_X509(file.get(), nullptr, nullptr, nullptr), X509_free);
  if (cert == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls_client_ca: ", path, " holds no PEM certificate"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const config::ServerConfig& config) {
  if (config.tls_cert.empty()) return grpc::InsecureServerCredentials();
  if (absl::Status s = CheckKeyPair(config.tls_cert, config.tls_key); !s.ok()) return s;
  const bool mutual = !config.tls_client_ca.empty();
  if (mutual) {
    if (absl::Status s = CheckCaBundle(config.tls_client_ca); !s.ok()) return s;
  }
  const auto refresh_seconds = static_cast<unsigned int>(
      std::max<int64_t>(1, absl::ToInt64Seconds(config.credentials_poll_interval)));
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      config.tls_key, config.tls_cert, mutual ? config.tls_client_ca : "", refresh_seconds);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (mutual) {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  } else {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

}  // namespace seedgate::service
