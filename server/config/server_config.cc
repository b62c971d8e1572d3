#include "server/config/server_config.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace seedgate::config {
namespace {

constexpr char kApiKeyEnv[] = "EVOLINK_API_KEY";
constexpr char kEnvPrefix[] = "SEEDGATE_";
// A key file is one short line; anything bigger is the wrong file.
constexpr std::uintmax_t kMaxKeyFileBytes = 64 * 1024;

// Where a value came from, so that an error names what the user wrote: the
// flag or the environment variable.
struct Source {
  std::string name;  // "--listen" or "SEEDGATE_LISTEN"
};

// Quotes a user-supplied value for an error message; escaping keeps control
// bytes out of logs and terminals.
std::string Quote(absl::string_view value) {
  return absl::StrCat("\"", absl::CEscape(value), "\"");
}

absl::Status BadValue(const Source& source, absl::string_view value, absl::string_view expected) {
  return absl::InvalidArgumentError(absl::StrCat(source.name, ": ", Quote(value), " ", expected));
}

// --- value parsers ---------------------------------------------------------

bool IsPort(absl::string_view s) {
  int port = 0;
  return !s.empty() && s.size() <= 5 && std::all_of(s.begin(), s.end(), absl::ascii_isdigit) &&
         absl::SimpleAtoi(s, &port) && port >= 0 && port <= 65535;
}

bool IsHostName(absl::string_view host) {
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_';
  });
}

bool IsBracketedIpv6(absl::string_view host) {
  if (host.size() < 3 || host.front() != '[' || host.back() != ']') return false;
  host = host.substr(1, host.size() - 2);
  // Hex groups and colons, optionally an embedded IPv4 and a zone ("%eth0").
  const absl::string_view address = host.substr(0, host.find('%'));
  return absl::StrContains(address, ':') && std::all_of(address.begin(), address.end(), [](char c) {
           return absl::ascii_isxdigit(c) || c == ':' || c == '.';
         });
}

// Splits "host:port" / "[v6]:port" at the port's colon; false when there is
// none (an unbracketed IPv6 address has several).
bool SplitHostPort(absl::string_view s, absl::string_view* host, absl::string_view* port) {
  const size_t colon = s.rfind(':');
  if (colon == absl::string_view::npos) return false;
  *host = s.substr(0, colon);
  *port = s.substr(colon + 1);
  return IsBracketedIpv6(*host) || (IsHostName(*host) && !absl::StrContains(*host, ':'));
}

absl::Status ParseListen(const Source& source, absl::string_view value, ServerConfig& config) {
  absl::string_view host, port;
  if (!SplitHostPort(value, &host, &port) || !IsPort(port)) {
    return BadValue(source, value,
                    "is not host:port with a port of 0..65535 (examples: 0.0.0.0:50051, "
                    "localhost:50051, [::]:50051)");
  }
  config.listen = std::string(value);
  return absl::OkStatus();
}

// Checks one base URL; returns it without a trailing "/" and with a
// lower-case scheme.
absl::StatusOr<std::string> ParseBaseUrl(const Source& source, absl::string_view url) {
  constexpr char kExpected[] =
      "is not a base URL (expected http:// or https:// with a host and optional port, no "
      "path; example: https://api.evolink.ai)";
  absl::string_view rest = url;
  std::string scheme;
  for (const char* candidate : {"https://", "http://"}) {
    if (absl::StartsWithIgnoreCase(rest, candidate)) {
      scheme = candidate;
      rest.remove_prefix(scheme.size());
      break;
    }
  }
  if (scheme.empty()) return BadValue(source, url, kExpected);
  if (absl::StrContains(rest, '@')) {
    // Credentials in a URL end up in logs; and the value is not echoed, as
    // it holds a secret.
    return absl::InvalidArgumentError(absl::StrCat(
        source.name, ": a base URL must not hold credentials (user@host); the key comes from ",
        kApiKeyEnv, " or --api_key_file"));
  }
  const size_t authority_end = rest.find_first_of("/?#");
  const absl::string_view authority = rest.substr(0, authority_end);
  absl::string_view path =
      authority_end == absl::string_view::npos ? absl::string_view() : rest.substr(authority_end);
  if (path == "/") path = absl::string_view();
  if (!path.empty()) {
    return BadValue(source, url,
                    "has a path, query or fragment; give only scheme://host[:port] (seedgate "
                    "adds /v1/chat/completions itself)");
  }
  absl::string_view host = authority, port;
  const bool has_port = absl::StrContains(authority, "]:") ||
                        (!absl::StartsWith(authority, "[") && absl::StrContains(authority, ':'));
  if (has_port) {
    if (!SplitHostPort(authority, &host, &port) || !IsPort(port) || port == "0" ||
        port.front() == '0') {
      return BadValue(source, url, kExpected);
    }
  } else if (!IsHostName(host) && !IsBracketedIpv6(host)) {
    return BadValue(source, url, kExpected);
  }
  return absl::StrCat(scheme, authority);
}

