#ifndef SEEDGATE_SERVER_CONFIG_SERVER_CONFIG_H_
#define SEEDGATE_SERVER_CONFIG_SERVER_CONFIG_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace seedgate::config {

// Everything seedgate is told at start-up.
struct ServerConfig {
  std::string listen = "0.0.0.0:50051";
  // Prometheus /metrics; empty turns the endpoint off.
  std::string metrics_listen = "0.0.0.0:9464";
  // Tried in order; the first is the primary.
  std::vector<std::string> upstream_base_urls = {"https://direct.evolink.ai",
                                                 "https://api.evolink.ai"};
  // The upstream key: from EVOLINK_API_KEY, or read from --api_key_file.
  // Never from the command line.
  std::string api_key;
  std::string api_key_file;
  // Extra CA bundle (PEM) to verify the upstream with.
  std::string upstream_ca_file;
  // "2" (HTTP/2 over TLS, HTTP/1.1 fallback) or "1.1".
  std::string upstream_http_version = "2";
  absl::Duration connect_timeout = absl::Seconds(10);
  // Upper bound of one upstream call when the RPC has no (or a later) deadline.
  absl::Duration request_timeout = absl::Minutes(10);
  // After SIGTERM/SIGINT: how long in-flight RPCs may run on.
  absl::Duration shutdown_grace = absl::Minutes(10);
  // Clients are asked to reconnect after this long (plus a grace for the
  // RPCs in flight), so that load spreads over new replicas.
  absl::Duration max_connection_age = absl::Minutes(30);
  // Chat RPCs in flight at once; past it RESOURCE_EXHAUSTED with RetryInfo.
  int max_concurrent_rpcs = 20000;
  // Largest request a client may send; images and videos travel inline as
  // Base64, so gRPC's 4 MiB default is too small.
  int max_request_bytes = 64 << 20;
  // Pass models the reference does not document through instead of refusing.
  bool allow_unknown_models = false;
  // With no API key: refuse to start (true) or run against the bundled
  // emulator (false, the default, for the local demo).
  bool require_api_key = false;
  // The emulator binary used when there is no API key; default: fake-upstream
  // next to the seedgate binary.
  std::string emulator_path;
  // Upstream I/O threads, each with its own libcurl loop; 0: min(2, cores).
  int upstream_threads = 0;

  // Reliability (see upstream::RetryPolicy, EjectionPolicy, ChatClientOptions).
  int upstream_max_attempts = 3;
  std::vector<int> upstream_retry_on = {429, 500, 502, 503};
  absl::Duration upstream_retry_initial_backoff = absl::Milliseconds(250);
  absl::Duration upstream_retry_max_backoff = absl::Seconds(5);
  absl::Duration upstream_first_byte_timeout = absl::Minutes(1);  // zero: off
  absl::Duration upstream_idle_timeout = absl::Minutes(2);        // zero: off
  int upstream_eject_after = 5;                                   // zero: never
  absl::Duration upstream_eject_time = absl::Seconds(30);
  int max_upstream_response_bytes = 32 << 20;
  int max_upstream_event_bytes = 4 << 20;
  int64_t max_stream_chunks = 1'000'000;

  // --- Security: who may call, TLS, quotas, access log ---------------------
  // "tokens", "mtls" or "none". Empty: not chosen; ParseServerConfig infers
  // it from --client_tokens_file / --tls_client_ca, and with neither the
  // server refuses to start (SeedgateServer::Start and main say why).
  std::string client_auth;
  // Bearer tokens: `name token [limit=N]...` lines, or JSON (README).
  std::string client_tokens_file;
  // Per-client limits by client name, in any auth mode: `name limit=N...`
  // lines, or JSON (README); they win over the tokens file's, limit by limit.
  std::string client_limits_file;
  // TLS on the gRPC port (PEM files, reloaded on change); both or neither.
  std::string tls_cert;
  std::string tls_key;
  // CA bundle client certificates must chain to (mutual TLS).
  std::string tls_client_ca;
  // Per-client limits for callers whose entry sets none; 0 is no limit.
  int64_t client_requests_per_minute = 0;
  int64_t client_concurrent_streams = 0;
  int64_t client_tokens_per_minute = 0;
  // One JSON line per RPC: "stderr", "off", or a file path.
  std::string access_log = "stderr";
  // Put request and answer text into the access log (off: never).
  bool log_content = false;
  // Do not verify the upstream's TLS certificate (tests only).
  bool upstream_insecure_skip_verify = false;
  // Not flags: how often the tokens, limits and key files are checked for changes,
  // and the period of the per-minute limits (tests shorten both).
  absl::Duration credentials_poll_interval = absl::Seconds(5);
  absl::Duration quota_period = absl::Minutes(1);
  // Whether api_key was read from api_key_file (and so follows its changes).
  bool api_key_from_file = false;
};

// Reads an API key file as ParseServerConfig does (trimmed, one printable
// word); errors never hold what the file holds.
absl::StatusOr<std::string> ReadApiKeyFile(const std::string& path);

// Why a server will not start when `config.client_auth` is still unset.
std::string NoClientAuthMessage();

// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment.
EnvLookup ProcessEnv();

// Parses `--flag=value` / `--flag value` arguments (without argv[0]) over
// `SEEDGATE_<FLAG>` environment variables (the command line wins; an empty
// variable counts as unset) over the defaults, then reads the key
// (EVOLINK_API_KEY when non-empty, else --api_key_file; the file is not read
// when the variable supplies the key). A bool flag alone means true;
// `--a-b` is accepted for `--a_b`. Any unknown flag, positional argument,
// bad value, unreadable file, `--api_key` on the command line, or
// --require_api_key without a key is an INVALID_ARGUMENT whose message names
// the flag (or variable) and says what is expected; no message ever holds a
// key. Check IsHelpRequest first.
absl::StatusOr<ServerConfig> ParseServerConfig(const std::vector<std::string>& args,
                                               const EnvLookup& env);

// Whether `args` asks for --help / -h / --helpfull.
bool IsHelpRequest(const std::vector<std::string>& args);

// The --help text: every flag, its variable, default and meaning.
std::string UsageText();

}  // namespace seedgate::config

#endif  // SEEDGATE_SERVER_CONFIG_SERVER_CONFIG_H_
