// fake-upstream: a stand-alone Doubao Seed 2.0 chat-completions API emulator.
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "tools/fake_upstream/emulator.h"
#include "tools/fake_upstream/responder.h"

namespace {

using seedgate::fake_upstream::Emulator;
using seedgate::fake_upstream::EmulatorOptions;

const char kUsage[] =
    R"(Usage: fake-upstream [flags]

An emulator of the Doubao Seed 2.0 chat-completions HTTP API
(POST /v1/chat/completions), for tests, benchmarks and local demos.
Also serves GET /healthz and GET /_emulator/stats (counters as JSON).

Flags (--flag VALUE or --flag=VALUE):
  --listen HOST:PORT     address to listen on (default 127.0.0.1:8080; port 0
                         picks a free port)
  --api_key KEY          bearer key to require (default: env FAKE_UPSTREAM_API_KEY;
                         if empty, any non-empty bearer key is accepted)
  --tls_cert FILE        PEM certificate; with --tls_key serves HTTPS only
  --tls_key FILE         PEM private key
  --threads N            I/O threads (default 1)
  --token_delay_ms N     default delay between streamed tokens (default 0)
  --help                 this text

On start, prints exactly one line to stdout:
  fake-upstream listening on http://HOST:PORT     (https with TLS)
Runs until SIGTERM/SIGINT, then exits 0. Bad flags: exit 2.

)";

[[noreturn]] void BadFlag(const std::string& msg) {
  std::cerr << "fake-upstream: " << msg << "\n(see fake-upstream --help)\n";
  std::exit(2);
}

int ParseNonNegative(const std::string& flag, const std::string& v, long max) {
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < 0 || n > max) {
    BadFlag(flag + " needs an integer in [0, " + std::to_string(max) + "], got '" + v + "'");
  }
  return static_cast<int>(n);
}

void RaiseFileLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

}  // namespace

int main(int argc, char** argv) {
  EmulatorOptions options;
  options.port = 8080;
  if (const char* env = std::getenv("FAKE_UPSTREAM_API_KEY")) options.api_key = env;

  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage << seedgate::fake_upstream::DirectivesHelp();
      return 0;
    }
    if (arg.rfind("--", 0) != 0) BadFlag("unexpected argument '" + arg + "'");
    std::string name = arg, value;
    bool has_value = false;
    if (size_t eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    }
    auto take = [&]() {
      if (has_value) return value;
      if (i + 1 >= argc) BadFlag(name + " needs a value");
      return std::string(argv[++i]);
    };
    if (name == "--listen") {
      std::string v = take();
      size_t colon = v.rfind(':');
      if (colon == std::string::npos || colon == 0)
        BadFlag("--listen needs HOST:PORT, got '" + v + "'");
      std::string host = v.substr(0, colon);
      if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
      }
      options.host = host;
      options.port =
          static_cast<uint16_t>(ParseNonNegative("--listen port", v.substr(colon + 1), 65535));
    } else if (name == "--api_key") {
      options.api_key = take();
    } else if (name == "--tls_cert") {
      options.tls_cert_file = take();
    } else if (name == "--tls_key") {
      options.tls_key_file = take();
    } else if (name == "--threads") {
      options.threads = ParseNonNegative(name, take(), 1024);
      if (options.threads < 1) BadFlag("--threads must be at least 1");
    } else if (name == "--token_delay_ms") {
      options.token_delay = std::chrono::milliseconds(ParseNonNegative(name, take(), 3600000));
    } else {
      BadFlag("unknown flag '" + name + "'");
    }
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    BadFlag("--tls_cert and --tls_key must be given together");
  }

  // Block the termination signals in every thread; wait for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  RaiseFileLimit();

  Emulator emulator(options);
  absl::Status status = emulator.Start();
  if (!status.ok()) {
    std::cerr << "fake-upstream: " << status.message() << "\n";
    return 1;
  }
  std::cout << "fake-upstream listening on " << emulator.base_url() << std::endl;

  int sig = 0;
  sigwait(&signals, &sig);
  emulator.Stop();
  return 0;
}
