// Call metadata (headers) a caller adds: checked here, because gRPC C++
// aborts the whole process on a key or value it cannot send.
#ifndef SEEDGATE_CLIENT_METADATA_H_
#define SEEDGATE_CLIENT_METADATA_H_

#include <string>
#include <utility>
#include <vector>

#include "client/result.h"

namespace seedgate::client {

using Metadata = std::vector<std::pair<std::string, std::string>>;

// OK when every key is lower-case [0-9a-z_.-], not reserved (`grpc-*`), and
// every value of a non-`-bin` key is printable ASCII. The error names the key
// but never shows a value (it may be a token).
Result<void> ValidateMetadata(const Metadata& metadata);

// `authorization: Bearer <token>`.
std::pair<std::string, std::string> BearerToken(const std::string& token);

}  // namespace seedgate::client

#endif  // SEEDGATE_CLIENT_METADATA_H_
