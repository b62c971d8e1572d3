#include "tests/support/nginx_h2_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace seedgate::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr char kDefaultNginx[] = "/usr/sbin/nginx";
constexpr milliseconds kStartTimeout(5000);
constexpr int kPortAttempts = 5;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

bool Accepts(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// Whether `s` may be pasted into nginx.conf as one bare token.
bool IsConfToken(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c <= ' ' || c == ';' || c == '{' || c == '}' || c == '"' || c == '\'' || c == '#' ||
        c == '$' || c == '\\') {
      return false;
    }
  }
  return true;
}

// nginx.conf: one single-process nginx, everything it writes in `dir`,
// an access log line per request in the format ParseLine reads.
constexpr char kConfigTemplate[] = R"(# Written by tests/support/nginx_h2_proxy.cc
daemon off;
master_process off;
worker_processes 1;
pid {dir}/nginx.pid;
lock_file {dir}/nginx.lock;
error_log {dir}/error.log info;
events { worker_connections 1024; }
http {
  log_format h2test '$server_protocol $connection $connection_requests $request_method $request_uri $status $remote_addr:$remote_port [$request_completion]';
  access_log {dir}/access.log h2test;
  client_body_temp_path {dir}/client_body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  client_max_body_size 0;
  keepalive_requests {keepalive_requests};
  http2_max_concurrent_streams {max_concurrent_streams};
  server {
    listen 127.0.0.1:{port} ssl http2;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    location / {
      proxy_pass {upstream};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 300s;
    }
  }
}
)";

std::string Config(const std::string& dir, uint16_t port, const std::string& upstream,
                   const TlsFiles& tls, const NginxH2Options& options) {
  return absl::StrReplaceAll(
      kConfigTemplate,
      {{"{dir}", dir},
       {"{port}", std::to_string(port)},
       {"{upstream}", upstream},
       {"{cert}", tls.cert_file},
       {"{key}", tls.key_file},
       {"{keepalive_requests}", std::to_string(options.keepalive_requests)},
       {"{max_concurrent_streams}", std::to_string(options.max_concurrent_streams)}});
}

