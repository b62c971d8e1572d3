// A real nginx (Debian's /usr/sbin/nginx) as a TLS + HTTP/2 reverse proxy in
// front of an HTTP/1.1 upstream, for tests that need an HTTP/2 server.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/support/tls_cert.h"

namespace seedgate::testing {

// A loopback port kept from everyone else: bound with SO_REUSEADDR but not
// listening, so the kernel hands it to no other bind() while a server that
// also sets SO_REUSEADDR (nginx, the upstream emulator) can still bind and
// listen on it. Lets a test know a server's port before starting it.
class ReservedPort {
 public:
  static absl::StatusOr<ReservedPort> Take();  // 127.0.0.1, a port the kernel picks
  ReservedPort(ReservedPort&& other) noexcept;
  ReservedPort& operator=(ReservedPort&& other) noexcept;
  ~ReservedPort();  // releases

  uint16_t port() const { return port_; }
  void Release();  // once the server listens (idempotent)

 private:
  ReservedPort(int fd, uint16_t port) : fd_(fd), port_(port) {}
  int fd_ = -1;
  uint16_t port_ = 0;
};

// One line of the proxy's access log (written when nginx finishes a request).
struct NginxAccessLogEntry {
  std::string protocol;              // $server_protocol: "HTTP/2.0", "HTTP/1.1", ...
  int64_t connection = -1;           // $connection: serial number of the client TCP connection
  int64_t connection_requests = -1;  // $connection_requests: requests on it so far
  std::string method;                // $request_method
  std::string uri;                   // $request_uri
  int status = 0;                    // $status (499: the client left before the headers)
  std::string remote;                // $remote_addr:$remote_port
  // $request_completion: nginx sent the whole response. False when the
  // client reset the stream (or closed the connection) first; then `status`
  // is still 200 if the response headers had gone out.
  bool completed = false;
  std::string line;  // the raw line
};

struct NginxH2Options {
  // Requests nginx serves on one client connection before it closes it
  // (over HTTP/2: sends GOAWAY and refuses streams beyond the limit).
  int keepalive_requests = 1000;  // nginx's default
  // Streams nginx allows at once on one client connection
  // (SETTINGS_MAX_CONCURRENT_STREAMS).
  int max_concurrent_streams = 128;  // nginx's default
};

class NginxH2Proxy {
 public:
  // Starts nginx listening on https://127.0.0.1:<free port> (TLS with
  // `tls`, ALPN h2 and http/1.1) and proxying everything, unbuffered both
  // ways, to `upstream_base_url` ("http://HOST:PORT", no path; nothing
  // needs to listen there yet) over HTTP/1.1, one upstream connection per
  // request (so a request nginx aborts closes its upstream connection).
  // Returns once the port accepts connections. Errors (nginx
  // missing, bad config, no start within 5 s) carry nginx's error log.
  // The nginx binary is $SEEDGATE_NGINX if set, else /usr/sbin/nginx
  // (`scripts/install-deps.sh --test` installs it).
  //
  // nginx runs as a single process (master_process off) child of this one
  // and gets SIGKILL if the forking thread dies, so call this from a thread
  // that outlives the proxy (a test body or fixture does).
  static absl::StatusOr<std::unique_ptr<NginxH2Proxy>> Start(const std::string& upstream_base_url,
                                                             const TlsFiles& tls,
                                                             const NginxH2Options& options = {});

  ~NginxH2Proxy();  // SIGTERM, SIGKILL after 3 s; reaps it; removes dir()
  NginxH2Proxy(const NginxH2Proxy&) = delete;
  NginxH2Proxy& operator=(const NginxH2Proxy&) = delete;

  uint16_t port() const { return port_; }
  std::string base_url() const;  // "https://127.0.0.1:PORT"
  const std::string& dir() const { return dir_; }
  std::string access_log_path() const { return dir_ + "/access.log"; }
  std::string error_log_path() const { return dir_ + "/error.log"; }

  // Every complete line of the access log so far, parsed.
  std::vector<NginxAccessLogEntry> AccessLog() const;
  // Polls AccessLog() until it has at least `lines` lines or `timeout`
  // passes; returns what it has then. (nginx logs a request only once it has
  // finished it, which can be a moment after the client saw its end.)
  std::vector<NginxAccessLogEntry> WaitForAccessLog(size_t lines,
                                                    std::chrono::milliseconds timeout) const;
  // The error log's contents (for failure messages).
  std::string ErrorLog() const;

 private:
  NginxH2Proxy() = default;

  std::string dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace seedgate::testing