absl::Status ParseBaseUrls(const Source& source, absl::string_view value, ServerConfig& config) {
  std::vector<std::string> urls;
  for (absl::string_view item : absl::StrSplit(value, ',')) {
    item = absl::StripAsciiWhitespace(item);
    if (item.empty()) {
      return BadValue(source, value,
                      "has an empty entry; expected comma-separated base URLs (example: "
                      "https://direct.evolink.ai,https://api.evolink.ai)");
    }
    absl::StatusOr<std::string> url = ParseBaseUrl(source, item);
    if (!url.ok()) return url.status();
    urls.push_back(*std::move(url));
  }
  config.upstream_base_urls = std::move(urls);
  return absl::OkStatus();
}

absl::Status ParseHttpVersion(const Source& source, absl::string_view value, ServerConfig& config) {
  if (value != "2" && value != "1.1") return BadValue(source, value, "must be 2 or 1.1");
  config.upstream_http_version = std::string(value);
  return absl::OkStatus();
}

absl::Status ParseDurationValue(const Source& source, absl::string_view value,
                                absl::Duration* out) {
  absl::Duration d;
  int64_t seconds = 0;
  if (!value.empty() && std::all_of(value.begin(), value.end(), absl::ascii_isdigit)) {
    // A bare number is seconds, the unit people mean for a timeout.
    if (!absl::SimpleAtoi(value, &seconds)) {
      return BadValue(source, value, "is too large a number of seconds");
    }
    d = absl::Seconds(seconds);
  } else if (!absl::ParseDuration(value, &d)) {
    return BadValue(source, value,
                    "is not a duration (examples: 10s, 1500ms, 10m, or 30 for seconds)");
  }
  if (d <= absl::ZeroDuration() || d == absl::InfiniteDuration()) {
    return BadValue(source, value, "must be a finite duration > 0 (examples: 10s, 1500ms)");
  }
  *out = d;
  return absl::OkStatus();
}

// A size in bytes: a bare number, or a number with a KiB or MiB suffix.
absl::Status ParseMessageSize(const Source& source, absl::string_view value, int* out) {
  int64_t multiplier = 1;
  absl::string_view number = value;
  if (absl::ConsumeSuffix(&number, "MiB")) {
    multiplier = 1 << 20;
  } else if (absl::ConsumeSuffix(&number, "KiB")) {
    multiplier = 1 << 10;
  }
  int64_t count = 0;
  constexpr int64_t kMin = 1 << 10, kMax = 1 << 30;
  if (!absl::SimpleAtoi(number, &count) || count <= 0 || count > kMax / multiplier ||
      count * multiplier < kMin) {
    return BadValue(source, value, "is not a size from 1KiB to 1024MiB (examples: 64MiB, 4194304)");
  }
  *out = static_cast<int>(count * multiplier);
  return absl::OkStatus();
}

// A duration, or 0 / "off" for none (absl::ZeroDuration()).
absl::Status ParseDurationOrOff(const Source& source, absl::string_view value,
                                absl::Duration* out) {
  if (value == "0" || value == "off") {
    *out = absl::ZeroDuration();
    return absl::OkStatus();
  }
  return ParseDurationValue(source, value, out);
}

// A whole number in [lo, hi], which the caller keeps within what Int holds.
template <typename Int>
absl::Status ParseIntInRange(const Source& source, absl::string_view value, int64_t lo, int64_t hi,
                             Int* out) {
  int64_t n = 0;
  if (!absl::SimpleAtoi(value, &n) || n < lo || n > hi) {
    return BadValue(source, value, absl::StrCat("is not a whole number from ", lo, " to ", hi));
  }
  *out = static_cast<Int>(n);
  return absl::OkStatus();
}