// Reaps `pid` if it has exited; true then.
bool Exited(pid_t pid, int* wait_status) {
  pid_t r;
  do {
    r = waitpid(pid, wait_status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  return r == pid || (r < 0 && errno == ECHILD);
}

// Stops and reaps `pid`: SIGTERM (fast shutdown), SIGKILL after 3 s.
void StopProcess(pid_t pid) {
  int wait_status = 0;
  if (Exited(pid, &wait_status)) return;
  kill(pid, SIGTERM);
  auto give_up = steady_clock::now() + milliseconds(3000);
  while (steady_clock::now() < give_up) {
    if (Exited(pid, &wait_status)) return;
    std::this_thread::sleep_for(milliseconds(10));
  }
  kill(pid, SIGKILL);
  while (waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
}

// fork + exec `argv`, stdout/stderr to `output_file`; -1 on failure.
pid_t Spawn(const std::vector<std::string>& args, const std::string& output_file) {
  // Everything the child needs is prepared here: after fork() in a
  // multi-threaded process only async-signal-safe calls are allowed.
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int out_fd = open(output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (null_fd < 0 || out_fd < 0) {
    if (null_fd >= 0) close(null_fd);
    if (out_fd >= 0) close(out_fd);
    return -1;
  }
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    // Die with the test process, however it ends.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(null_fd, 0);
    dup2(out_fd, 1);
    dup2(out_fd, 2);
    // No descriptor of the test process (sockets of in-process servers)
    // leaks into nginx.
    if (close_range(3, ~0U, 0) != 0) {
      for (int fd = 3; fd < 4096; ++fd) close(fd);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(null_fd);
  close(out_fd);
  return pid;
}

// One access log line in the h2test format -> `entry`; false if it is not one.
bool ParseLine(const std::string& line, NginxAccessLogEntry* entry) {
  std::istringstream fields(line);
  std::string connection, connection_requests, status, completion;
  if (!(fields >> entry->protocol >> connection >> connection_requests >> entry->method >>
        entry->uri >> status >> entry->remote >> completion)) {
    return false;
  }
  entry->completed = completion == "[OK]";
  if (!entry->completed && completion != "[]") return false;
  char* end = nullptr;
  entry->connection = std::strtoll(connection.c_str(), &end, 10);
  if (*end != '\0') return false;
  entry->connection_requests = std::strtoll(connection_requests.c_str(), &end, 10);
  if (*end != '\0') return false;
  entry->status = static_cast<int>(std::strtol(status.c_str(), &end, 10));
  if (*end != '\0') return false;
  entry->line = line;
  return true;
}

}  // namespace

absl::StatusOr<ReservedPort> ReservedPort::Take() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  int one = 1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
      bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::string error = std::strerror(errno);
    close(fd);
    return absl::InternalError(absl::StrCat("reserving a port: ", error));
  }
  return ReservedPort(fd, ntohs(addr.sin_port));
}

ReservedPort::ReservedPort(ReservedPort&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), port_(other.port_) {}

ReservedPort& ReservedPort::operator=(ReservedPort&& other) noexcept {
  if (this != &other) {
    Release();
    fd_ = std::exchange(other.fd_, -1);
    port_ = other.port_;
  }
  return *this;
}

ReservedPort::~ReservedPort() { Release(); }

void ReservedPort::Release() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

absl::StatusOr<std::unique_ptr<NginxH2Proxy>> NginxH2Proxy::Start(
    const std::string& upstream_base_url, const TlsFiles& tls, const NginxH2Options& options) {
  const char* env_binary = std::getenv("SEEDGATE_NGINX");
  std::string binary = env_binary != nullptr && *env_binary != '\0' ? env_binary : kDefaultNginx;
  if (access(binary.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("nginx not found at ", binary, " (", std::strerror(errno),
                     "); install it with `scripts/install-deps.sh --test` (Debian package "
                     "nginx, with the http_v2 and ssl modules)"));
  }
  const std::string scheme = "http://";
  if (upstream_base_url.rfind(scheme, 0) != 0 || !IsConfToken(upstream_base_url) ||
      upstream_base_url.find('/', scheme.size()) != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("upstream must be http://HOST:PORT, got '", upstream_base_url, "'"));
  }
  if (!IsConfToken(tls.cert_file) || !IsConfToken(tls.key_file)) {
    return absl::InvalidArgumentError("TLS file paths must not contain blanks or quotes");
  }
  if (options.keepalive_requests < 1) {
    return absl::InvalidArgumentError("keepalive_requests must be at least 1");
  }
  if (options.max_concurrent_streams < 1) {
    return absl::InvalidArgumentError("max_concurrent_streams must be at least 1");
  }

  char tmpl[] = "/tmp/seedgate-nginx-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp: ", std::strerror(errno)));
  }
  std::unique_ptr<NginxH2Proxy> proxy(new NginxH2Proxy());
  proxy->dir_ = tmpl;
  const std::string conf = proxy->dir_ + "/nginx.conf";
  const std::string pid_file = proxy->dir_ + "/nginx.pid";

  std::string last_error;
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    // Held until nginx listens (nginx sets SO_REUSEADDR), so nothing else
    // takes it meanwhile. Retrying on "Address already in use" is a safety net.
    absl::StatusOr<ReservedPort> port = ReservedPort::Take();
    if (!port.ok()) return port.status();
    if (!WriteFile(conf, Config(proxy->dir_, port->port(), upstream_base_url, tls, options))) {
      return absl::InternalError(absl::StrCat("cannot write ", conf));
    }
    std::remove(pid_file.c_str());
    std::remove(proxy->error_log_path().c_str());
    pid_t pid = Spawn({binary, "-p", proxy->dir_ + "/", "-c", conf, "-e", proxy->error_log_path()},
                      proxy->dir_ + "/nginx.out");
    if (pid < 0) return absl::InternalError(absl::StrCat("fork/exec ", binary, " failed"));

    auto give_up = steady_clock::now() + kStartTimeout;
    bool exited = false;
    int wait_status = 0;
    while (steady_clock::now() < give_up) {
      if (Exited(pid, &wait_status)) {
        exited = true;
        break;
      }
      // nginx writes its pid file only after binding every listen socket,
      // so a connect that succeeds then reached nginx, not a port squatter.
      struct stat st {};
      if (stat(pid_file.c_str(), &st) == 0 && Accepts(port->port())) {
        proxy->port_ = port->port();
        proxy->pid_ = pid;
        return proxy;
      }
      std::this_thread::sleep_for(milliseconds(10));
    }
    std::string log = ReadFile(proxy->error_log_path()) + ReadFile(proxy->dir_ + "/nginx.out");
    if (!exited) {
      StopProcess(pid);
      return absl::DeadlineExceededError(absl::StrCat("nginx did not accept connections on port ",
                                                      port->port(), " within 5 s; log:\n", log));
    }
    last_error = absl::StrCat("nginx exited (wait status ", wait_status, "); log:\n", log);
    if (log.find("Address already in use") == std::string::npos) break;  // not a port race
  }
  return absl::InternalError(absl::StrCat("nginx failed to start: ", last_error));
}

NginxH2Proxy::~NginxH2Proxy() {
  if (pid_ > 0) StopProcess(pid_);
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::string NginxH2Proxy::base_url() const { return absl::StrCat("https://127.0.0.1:", port_); }

std::vector<NginxAccessLogEntry> NginxH2Proxy::AccessLog() const {
  std::vector<NginxAccessLogEntry> entries;
  std::string text = ReadFile(access_log_path());
  size_t start = 0;
  // Only complete lines: nginx may be half-way through writing the last.
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    NginxAccessLogEntry entry;
    std::string line = text.substr(start, end - start);
    if (ParseLine(line, &entry)) {
      entries.push_back(std::move(entry));
    } else {
      NginxAccessLogEntry unparsed;  // kept, so a test sees what it could not parse
      unparsed.line = line;
      entries.push_back(std::move(unparsed));
    }
  }
  return entries;
}

std::vector<NginxAccessLogEntry> NginxH2Proxy::WaitForAccessLog(size_t lines,
                                                                milliseconds timeout) const {
  auto give_up = steady_clock::now() + timeout;
  std::vector<NginxAccessLogEntry> entries = AccessLog();
  while (entries.size() < lines && steady_clock::now() < give_up) {
    std::this_thread::sleep_for(milliseconds(20));
    entries = AccessLog();
  }
  return entries;
}

std::string NginxH2Proxy::ErrorLog() const { return ReadFile(error_log_path()); }

}  // namespace seedgate::testing
