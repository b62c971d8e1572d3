#include "server/service/client_auth.h"

#include <grpcpp/security/auth_context.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/rpc/error_details.pb.h"
#include "server/translate/status_details.h"

namespace seedgate::service {
namespace {

constexpr char kAnonymous[] = "anonymous";

absl::string_view View(const grpc::string_ref& ref) { return {ref.data(), ref.size()}; }

// A certificate's name as a client name: printable, bounded, so that it is
// safe in a JSON log line and a metric label.
std::string SafeName(absl::string_view raw) {
  std::string name;
  for (char c : raw.substr(0, 64)) {
    name += (absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-' || c == '@') ? c : '_';
  }
  return name;
}

}  // namespace

absl::Status UnauthenticatedError(absl::string_view message) {
  absl::Status status = absl::UnauthenticatedError(message);
  google::rpc::ErrorInfo info;
  info.set_reason("UNAUTHENTICATED");
  info.set_domain("seedgate");
  translate::AttachDetail(status, info);
  return status;
}

absl::StatusOr<std::unique_ptr<ClientAuthenticator>> ClientAuthenticator::Create(
    const config::ServerConfig& config) {
  const ClientLimits defaults{config.client_requests_per_minute, config.client_concurrent_streams,
                              config.client_tokens_per_minute};
  Mode mode;
  if (config.client_auth == "tokens") {
    mode = Mode::kTokens;
  } else if (config.client_auth == "mtls") {
    mode = Mode::kMtls;
  } else if (config.client_auth == "none") {
    mode = Mode::kNone;
  } else if (config.client_auth.empty()) {
    return absl::InvalidArgumentError(config::NoClientAuthMessage());
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("client_auth \"", config.client_auth, "\" is not tokens, mtls or none"));
  }
  if (mode == Mode::kMtls && config.tls_client_ca.empty()) {
    return absl::InvalidArgumentError("--client_auth=mtls needs --tls_client_ca");
  }
  std::unique_ptr<ClientAuthenticator> auth(new ClientAuthenticator(mode, defaults));
  if (mode == Mode::kTokens) {
    if (config.client_tokens_file.empty()) {
      return absl::InvalidArgumentError("--client_auth=tokens needs --client_tokens_file");
    }
    auto store = TokenStore::Open(config.client_tokens_file);
    if (!store.ok()) return store.status();
    auth->tokens_ = *std::move(store);
  }
  return auth;
}

absl::StatusOr<Caller> ClientAuthenticator::Authenticate(
    const grpc::ServerContextBase& context) const {
  switch (mode_) {
    case Mode::kTokens:
      return FromToken(context);
    case Mode::kMtls:
      return FromCertificate(context);
    case Mode::kNone:
      break;
  }
  return Caller{kAnonymous, defaults_};
}

absl::StatusOr<Caller> ClientAuthenticator::FromToken(
    const grpc::ServerContextBase& context) const {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return UnauthenticatedError(
        "no client credentials: send the metadata `authorization: Bearer <token>` with a token "
        "from the seedgate operator");
  }
  absl::string_view value = absl::StripAsciiWhitespace(View(it->second));
  if (!absl::StartsWithIgnoreCase(value, "bearer ")) {
    return UnauthenticatedError("the authorization metadata is not of the form `Bearer <token>`");
  }
  value = absl::StripAsciiWhitespace(value.substr(7));
  std::shared_ptr<const TokenTable> table = tokens_->current();
  const TokenTable::Client* client = table->Find(value);
  if (client == nullptr) {
    return UnauthenticatedError(
        "the bearer token is not valid (unknown, mistyped or revoked); ask the seedgate "
        "operator for a token");
  }
  return Caller{client->name, client->limits.Over(defaults_)};
}

absl::StatusOr<Caller> ClientAuthenticator::FromCertificate(
    const grpc::ServerContextBase& context) const {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    for (const char* property : {"x509_common_name", "x509_subject_alternative_name"}) {
      std::vector<grpc::string_ref> values = auth->FindPropertyValues(property);
      if (!values.empty() && !values.front().empty()) {
        return Caller{SafeName(View(values.front())), defaults_};
      }
    }
  }
  // gRPC refuses the handshake of a client without a valid certificate;
  // this is a certificate that names nobody.
  return UnauthenticatedError(
      "the client certificate names no client (no common name or subject alternative name)");
}

}  // namespace seedgate::service