// Comma-separated HTTP statuses from 400 to 599; empty for none.
absl::Status ParseHttpStatuses(const Source& source, absl::string_view value,
                               std::vector<int>* out) {
  std::vector<int> statuses;
  for (absl::string_view item : absl::StrSplit(value, ',', absl::SkipWhitespace())) {
    int status = 0;
    item = absl::StripAsciiWhitespace(item);
    if (!absl::SimpleAtoi(item, &status) || status < 400 || status > 599) {
      return BadValue(source, value,
                      "is not a comma-separated list of HTTP statuses from 400 to 599 "
                      "(example: 429,500,502,503)");
    }
    statuses.push_back(status);
  }
  *out = std::move(statuses);
  return absl::OkStatus();
}

absl::StatusOr<bool> ParseBool(const Source& source, absl::string_view value) {
  const std::string lower = absl::AsciiStrToLower(value);
  if (lower == "true" || lower == "1" || lower == "yes") return true;
  if (lower == "false" || lower == "0" || lower == "no") return false;
  return BadValue(source, value, "is not a boolean (expected true, false, 1, 0, yes or no)");
}

bool IsBoolLiteral(absl::string_view value) {
  const std::string lower = absl::AsciiStrToLower(value);
  return lower == "true" || lower == "1" || lower == "yes" || lower == "false" || lower == "0" ||
         lower == "no";
}

// Whether `path` is a regular file this process can open. Says why not in
// `why` (never anything read from the file).
bool IsReadableFile(const std::string& path, std::string* why) {
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    *why = "does not exist";
    return false;
  }
  if (!std::filesystem::is_regular_file(status)) {
    *why = "is not a regular file";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) {
    *why = "cannot be read (permissions?)";
    return false;
  }
  return true;
}

absl::Status ParseCaFile(const Source& source, absl::string_view value, ServerConfig& config) {
  std::string why;
  const std::string path(value);
  if (!path.empty() && !IsReadableFile(path, &why)) {
    return absl::InvalidArgumentError(absl::StrCat(source.name, ": CA bundle ", Quote(path), " ",
                                                   why, "; expected a readable PEM file"));
  }
  config.upstream_ca_file = path;
  return absl::OkStatus();
}

// A key goes into an HTTP header: printable ASCII with no spaces, or it is
// the wrong file (or a "KEY=value" line, or two keys).
bool IsPlausibleKey(absl::string_view key) {
  return !key.empty() &&
         std::all_of(key.begin(), key.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

// Reads the key file. No message here ever includes what the file holds.
absl::StatusOr<std::string> ReadKeyFile(const Source& source, const std::string& path) {
  std::string why;
  if (!IsReadableFile(path, &why)) {
    return absl::InvalidArgumentError(
        absl::StrCat(source.name, ": key file ", Quote(path), " ", why));
  }
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec || size > kMaxKeyFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(source.name, ": key file ", Quote(path), " is larger than a key file can be (",
                     kMaxKeyFileBytes, " bytes); expected a file holding only the key"));
  }
  std::ifstream in(path, std::ios::binary);
  std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source.name, ": key file ", Quote(path), " cannot be read"));
  }
  const std::string key(absl::StripAsciiWhitespace(contents));
  if (key.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(source.name, ": key file ", Quote(path),
                                                   " is empty; expected it to hold the API key"));
  }
  if (!IsPlausibleKey(key)) {
    return absl::InvalidArgumentError(absl::StrCat(
        source.name, ": key file ", Quote(path),
        " holds spaces, several lines or non-printable bytes; expected only the API key"));
  }
  return key;
}

// --- the flag table ---------------------------------------------------------

// A file flag: the path must name a readable file (empty unsets it).
absl::Status ParseReadableFile(const Source& source, absl::string_view value,
                               absl::string_view what, std::string* out) {
  std::string why;
  const std::string path(value);
  if (!path.empty() && !IsReadableFile(path, &why)) {
    return absl::InvalidArgumentError(
        absl::StrCat(source.name, ": ", what, " ", Quote(path), " ", why));
  }
  *out = path;
  return absl::OkStatus();
}

