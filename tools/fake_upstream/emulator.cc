#include "tools/fake_upstream/emulator.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <type_traits>

#include "tools/fake_upstream/responder.h"

namespace seedgate::fake_upstream {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using TlsStream = ssl::stream<tcp::socket>;

constexpr size_t kBodyLimit = 64 * 1024 * 1024;
constexpr size_t kHeaderLimit = 64 * 1024;
constexpr size_t kRecentRequests = 64;

struct Shared {
  explicit Shared(EmulatorOptions o)
      : options(std::move(o)), responder(ResponderConfig{options.api_key, options.token_delay}) {}

  EmulatorOptions options;
  Responder responder;
  std::optional<ssl::context> tls;

  std::atomic<int64_t> requests{0}, unary_responses{0}, streams_started{0}, streams_completed{0},
      streams_aborted_by_client{0}, streams_ended_by_fault{0}, unary_aborted_by_client{0},
      connections_accepted{0}, connections_open{0};

  mutable std::mutex recent_mu;
  std::deque<RecordedRequest> recent;

  EmulatorStats Snapshot() const {
    EmulatorStats s;
    s.requests = requests.load();
    s.unary_responses = unary_responses.load();
    s.streams_started = streams_started.load();
    s.streams_completed = streams_completed.load();
    s.streams_aborted_by_client = streams_aborted_by_client.load();
    s.streams_ended_by_fault = streams_ended_by_fault.load();
    s.unary_aborted_by_client = unary_aborted_by_client.load();
    s.connections_accepted = connections_accepted.load();
    s.connections_open = connections_open.load();
    return s;
  }

  void Record(RecordedRequest r) {
    std::lock_guard<std::mutex> lock(recent_mu);
    recent.push_back(std::move(r));
    while (recent.size() > kRecentRequests) recent.pop_front();
  }
};

std::string StatsJson(const EmulatorStats& s) {
  nlohmann::ordered_json j;
  j["requests"] = s.requests;
  j["unary_responses"] = s.unary_responses;
  j["streams_started"] = s.streams_started;
  j["streams_completed"] = s.streams_completed;
  j["streams_aborted_by_client"] = s.streams_aborted_by_client;
  j["streams_ended_by_fault"] = s.streams_ended_by_fault;
  j["unary_aborted_by_client"] = s.unary_aborted_by_client;
  j["connections_accepted"] = s.connections_accepted;
  j["connections_open"] = s.connections_open;
  return j.dump();
}

std::string Head(int status, const std::vector<std::pair<std::string, std::string>>& headers,
                 std::optional<size_t> content_length, bool keep_alive) {
  std::string h = "HTTP/1.1 " + std::to_string(status) + " " + ReasonPhrase(status) + "\r\n";
  for (const auto& [k, v] : headers) h += k + ": " + v + "\r\n";
  if (content_length) {
    h += "Content-Length: " + std::to_string(*content_length) + "\r\n";
  } else {
    h += "Transfer-Encoding: chunked\r\n";
  }
  h += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  h += "Server: fake-upstream\r\n\r\n";
  return h;
}

std::string ChunkFrame(const std::string& data) {
  char size[32];
  std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
  std::string out = size;
  out += data;
  out += "\r\n";
  return out;
}

tcp::socket& Lowest(tcp::socket& s) { return s; }
tcp::socket& Lowest(TlsStream& s) { return s.next_layer(); }

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  Session(std::shared_ptr<Shared> shared, Stream stream)
      : shared_(std::move(shared)), stream_(std::move(stream)), timer_(stream_.get_executor()) {}

  ~Session() { shared_->connections_open--; }

