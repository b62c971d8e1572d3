#ifndef SEEDGATE_SERVER_DEMO_EMULATOR_PROCESS_H_
#define SEEDGATE_SERVER_DEMO_EMULATOR_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace seedgate::demo {

// The bundled upstream emulator (tools/fake_upstream) as a child process on
// loopback, for running seedgate without an API key. It dies with us.
class EmulatorProcess {
 public:
  // Starts `binary` (empty: fake-upstream next to this executable) on
  // 127.0.0.1 with a free port, expecting `api_key`, and waits until it listens.
  static absl::StatusOr<std::unique_ptr<EmulatorProcess>> Start(const std::string& binary,
                                                                const std::string& api_key);
  ~EmulatorProcess();  // SIGTERM, then reaps it

  // e.g. "http://127.0.0.1:41234"
  const std::string& base_url() const { return base_url_; }

 private:
  EmulatorProcess(pid_t pid, std::string base_url) : pid_(pid), base_url_(std::move(base_url)) {}

  pid_t pid_;
  std::string base_url_;
};

// A fresh random key for the local emulator, so the demo still exercises auth.
std::string RandomDemoKey();

}  // namespace seedgate::demo

#endif  // SEEDGATE_SERVER_DEMO_EMULATOR_PROCESS_H_