// A per-client limit: a whole number >= 0, 0 meaning none.
absl::Status ParseLimit(const Source& source, absl::string_view value, int64_t* out) {
  int64_t n = 0;
  if (!absl::SimpleAtoi(value, &n) || n < 0) {
    return BadValue(source, value, "is not a whole number >= 0 (0: no limit; example: 600)");
  }
  *out = n;
  return absl::OkStatus();
}

enum class Kind { kString, kBool };

struct Flag {
  const char* name;
  Kind kind;
  const char* default_text;
  const char* help;
  // Parses the value into the config; for kBool the value is already
  // "true" or "false".
  absl::Status (*apply)(const Source&, absl::string_view, ServerConfig&);
};

absl::Status SetBool(bool ServerConfig::*field, const Source& source, absl::string_view value,
                     ServerConfig& config) {
  absl::StatusOr<bool> b = ParseBool(source, value);
  if (!b.ok()) return b.status();
  config.*field = *b;
  return absl::OkStatus();
}

const std::vector<Flag>& Flags() {
  static const auto* const kFlags = new std::vector<Flag>{
      {"listen", Kind::kString, "0.0.0.0:50051",
       "Address the gRPC server listens on: host:port or [ipv6]:port; port 0 picks a free one.",
       ParseListen},
      {"metrics_listen", Kind::kString, "0.0.0.0:9464",
       "Address of the Prometheus /metrics endpoint (host:port); empty turns it off.",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         if (v.empty()) {
           c.metrics_listen.clear();
           return absl::OkStatus();
         }
         ServerConfig parsed;
         absl::Status valid = ParseListen(s, v, parsed);
         if (valid.ok()) c.metrics_listen = parsed.listen;
         return valid;
       }},
      {"upstream_base_urls", Kind::kString, "https://direct.evolink.ai,https://api.evolink.ai",
       "Comma-separated upstream base URLs (http:// or https://, no path), tried in order.",
       ParseBaseUrls},
      {"api_key_file", Kind::kString, "(none)",
       "File holding the upstream API key; used when EVOLINK_API_KEY is unset or empty.",
       [](const Source&, absl::string_view v, ServerConfig& c) {
         c.api_key_file = std::string(v);  // read once all sources are known
         return absl::OkStatus();
       }},
      {"upstream_ca_file", Kind::kString, "(system CAs)",
       "Extra PEM CA bundle to verify the upstream with.", ParseCaFile},
      {"upstream_http_version", Kind::kString, "2",
       "HTTP version to the upstream: 2 (HTTP/2 over TLS, falling back to 1.1) or 1.1.",
       ParseHttpVersion},
      {"connect_timeout", Kind::kString, "10s",
       "Timeout to connect to the upstream (e.g. 10s, 1500ms; a bare number is seconds).",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseDurationValue(s, v, &c.connect_timeout);
       }},
      {"request_timeout", Kind::kString, "10m",
       "Upper bound of one upstream call when the RPC has no earlier deadline.",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseDurationValue(s, v, &c.request_timeout);
       }},
      {"shutdown_grace", Kind::kString, "10m",
       "After SIGTERM/SIGINT, how long in-flight RPCs may run on before they are ended.",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseDurationValue(s, v, &c.shutdown_grace);
       }},
      {"max_connection_age", Kind::kString, "30m",
       "Clients are asked to reconnect after this long, so load spreads over new replicas.",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseDurationValue(s, v, &c.max_connection_age);
       }},
      {"max_concurrent_rpcs", Kind::kString, "20000",
       "Chat RPCs in flight at once; past it calls get RESOURCE_EXHAUSTED.",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         int n = 0;
         if (!absl::SimpleAtoi(v, &n) || n < 1) {
           return BadValue(s, v, "is not a whole number >= 1 (example: 20000)");
         }
         c.max_concurrent_rpcs = n;
         return absl::OkStatus();
       }},
      {"max_request_bytes", Kind::kString, "64MiB",
       "Largest request a client may send (images and videos travel inline as Base64).",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseMessageSize(s, v, &c.max_request_bytes);
       }},
      {"allow_unknown_models", Kind::kBool, "false",
       "Pass models the reference does not document through instead of refusing them.",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return SetBool(&ServerConfig::allow_unknown_models, s, v, c);
       }},
      {"require_api_key", Kind::kBool, "false",
       "Refuse to start without an API key instead of running against the bundled emulator.",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return SetBool(&ServerConfig::require_api_key, s, v, c);
       }},
      {"emulator_path", Kind::kString, "(fake-upstream next to the seedgate binary)",
       "Emulator binary to run when there is no API key.",
       [](const Source&, absl::string_view v, ServerConfig& c) {
         c.emulator_path = std::string(v);
         return absl::OkStatus();
       }},
      {"upstream_threads", Kind::kString, "auto",
       "Upstream I/O threads (each runs its own libcurl loop and connections); auto: "
       "min(2, cores).",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         int n = 0;
         if (v == "auto") {
           c.upstream_threads = 0;
         } else if (absl::SimpleAtoi(v, &n) && n >= 1 && n <= 64) {
           c.upstream_threads = n;
         } else {
           return BadValue(s, v, "is not auto or a whole number from 1 to 64 (example: 2)");
         }
         return absl::OkStatus();
       }},
      // --- reliability: retries, outlier ejection, stream timeouts, limits ---
      {"upstream_max_attempts", Kind::kString, "3",
       "Upstream attempts per call, the first included (1: no retries). Retries happen only "
       "while nothing has reached the client.",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseIntInRange(s, v, 1, 10, &c.upstream_max_attempts);
       }},
      {"upstream_retry_on", Kind::kString, "429,500,502,503",
       "HTTP statuses retried (connection failures always are); empty for none.",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseHttpStatuses(s, v, &c.upstream_retry_on);
       }},
      {"upstream_retry_initial_backoff", Kind::kString, "250ms",
       "Back-off before the first retry of a base URL; doubles each time, with full jitter.",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseDurationValue(s, v, &c.upstream_retry_initial_backoff);
       }},
      {"upstream_retry_max_backoff", Kind::kString, "5s",
       "Longest back-off, and the longest Retry-After honoured (a longer one goes to the client).",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseDurationValue(s, v, &c.upstream_retry_max_backoff);
       }},
      {"upstream_first_byte_timeout", Kind::kString, "1m",
       "Streams: the upstream response must begin within this (0: off).",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseDurationOrOff(s, v, &c.upstream_first_byte_timeout);
       }},
      {"upstream_idle_timeout", Kind::kString, "2m",
       "Streams: longest silence between upstream events (0: off; paused time not counted).",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseDurationOrOff(s, v, &c.upstream_idle_timeout);
       }},
      {"upstream_eject_after", Kind::kString, "5",
       "Failed attempts in a row (connection failures, 5xx, timeouts) that eject a base URL "
       "(0: never).",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseIntInRange(s, v, 0, 1000, &c.upstream_eject_after);
       }},
      {"upstream_eject_time", Kind::kString, "30s",
       "How long an ejected base URL stays out before it is probed again (doubling, up to 8x, "
       "while it keeps failing).",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseDurationValue(s, v, &c.upstream_eject_time);
       }},
      {"max_upstream_response_bytes", Kind::kString, "32MiB",
       "Largest unary upstream answer accepted.",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseMessageSize(s, v, &c.max_upstream_response_bytes);
       }},
      {"max_upstream_event_bytes", Kind::kString, "4MiB",
       "Largest single server-sent event accepted from the upstream.",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseMessageSize(s, v, &c.max_upstream_event_bytes);
       }},
      {"max_stream_chunks", Kind::kString, "1000000", "Most chunks one stream may carry.",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseIntInRange(s, v, 1, int64_t{1} << 40, &c.max_stream_chunks);
       }},
      // --- Security -------------------------------------------------------
      {"client_auth", Kind::kString,
       "(tokens with --client_tokens_file, mtls with --tls_client_ca)",
       "Who may call: tokens (bearer tokens from --client_tokens_file), mtls (client "
       "certificates signed by --tls_client_ca), or none (anyone; local demo only).",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         if (v != "tokens" && v != "mtls" && v != "none") {
           return BadValue(s, v, "must be tokens, mtls or none");
         }
         c.client_auth = std::string(v);
         return absl::OkStatus();
       }},
      {"client_tokens_file", Kind::kString, "(none)",
       "Client bearer tokens: `name token [requests_per_minute=N] [concurrent_streams=N] "
       "[tokens_per_minute=N]` lines, or JSON; reloaded when it changes.",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseReadableFile(s, v, "tokens file", &c.client_tokens_file);
       }},
      {"client_limits_file", Kind::kString, "(none)",
       "Per-client limits by client name (token name or certificate name), in every --client_auth "
       "mode: `name [requests_per_minute=N] [concurrent_streams=N] [tokens_per_minute=N]` lines, "
       "or JSON; wins over the tokens file's limits; reloaded when it changes.",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseReadableFile(s, v, "limits file", &c.client_limits_file);
       }},
      {"tls_cert", Kind::kString, "(none: plaintext)",
       "PEM certificate chain for TLS on the gRPC port (with --tls_key); reloaded on change.",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseReadableFile(s, v, "certificate", &c.tls_cert);
       }},
      {"tls_key", Kind::kString, "(none)", "PEM private key of --tls_cert; reloaded on change.",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseReadableFile(s, v, "private key", &c.tls_key);
       }},
      {"tls_client_ca", Kind::kString, "(none)",
       "PEM CA bundle: clients must present a certificate signed by it (mutual TLS); the "
       "certificate's common name names the client.",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseReadableFile(s, v, "client CA bundle", &c.tls_client_ca);
       }},
      {"client_requests_per_minute", Kind::kString, "0 (no limit)",
       "Default per-client limit of chat RPCs per minute.",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseLimit(s, v, &c.client_requests_per_minute);
       }},
      {"client_concurrent_streams", Kind::kString, "0 (no limit)",
       "Default per-client limit of StreamChatCompletion RPCs open at once.",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseLimit(s, v, &c.client_concurrent_streams);
       }},
      {"client_tokens_per_minute", Kind::kString, "0 (no limit)",
       "Default per-client limit of upstream tokens (prompt + completion) per minute.",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return ParseLimit(s, v, &c.client_tokens_per_minute);
       }},
      {"access_log", Kind::kString, "stderr",
       "Where the access log (one JSON line per RPC) goes: stderr, off, or a file path.",
       [](const Source&, absl::string_view v, ServerConfig& c) {
         c.access_log = std::string(v);
         return absl::OkStatus();
       }},
      {"log_content", Kind::kBool, "false",
       "Put request and answer text into the access log (it never holds them otherwise).",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return SetBool(&ServerConfig::log_content, s, v, c);
       }},
      {"upstream_insecure_skip_verify", Kind::kBool, "false",
       "Do not verify the upstream's TLS certificate. For tests only; use --upstream_ca_file "
       "for a private CA instead.",
       [](const Source& s, absl::string_view v, ServerConfig& c) {
         return SetBool(&ServerConfig::upstream_insecure_skip_verify, s, v, c);
       }},
  };
  return *kFlags;
}

