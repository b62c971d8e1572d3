#include "server/demo/emulator_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace seedgate::demo {
namespace {

constexpr absl::string_view kListeningPrefix = "fake-upstream listening on ";

std::string BinaryNextToUs() {
  std::error_code error;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return "fake-upstream";
  return (self.parent_path() / "fake-upstream").string();
}

}  // namespace

absl::StatusOr<std::unique_ptr<EmulatorProcess>> EmulatorProcess::Start(
    const std::string& binary, const std::string& api_key) {
  std::string path = binary.empty() ? BinaryNextToUs() : binary;
  if (access(path.c_str(), X_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("the upstream emulator is not at ", path,
                                            " (build it, or set --emulator_path)"));
  }
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return absl::InternalError("pipe failed");
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork failed: ", std::strerror(errno)));
  if (pid == 0) {
    // The emulator must not outlive seedgate, however seedgate ends.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);
    dup2(out[1], STDOUT_FILENO);
    setenv("FAKE_UPSTREAM_API_KEY", api_key.c_str(), 1);
    execl(path.c_str(), path.c_str(), "--listen", "127.0.0.1:0", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  // The emulator's first line says where it listens.
  std::string line;
  char c;
  while (line.size() < 512) {
    ssize_t n = read(out[0], &c, 1);
    if (n <= 0 || c == '\n') break;
    line.push_back(c);
  }
  close(out[0]);
  absl::string_view rest = line;
  if (!absl::ConsumePrefix(&rest, kListeningPrefix)) {
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
    return absl::InternalError(
        absl::StrCat("the upstream emulator did not start (it said: \"", line, "\")"));
  }
  return std::unique_ptr<EmulatorProcess>(new EmulatorProcess(pid, std::string(rest)));
}

EmulatorProcess::~EmulatorProcess() {
  kill(pid_, SIGTERM);
  waitpid(pid_, nullptr, 0);
}

std::string RandomDemoKey() {
  std::random_device random;
  std::string key = "demo-";
  for (int i = 0; i < 4; ++i) absl::StrAppend(&key, absl::Hex(random(), absl::kZeroPad8));
  return key;
}

}  // namespace seedgate::demo
