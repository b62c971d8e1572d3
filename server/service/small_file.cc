#include "server/service/small_file.h"

#include <fstream>
#include <iterator>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace seedgate::service {
namespace {

// These files are a few kilobytes; anything far bigger is the wrong file.
constexpr std::streamoff kMaxFileBytes = 4 << 20;

}  // namespace

absl::StatusOr<std::string> ReadSmallFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", path, " cannot be read"));
  }
  in.seekg(0, std::ios::end);
  if (in.tellg() > kMaxFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", path, " is larger than ", kMaxFileBytes, " bytes; wrong file?"));
  }
  in.seekg(0);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace seedgate::service