const Flag* FindFlag(absl::string_view name) {
  for (const Flag& flag : Flags()) {
    if (name == flag.name) return &flag;
  }
  return nullptr;
}

std::string EnvName(absl::string_view flag_name) {
  return absl::StrCat(kEnvPrefix, absl::AsciiStrToUpper(flag_name));
}

// Optimal string alignment distance: Levenshtein plus adjacent swaps, so
// that "lsiten" is one edit from "listen".
size_t EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

absl::Status UnknownFlag(absl::string_view name) {
  const Flag* best = nullptr;
  size_t best_distance = 0;
  for (const Flag& flag : Flags()) {
    const size_t distance = EditDistance(name, flag.name);
    if (best == nullptr || distance < best_distance) {
      best = &flag;
      best_distance = distance;
    }
  }
  // Only a near miss is worth suggesting; a third of the name may be wrong.
  const size_t max_distance = std::max<size_t>(2, name.size() / 3);
  std::string message = absl::StrCat("unknown flag --", name);
  if (best != nullptr && best_distance <= max_distance) {
    absl::StrAppend(&message, "; did you mean --", best->name, "?");
  } else {
    absl::StrAppend(&message, "; see --help");
  }
  return absl::InvalidArgumentError(message);
}

absl::Status ApiKeyOnCommandLine() {
  return absl::InvalidArgumentError(absl::StrCat(
      "--api_key: API keys are never taken from the command line (they would show in `ps` "
      "and shell history); set ",
      kApiKeyEnv, " or pass --api_key_file=<path>"));
}

