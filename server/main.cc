// seedgate: flags and environment -> ServerConfig -> a running server.

#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/config/server_config.h"
#include "server/demo/emulator_process.h"
#include "server/service/seedgate_server.h"

int main(int argc, char** argv) {
  using seedgate::config::ServerConfig;
  // Debian's Abseil is built with mutex deadlock detection on; its
  // bookkeeping showed up at several percent of CPU in profiles.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (seedgate::config::IsHelpRequest(args)) {
    std::fputs(seedgate::config::UsageText().c_str(), stdout);
    return 0;
  }
  absl::StatusOr<ServerConfig> config =
      seedgate::config::ParseServerConfig(args, seedgate::config::ProcessEnv());
  if (!config.ok()) {
    std::fprintf(stderr, "seedgate: %s\nRun `seedgate --help` for every flag.\n",
                 std::string(config.status().message()).c_str());
    return 2;
  }

  if (config->client_auth.empty()) {
    std::fprintf(stderr, "seedgate: refusing to start: %s\n",
                 seedgate::config::NoClientAuthMessage().c_str());
    return 2;
  }
  if (config->client_auth == "none") {
    std::fprintf(stderr,
                 "seedgate: WARNING: --client_auth=none: every caller that reaches the port may "
                 "use the API key; for the local demo only\n");
  } else if (config->tls_cert.empty()) {
    std::fprintf(stderr,
                 "seedgate: WARNING: no --tls_cert: client tokens travel in clear text; use TLS "
                 "(or a service mesh that adds it)\n");
  }

  if (config->upstream_insecure_skip_verify) {
    std::fprintf(stderr,
                 "seedgate: WARNING: --upstream_insecure_skip_verify: the upstream's TLS "
                 "certificate is NOT verified; for tests only\n");
  }

  // Signals go to one waiting thread, not to whichever thread is running.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::unique_ptr<seedgate::demo::EmulatorProcess> emulator;
  if (config->api_key.empty()) {
    if (config->require_api_key) {
      std::fprintf(stderr,
                   "seedgate: no upstream API key: set EVOLINK_API_KEY or --api_key_file "
                   "(--require_api_key is on)\n");
      return 2;
    }
    config->api_key = seedgate::demo::RandomDemoKey();
    auto started = seedgate::demo::EmulatorProcess::Start(config->emulator_path, config->api_key);
    if (!started.ok()) {
      std::fprintf(stderr, "seedgate: no EVOLINK_API_KEY, and %s\n",
                   std::string(started.status().message()).c_str());
      return 1;
    }
    emulator = *std::move(started);
    config->upstream_base_urls = {emulator->base_url()};
    std::fprintf(stderr,
                 "seedgate: no EVOLINK_API_KEY or --api_key_file: running against the bundled "
                 "upstream EMULATOR at %s (answers are synthetic; set EVOLINK_API_KEY to use "
                 "the real API)\n",
                 emulator->base_url().c_str());
  }

  auto server = seedgate::service::SeedgateServer::Start(*config);
  if (!server.ok()) {
    std::fprintf(stderr, "seedgate: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  std::string metrics = config->metrics_listen.empty()
                            ? std::string("off")
                            : absl::StrCat("port ", (*server)->metrics_port(), " /metrics");
  std::fprintf(stderr, "seedgate: listening on %s (port %d), metrics %s, upstream %s\n",
               config->listen.c_str(), (*server)->port(), metrics.c_str(),
               absl::StrJoin(config->upstream_base_urls, ", ").c_str());

  std::thread signal_waiter([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    std::fprintf(stderr, "seedgate: %s: shutting down (in-flight RPCs get up to %s)\n",
                 strsignal(signal), absl::FormatDuration(config->shutdown_grace).c_str());
    (*server)->Shutdown(config->shutdown_grace);
  });
  (*server)->Wait();
  signal_waiter.join();
  std::fprintf(stderr, "seedgate: stopped\n");
  return 0;
}