  void Start() {
    if constexpr (kTls) {
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->Close();
                                self->DoRead();
                              });
    } else {
      DoRead();
    }
  }

 private:
  // ---- Reading requests.
  void DoRead() {
    if (closed_) return;
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    parser_->header_limit(kHeaderLimit);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (closed_) return;
    if (ec) return OnReadError(ec);
    auto& req = parser_->get();
    auto expect = req[http::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      out_ = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(out_),
                       [self = this->shared_from_this()](beast::error_code ec, size_t) {
                         if (ec || self->closed_) return self->Close();
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRequest(ec); });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == net::error::operation_aborted ||
        ec == ssl::error::stream_truncated) {
      return Close();
    }
    keep_alive_ = false;
    std::string id = shared_->responder.NewRequestId();
    HttpReply r;
    if (ec == http::error::body_limit) {
      std::string param = "content", fallback = "reduce the request size";
      r.status = 413;
      r.body =
          ErrorJson(413, "Request body too large", "request_too_large_error", &param, &fallback);
    } else {
      r.status = 400;
      r.body = ErrorJson(400, "Malformed HTTP request: " + ec.message(), "invalid_request_error");
    }
    r.headers = {{"Content-Type", "application/json; charset=utf-8"}, {"x-request-id", id}};
    shared_->unary_responses++;
    WriteReply(r);
  }

  void OnRequest(beast::error_code ec) {
    if (closed_) return;
    if (ec) return OnReadError(ec);
    auto& req = parser_->get();
    HttpRequestData data;
    data.method = std::string(req.method_string());
    data.target = std::string(req.target());
    for (const auto& f : req) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      data.headers[name] = std::string(f.value());
    }
    data.body = std::move(req.body());
    keep_alive_ = req.keep_alive();
    parser_.reset();

    std::string path = data.target.substr(0, data.target.find('?'));
    if (path == "/healthz") {
      return WriteReply(JsonReply(200, R"({"status":"ok"})"));
    }
    if (path == "/_emulator/stats") {
      return WriteReply(JsonReply(200, StatsJson(shared_->Snapshot())));
    }
    shared_->requests++;
    RecordedRequest rec;
    rec.method = data.method;
    rec.target = data.target;
    rec.body = data.body;
    rec.headers = data.headers;
    if (rec.headers.count("authorization")) rec.headers["authorization"] = "Bearer <redacted>";
    shared_->Record(std::move(rec));

    if (path == "/v1/chat/completions" || path == "/api/v3/chat/completions" ||
        path == "/chat/completions") {
      if (data.method != "POST") {
        shared_->unary_responses++;
        return WriteReply(JsonReply(
            405, ErrorJson(405, "Method not allowed; use POST", "invalid_request_error")));
      }
      return Execute(shared_->responder.HandleChatCompletion(data));
    }
    shared_->unary_responses++;
    if (path == "/v1/models" && data.method == "GET") {
      nlohmann::json list = nlohmann::json::array();
      for (const char* m : {"doubao-seed-2.0-pro", "doubao-seed-2.0-lite", "doubao-seed-2.0-mini",
                            "doubao-seed-2.0-code"}) {
        list.push_back({{"id", m}, {"object", "model"}, {"owned_by", "bytedance"}});
      }
      return WriteReply(JsonReply(200, nlohmann::json{{"object", "list"}, {"data", list}}.dump()));
    }
    WriteReply(JsonReply(404, ErrorJson(404, "Not found: " + path, "not_found_error")));
  }

  HttpReply JsonReply(int status, std::string body) {
    HttpReply r;
    r.status = status;
    r.headers = {{"Content-Type", "application/json; charset=utf-8"},
                 {"x-request-id", shared_->responder.NewRequestId()}};
    r.body = std::move(body);
    return r;
  }

  // ---- Responding.
  void Execute(Plan plan) {
    plan_ = std::move(plan);
    responding_ = true;
    if (plan_.is_stream) {
      shared_->streams_started++;
      stream_active_ = true;
    } else {
      unary_pending_ = true;
    }
    if (plan_.first_delay.count() > 0 || plan_.kind != Plan::Kind::kReply) StartWatch();
    if (plan_.first_delay.count() > 0) {
      timer_.expires_after(plan_.first_delay);
      timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
        if (ec || self->closed_) return;
        self->Begin();
      });
      return;
    }
    Begin();
  }

  void Begin() {
    switch (plan_.kind) {
      case Plan::Kind::kReply:
        shared_->unary_responses++;
        unary_pending_ = false;
        return WriteReply(plan_.reply);
      case Plan::Kind::kTruncatedReply: {
        shared_->unary_responses++;
        unary_pending_ = false;
        out_ = Head(plan_.reply.status, plan_.reply.headers, plan_.reply.body.size(), true);
        out_ += plan_.reply.body.substr(0, plan_.reply.body.size() / 2);
        net::async_write(
            stream_, net::buffer(out_),
            [self = this->shared_from_this()](beast::error_code, size_t) { self->Close(); });
        return;
      }
      case Plan::Kind::kResetNow:
        unary_pending_ = false;
        if (stream_active_) {
          stream_active_ = false;
          shared_->streams_ended_by_fault++;
        }
        return Reset();
      case Plan::Kind::kStallForever:
        return;  // the watch notices when the client goes away
      case Plan::Kind::kStream:
        out_ = Head(200, plan_.reply.headers, std::nullopt, keep_alive_);
        net::async_write(stream_, net::buffer(out_),
                         [self = this->shared_from_this()](beast::error_code ec, size_t) {
                           if (!self->OnWrite(ec)) return;
                           self->StreamStep();
                         });
        return;
    }
  }

  void WriteReply(const HttpReply& r) {
    responding_ = true;
    out_ = Head(r.status, r.headers, r.body.size(), keep_alive_);
    out_ += r.body;
    net::async_write(stream_, net::buffer(out_),
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       if (!self->OnWrite(ec)) return;
                       self->FinishResponse();
                     });
  }

  // Returns whether to go on.
  bool OnWrite(beast::error_code ec) {
    if (closed_) return false;
    if (ec) {
      ClientGone();
      return false;
    }
    return true;
  }

  void StreamStep() {
    if (closed_) return;
    const StreamScript& script = *plan_.script;
    if (item_ >= script.items.size()) {
      out_ = "0\r\n\r\n";
      net::async_write(stream_, net::buffer(out_),
                       [self = this->shared_from_this()](beast::error_code ec, size_t) {
                         if (!self->OnWrite(ec)) return;
                         self->FinishResponse();
                       });
      return;
    }
    const StreamItem& it = script.items[item_];
    switch (it.kind) {
      case StreamItem::kReset:
        stream_active_ = false;
        shared_->streams_ended_by_fault++;
        return Reset();
      case StreamItem::kStall:
        return;  // keep the connection; the watch notices the client leaving
      case StreamItem::kEnd:
        stream_active_ = false;
        shared_->streams_ended_by_fault++;
        item_ = script.items.size();
        return StreamStep();
      default:
        break;
    }
    if (it.IsTokenEvent() && tokens_sent_ > 0 && plan_.token_delay.count() > 0 && !delayed_) {
      delayed_ = true;
      timer_.expires_after(plan_.token_delay);
      timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
        if (ec || self->closed_) return;
        self->StreamStep();
      });
      return;
    }
    delayed_ = false;
    std::string event = script.Render(item_);
    const bool done = it.kind == StreamItem::kDone;
    if (it.IsTokenEvent()) ++tokens_sent_;
    const size_t seq = item_++;
    pieces_.clear();
    piece_ = 0;
    if (script.sse.split) {
      // The first events byte by byte, later ones in three pieces.
      size_t n = seq < 3 ? 1 : std::max<size_t>(1, event.size() / 3 + 1);
      for (size_t i = 0; i < event.size(); i += n) pieces_.push_back(event.substr(i, n));
    } else {
      pieces_.push_back(std::move(event));
    }
    WritePieces(done);
  }

  void WritePieces(bool done) {
    out_ = ChunkFrame(pieces_[piece_++]);
    net::async_write(stream_, net::buffer(out_),
                     [self = this->shared_from_this(), done](beast::error_code ec, size_t) {
                       if (!self->OnWrite(ec)) return;
                       if (self->piece_ < self->pieces_.size()) return self->WritePieces(done);
                       if (done) {
                         self->shared_->streams_completed++;
                         self->stream_active_ = false;
                       }
                       self->StreamStep();
                     });
  }

  void FinishResponse() {
    responding_ = false;
    stream_active_ = false;
    unary_pending_ = false;
    plan_ = Plan();
    item_ = 0;
    tokens_sent_ = 0;
    delayed_ = false;
    pieces_.clear();
    if (!keep_alive_) return Close();
    if (watch_pending_) {
      resume_read_ = true;
      // A pipelined request may already be buffered: stop waiting for more bytes.
      // (Plain TCP only; cancelling a TLS read mid-record is not worth the risk.)
      if constexpr (!kTls) {
        if (buffer_.size() > 0) {
          beast::error_code ec;
          Lowest(stream_).cancel(ec);
        }
      }
    } else {
      DoRead();
    }
  }

  // ---- Noticing a client that goes away while we are busy answering.
  void StartWatch() {
    if (watch_pending_ || closed_) return;
    watch_pending_ = true;
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              self->OnWatch(ec, n);
                            });
  }

  void OnWatch(beast::error_code ec, size_t n) {
    watch_pending_ = false;
    if (closed_) return;
    if (ec == net::error::operation_aborted && resume_read_) {
      resume_read_ = false;
      return DoRead();
    }
    if (ec) {
      if (responding_) return ClientGone();
      return Close();
    }
    buffer_.commit(n);
    if (resume_read_) {
      resume_read_ = false;
      return DoRead();
    }
    if (responding_ && buffer_.size() < kHeaderLimit) StartWatch();
  }

  void ClientGone() {
    if (stream_active_) {
      stream_active_ = false;
      shared_->streams_aborted_by_client++;
    } else if (unary_pending_) {
      unary_pending_ = false;
      shared_->unary_aborted_by_client++;
    }
    Close();
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    timer_.cancel();
    beast::error_code ec;
    Lowest(stream_).shutdown(tcp::socket::shutdown_both, ec);
    Lowest(stream_).close(ec);
  }

  void Reset() {
    if (closed_) return;
    closed_ = true;
    timer_.cancel();
    beast::error_code ec;
    Lowest(stream_).set_option(net::socket_base::linger(true, 0), ec);
    Lowest(stream_).close(ec);
  }

  std::shared_ptr<Shared> shared_;
  Stream stream_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string out_;
  Plan plan_;
  size_t item_ = 0;
  size_t tokens_sent_ = 0;
  std::vector<std::string> pieces_;
  size_t piece_ = 0;
  bool keep_alive_ = true;
  bool closed_ = false;
  bool responding_ = false;
  bool stream_active_ = false;
  bool unary_pending_ = false;
  bool watch_pending_ = false;
  bool resume_read_ = false;
  bool delayed_ = false;
};

}  // namespace