bool IsHelpFlag(absl::string_view arg) {
  return arg == "--help" || arg == "-h" || arg == "--helpfull" || arg == "-help";
}

// A flag name as written, with '-' accepted for '_' (--connect-timeout).
std::string NormalizeName(absl::string_view name) {
  std::string normalized(name);
  std::replace(normalized.begin(), normalized.end(), '-', '_');
  return normalized;
}

struct CommandLineValue {
  const Flag* flag;
  std::string value;
};

// Turns the arguments into (flag, value) pairs in order; the last of a
// repeated flag wins when they are applied.
absl::StatusOr<std::vector<CommandLineValue>> ScanArgs(const std::vector<std::string>& args) {
  std::vector<CommandLineValue> values;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (IsHelpFlag(arg)) {
      return absl::InvalidArgumentError(absl::StrCat(arg, " asks for the usage text (UsageText)"));
    }
    if (!absl::StartsWith(arg, "--") || arg.size() == 2) {
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument ", Quote(arg),
                                                     "; seedgate takes only --flag=value flags"));
    }
    const absl::string_view body = absl::string_view(arg).substr(2);
    const size_t eq = body.find('=');
    const std::string name = NormalizeName(body.substr(0, eq));
    // Refused before anything else, and the value (the key) is never echoed.
    if (name == "api_key" || name == "apikey" || name == "key") return ApiKeyOnCommandLine();
    const Flag* flag = FindFlag(name);
    if (flag == nullptr) return UnknownFlag(name);

    std::string value;
    if (eq != absl::string_view::npos) {
      value = std::string(body.substr(eq + 1));
    } else if (flag->kind == Kind::kBool) {
      // `--flag` alone is true; a following true/false word is its value
      // (there are no positional arguments it could be instead).
      if (i + 1 < args.size() && IsBoolLiteral(args[i + 1])) {
        value = args[++i];
      } else {
        value = "true";
      }
    } else {
      if (i + 1 >= args.size() || absl::StartsWith(args[i + 1], "--")) {
        return absl::InvalidArgumentError(absl::StrCat("--", flag->name, " needs a value (--",
                                                       flag->name, "=<value> or --", flag->name,
                                                       " <value>)"));
      }
      value = args[++i];
    }
    values.push_back({flag, std::move(value)});
  }
  return values;
}

