#include "tests/support/temp_file.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace seedgate::testing {

std::string WriteTempFile(const std::string& contents) {
  char path[] = "/tmp/seedgate-test-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) {
    std::perror("mkstemp");
    std::abort();
  }
  close(fd);
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

void ReplaceFile(const std::string& path, const std::string& contents) {
  const std::string fresh = path + ".new";
  std::ofstream(fresh, std::ios::binary) << contents;
  if (std::rename(fresh.c_str(), path.c_str()) != 0) {
    std::perror("rename");
    std::abort();
  }
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace seedgate::testing
