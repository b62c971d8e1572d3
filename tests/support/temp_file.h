// Temporary files for tests that hand seedgate a file (tokens, keys, logs).
#pragma once

#include <string>

namespace seedgate::testing {

// A new file under /tmp holding `contents`; its path.
std::string WriteTempFile(const std::string& contents);

// Replaces `path` the way a Kubernetes Secret update does: a new file
// renamed over the old name (a new inode, never a half-written file).
void ReplaceFile(const std::string& path, const std::string& contents);

// The whole file ("" when it cannot be read).
std::string ReadWholeFile(const std::string& path);

}  // namespace seedgate::testing