// The API key: EVOLINK_API_KEY when set and non-empty, else the key file.
absl::Status ResolveApiKey(const EnvLookup& env, const Source& key_file_source,
                           ServerConfig& config) {
  if (std::optional<std::string> key = env(kApiKeyEnv)) {
    const std::string trimmed(absl::StripAsciiWhitespace(*key));
    if (!trimmed.empty()) {
      if (!IsPlausibleKey(trimmed)) {
        return absl::InvalidArgumentError(absl::StrCat(
            kApiKeyEnv, ": holds spaces or non-printable characters; expected only the API key"));
      }
      config.api_key = trimmed;
      return absl::OkStatus();
    }
  }
  if (!config.api_key_file.empty()) {
    absl::StatusOr<std::string> key = ReadKeyFile(key_file_source, config.api_key_file);
    if (!key.ok()) return key.status();
    config.api_key = *std::move(key);
    config.api_key_from_file = true;
  }
  if (config.api_key.empty() && config.require_api_key) {
    return absl::InvalidArgumentError(
        absl::StrCat("--require_api_key: no API key; set ", kApiKeyEnv, " or --api_key_file"));
  }
  return absl::OkStatus();
}

// Checks that the security flags fit together and, when --client_auth is
// not given, infers it from the credentials configured (leaving it empty
// when there are none: the server then refuses to start).
absl::Status ResolveSecurity(ServerConfig& config) {
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert and --tls_key go together: give both (TLS on the gRPC port) or neither");
  }
  if (!config.tls_client_ca.empty() && config.tls_cert.empty()) {
    return absl::InvalidArgumentError(
        "--tls_client_ca needs --tls_cert and --tls_key: mutual TLS is TLS first");
  }
  if (config.client_auth.empty()) {
    if (!config.client_tokens_file.empty()) {
      config.client_auth = "tokens";
    } else if (!config.tls_client_ca.empty()) {
      config.client_auth = "mtls";
    }
  }
  if (config.client_auth == "tokens" && config.client_tokens_file.empty()) {
    return absl::InvalidArgumentError(
        "--client_auth=tokens needs --client_tokens_file=<file> (`name token` lines)");
  }
  if (config.client_auth == "mtls" && config.tls_client_ca.empty()) {
    return absl::InvalidArgumentError(
        "--client_auth=mtls needs --tls_client_ca=<CA bundle> (and --tls_cert, --tls_key)");
  }
  if (config.access_log.empty()) {
    return absl::InvalidArgumentError("--access_log: expected stderr, off, or a file path");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> ReadApiKeyFile(const std::string& path) {
  return ReadKeyFile(Source{"--api_key_file"}, path);
}

std::string NoClientAuthMessage() {
  return "no client authentication configured, so anyone who can reach the port could spend "
         "the API key: pass --client_tokens_file=<file> (bearer tokens), --tls_client_ca=<CA> "
         "with --tls_cert and --tls_key (mutual TLS), or --client_auth=none to let every "
         "caller in (local demo only)";
}

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

absl::StatusOr<ServerConfig> ParseServerConfig(const std::vector<std::string>& args,
                                               const EnvLookup& env) {
  absl::StatusOr<std::vector<CommandLineValue>> command_line = ScanArgs(args);
  if (!command_line.ok()) return command_line.status();

  // A look-alike variable would otherwise be silently ignored, leaving
  // seedgate on the emulator while the user believes it has a key.
  if (std::optional<std::string> v = env(absl::StrCat(kEnvPrefix, "API_KEY")); v && !v->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(kEnvPrefix, "API_KEY is not read; set ",
                                                   kApiKeyEnv, " or --api_key_file instead"));
  }

  ServerConfig config;
  Source key_file_source{"--api_key_file"};
  for (const Flag& flag : Flags()) {
    // The last command-line value wins; the environment only fills in flags
    // the command line does not give.
    const CommandLineValue* from_args = nullptr;
    for (const CommandLineValue& v : *command_line) {
      if (v.flag == &flag) from_args = &v;
    }
    Source source;
    std::string value;
    if (from_args != nullptr) {
      source.name = absl::StrCat("--", flag.name);
      value = from_args->value;
    } else {
      const std::string env_name = EnvName(flag.name);
      std::optional<std::string> env_value = env(env_name);
      // An empty variable means unset, as shells and container specs often
      // leave them.
      if (!env_value.has_value() || env_value->empty()) continue;
      source.name = env_name;
      value = *std::move(env_value);
    }
    if (absl::Status status = flag.apply(source, value, config); !status.ok()) return status;
    if (&flag == FindFlag("api_key_file")) key_file_source = source;
  }
  if (absl::Status status = ResolveApiKey(env, key_file_source, config); !status.ok()) {
    return status;
  }
  if (absl::Status status = ResolveSecurity(config); !status.ok()) return status;
  return config;
}

