#ifndef SEEDGATE_SERVER_SERVICE_SMALL_FILE_H_
#define SEEDGATE_SERVER_SERVICE_SMALL_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace seedgate::service {

// Reads a small configuration file (a tokens or limits file) whole.
// INVALID_ARGUMENT "<what> <path> cannot be read" or, past 4 MiB, "... is
// larger than ...; wrong file?". Never quotes what the file holds.
absl::StatusOr<std::string> ReadSmallFile(const std::string& path, absl::string_view what);

}  // namespace seedgate::service

#endif  // SEEDGATE_SERVER_SERVICE_SMALL_FILE_H_
