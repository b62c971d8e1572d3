#include "client/metadata.h"

#include "absl/strings/match.h"

namespace seedgate::client {

Result<void> ValidateMetadata(const Metadata& metadata) {
  for (const auto& [key, value] : metadata) {
    bool key_ok = !key.empty() && !absl::StartsWith(key, "grpc-");
    for (char c : key) {
      key_ok = key_ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                          c == '-' || c == '.');
    }
    if (!key_ok) {
      return ClientError::Local(grpc::StatusCode::INVALID_ARGUMENT,
                                "metadata key '" + key +
                                    "' is not allowed: use lower-case letters, digits, "
                                    "'_', '-' or '.', and no 'grpc-' prefix");
    }
    if (absl::EndsWith(key, "-bin")) continue;
    for (char c : value) {
      if (c < 0x20 || c > 0x7e) {
        return ClientError::Local(
            grpc::StatusCode::INVALID_ARGUMENT,
            "the value of metadata key '" + key + "' has a character that is not printable ASCII");
      }
    }
  }
  return {};
}

std::pair<std::string, std::string> BearerToken(const std::string& token) {
  return {"authorization", "Bearer " + token};
}

}  // namespace seedgate::client