bool IsHelpRequest(const std::vector<std::string>& args) {
  return std::any_of(args.begin(), args.end(), IsHelpFlag);
}

std::string UsageText() {
  std::string text =
      "Usage: seedgate [--flag=value | --flag value]...\n"
      "\n"
      "A gRPC front for an OpenAI-style chat-completions API. Each flag can also be set with\n"
      "the environment variable shown; the command line wins over the environment, which\n"
      "wins over the default.\n"
      "\n"
      "The upstream API key is read from EVOLINK_API_KEY or, when that is unset or empty,\n"
      "from the file named by --api_key_file. It is never taken from the command line,\n"
      "where it would show in `ps`. With no key, seedgate runs against the bundled\n"
      "emulator unless --require_api_key is set; --api_key_file is reloaded when it changes.\n"
      "\n"
      "seedgate refuses to start without client authentication: give --client_tokens_file\n"
      "(bearer tokens), --tls_client_ca with --tls_cert/--tls_key (mutual TLS), or\n"
      "--client_auth=none (anyone may call; local demo only).\n"
      "\n"
      "Flags:\n";
  for (const Flag& flag : Flags()) {
    absl::StrAppend(&text, "  --", flag.name, flag.kind == Kind::kBool ? "[=true|false]" : "=VALUE",
                    "\n      env ", EnvName(flag.name), "; default ", flag.default_text, "\n      ",
                    flag.help, "\n");
  }
  absl::StrAppend(&text, "  --help, -h\n      Print this text.\n");
  return text;
}

}  // namespace seedgate::config