struct Emulator::Impl {
  explicit Impl(EmulatorOptions options) : shared(std::make_shared<Shared>(std::move(options))) {}

  void DoAccept() {
    acceptor->async_accept(net::make_strand(*ioc), [this](beast::error_code ec, tcp::socket s) {
      if (ec) {
        if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
        // e.g. EMFILE: back off a little instead of spinning.
        accept_retry->expires_after(std::chrono::milliseconds(20));
        accept_retry->async_wait([this](beast::error_code ec) {
          if (!ec) DoAccept();
        });
        return;
      }
      beast::error_code ignored;
      s.set_option(tcp::no_delay(true), ignored);
      shared->connections_accepted++;
      shared->connections_open++;
      if (shared->tls) {
        std::make_shared<Session<TlsStream>>(shared, TlsStream(std::move(s), *shared->tls))
            ->Start();
      } else {
        std::make_shared<Session<tcp::socket>>(shared, std::move(s))->Start();
      }
      DoAccept();
    });
  }

  std::shared_ptr<Shared> shared;
  std::unique_ptr<net::io_context> ioc;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<net::steady_timer> accept_retry;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  uint16_t port = 0;
  bool running = false;
};

Emulator::Emulator(EmulatorOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Emulator::~Emulator() { Stop(); }

absl::Status Emulator::Start() {
  Impl& d = *impl_;
  if (d.running) return absl::FailedPreconditionError("emulator already started");
  const EmulatorOptions& o = d.shared->options;
  if (o.tls_cert_file.empty() != o.tls_key_file.empty()) {
    return absl::InvalidArgumentError("tls_cert_file and tls_key_file must be set together");
  }
  if (!o.tls_cert_file.empty()) {
    try {
      d.shared->tls.emplace(ssl::context::tls_server);
      d.shared->tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                                 ssl::context::no_sslv3);
      d.shared->tls->use_certificate_chain_file(o.tls_cert_file);
      d.shared->tls->use_private_key_file(o.tls_key_file, ssl::context::pem);
    } catch (const std::exception& e) {
      d.shared->tls.reset();
      return absl::InvalidArgumentError(std::string("loading TLS certificate/key: ") + e.what());
    }
  }
  d.ioc = std::make_unique<net::io_context>(std::max(1, o.threads));
  beast::error_code ec;
  net::ip::address addr = net::ip::make_address(o.host, ec);
  if (ec) {
    tcp::resolver resolver(*d.ioc);
    auto results = resolver.resolve(o.host, "", ec);
    if (ec || results.empty()) {
      return absl::InvalidArgumentError("cannot resolve host '" + o.host + "'");
    }
    addr = results.begin()->endpoint().address();
  }
  tcp::endpoint ep(addr, o.port);
  d.acceptor = std::make_unique<tcp::acceptor>(*d.ioc);
  d.acceptor->open(ep.protocol(), ec);
  if (!ec) d.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) d.acceptor->bind(ep, ec);
  if (!ec) d.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    d.acceptor.reset();
    d.ioc.reset();
    return absl::UnavailableError("cannot listen on " + o.host + ":" + std::to_string(o.port) +
                                  ": " + ec.message());
  }
  d.port = d.acceptor->local_endpoint().port();
  d.accept_retry = std::make_unique<net::steady_timer>(*d.ioc);
  d.work.emplace(d.ioc->get_executor());
  d.DoAccept();
  for (int i = 0; i < std::max(1, o.threads); ++i) {
    d.threads.emplace_back([ioc = d.ioc.get()] { ioc->run(); });
  }
  d.running = true;
  return absl::OkStatus();
}

void Emulator::Stop() {
  Impl& d = *impl_;
  if (!d.running) return;
  d.running = false;
  d.work.reset();
  d.ioc->stop();
  for (auto& t : d.threads) t.join();
  d.threads.clear();
  beast::error_code ec;
  d.acceptor->close(ec);
  d.accept_retry.reset();
  d.acceptor.reset();
  d.ioc.reset();  // destroys pending handlers, hence every session and its socket
}

uint16_t Emulator::port() const { return impl_->port; }

std::string Emulator::base_url() const {
  std::string host = impl_->shared->options.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(impl_->shared->tls ? "https" : "http") + "://" + host + ":" +
         std::to_string(impl_->port);
}

EmulatorStats Emulator::stats() const { return impl_->shared->Snapshot(); }

std::vector<RecordedRequest> Emulator::recent_requests() const {
  std::lock_guard<std::mutex> lock(impl_->shared->recent_mu);
  return {impl_->shared->recent.begin(), impl_->shared->recent.end()};
}

bool Emulator::WaitFor(std::function<bool(const EmulatorStats&)> pred,
                       std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (pred(stats())) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace seedgate::fake_upstream
