#include "server/upstream/chat_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/translate/response_json.h"
#include "server/translate/text_excerpt.h"
#include "server/translate/upstream_error.h"
#include "server/upstream/sse_parser.h"
#include "server/upstream/stream_decoder.h"
#include "server/upstream/transport_status.h"

namespace seedgate::upstream {
namespace {

// A complete answer is at most 65,536 tokens; far below this.
constexpr size_t kMaxUnaryBodyBytes = 32 << 20;
// Only the start of an error body is worth reading.
constexpr size_t kMaxErrorBodyBytes = 64 << 10;

absl::string_view HeaderValue(absl::string_view line, absl::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return {};
  if (!absl::EqualsIgnoreCase(line.substr(0, name.size()), name)) return {};
  return absl::StripAsciiWhitespace(line.substr(name.size() + 1));
}

// One upstream chat call: one easy handle at a time (a new one per base URL
// tried). Everything but Cancel/Resume runs on the loop thread.
class UpstreamCall final : public ChatCall,
                           public LoopTransfer,
                           public std::enable_shared_from_this<UpstreamCall> {
 public:
  UpstreamCall(CurlLoop* loop, const ChatClientOptions& options, std::string body,
               absl::Time deadline, UnaryDone done, ChunkSink* sink, AttemptObserver* observer)
      : loop_(loop),
        options_(options),
        body_(std::move(body)),
        deadline_(deadline),
        done_(std::move(done)),
        sink_(sink),
        observer_(observer) {}

  ~UpstreamCall() override { ReleaseHandle(); }

  void Start() {
    loop_->Post([self = shared_from_this()] { self->StartAttempt(0); });
  }

  void Cancel() override {
    loop_->Post([self = shared_from_this()] {
      if (self->finished_) return;
      self->ReleaseHandle();
      self->attempt_cancelled_ = true;
      self->Finish(
          absl::CancelledError("the call was cancelled; the upstream transfer was aborted"));
    });
  }

  void Resume() override {
    loop_->Post([self = shared_from_this()] {
      if (self->finished_ || !self->paused_ || self->easy_ == nullptr) return;
      self->paused_ = false;
      curl_easy_pause(self->easy_, CURLPAUSE_CONT);
    });
  }

  void OnTransferDone(CURLcode result) override {
    // The loop removed the handle; keep ourselves alive to the end of this.
    std::shared_ptr<UpstreamCall> self = std::move(self_);
    bool connected = false;
    if (easy_ != nullptr) {
      curl_off_t connect_us = 0;
      curl_easy_getinfo(easy_, CURLINFO_CONNECT_TIME_T, &connect_us);
      if (http_status_ == 0) {  // a response without a body never reached OnBody
        long code = 0;
        curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &code);
        http_status_ = static_cast<int>(code);
      }
      connected = connect_us > 0 || http_status_ > 0;
      loop_->ReleaseEasy(easy_);
      easy_ = nullptr;
    }
    in_loop_ = false;
    if (finished_) return;
    if (result != CURLE_OK) {
      bool deadline_hit = result == CURLE_OPERATION_TIMEDOUT && deadline_bounded_;
      TransportFailure failure{result,       error_buffer_, base_url(),       connected,
                               deadline_hit, streaming(),   chunks_delivered_};
      attempt_transport_error_ = true;
      if (IsConnectFailure(failure) && base_index_ + 1 < options_.base_urls.size()) {
        CloseAttempt(/*retried=*/true);
        StartAttempt(base_index_ + 1);
        return;
      }
      Finish(TransportFailureToStatus(failure));
      return;
    }
    if (http_status_ < 200 || http_status_ >= 300) {
      Finish(translate::UpstreamErrorToStatus(
          translate::ParseUpstreamError(http_status_, body_buffer_, retry_after_, request_id_)));
      return;
    }
    if (streaming() && event_stream_) {
      sse_.EndOfStreamHadPartialEvent();
      Finish(TruncatedStreamStatus(base_url(), chunks_delivered_));
      return;
    }
    FinishWithJsonBody();
  }

 private:
  bool streaming() const { return sink_ != nullptr; }
  const std::string& base_url() const { return options_.base_urls[base_index_]; }

  void StartAttempt(size_t base_index) {
    if (finished_) return;
    base_index_ = base_index;
    attempt_open_ = true;
    attempt_start_ = absl::Now();
    attempt_transport_error_ = false;
    http_status_ = 0;
    body_buffer_.clear();
    request_id_.clear();
    retry_after_.clear();
    event_stream_ = false;
    error_buffer_[0] = '\0';

    absl::Duration until_deadline = deadline_ - absl::Now();
    absl::Duration budget = std::min(until_deadline, options_.request_timeout);
    // When curl's timeout fires, this says whose limit it was.
    deadline_bounded_ = until_deadline <= options_.request_timeout;
    if (budget <= absl::ZeroDuration()) {
      Finish(TransportFailureToStatus(TransportFailure{
          CURLE_OPERATION_TIMEDOUT, "", base_url(), false, true, streaming(), chunks_delivered_}));
      return;
    }

    easy_ = loop_->AcquireEasy();
    url_ = absl::StrCat(base_url(), "/v1/chat/completions");
    curl_easy_setopt(easy_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(easy_, CURLOPT_PRIVATE, static_cast<LoopTransfer*>(this));
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, body_.data());
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers());
    curl_easy_setopt(easy_, CURLOPT_HTTP_VERSION,
                     options_.http2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1);
    // Over TLS, ALPN tells at once whether a new connection speaks HTTP/2:
    // waiting for it lets concurrent calls share one connection. A plain
    // http:// connection only tells with its first response, which may be
    // minutes away, so a call must not wait for it.
    curl_easy_setopt(easy_, CURLOPT_PIPEWAIT,
                     options_.http2 && absl::StartsWithIgnoreCase(url_, "https://") ? 1L : 0L);
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(easy_, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options_.ca_file.empty())
      curl_easy_setopt(easy_, CURLOPT_CAINFO, options_.ca_file.c_str());
    curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
    curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS,
                     std::max<long>(1, static_cast<long>(absl::ToInt64Milliseconds(budget))));
    curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_buffer_);
    curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &UpstreamCall::OnHeaderLine);
    curl_easy_setopt(easy_, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &UpstreamCall::OnBodyBytes);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
    self_ = shared_from_this();
    in_loop_ = true;
    loop_->Add(easy_);
  }

  curl_slist* headers() {
    if (headers_ == nullptr) {
      std::string auth = absl::StrCat("Authorization: Bearer ", options_.api_key);
      headers_ = curl_slist_append(headers_, auth.c_str());
      headers_ = curl_slist_append(headers_, "Content-Type: application/json");
      headers_ = curl_slist_append(
          headers_, streaming() ? "Accept: text/event-stream" : "Accept: application/json");
      // Waiting for "100 Continue" would add a round trip to every call.
      headers_ = curl_slist_append(headers_, "Expect:");
      headers_ = curl_slist_append(headers_, "User-Agent: seedgate/0.1");
    }
    return headers_;
  }

  void ReleaseHandle() {
    if (easy_ != nullptr) {
      if (in_loop_) loop_->Remove(easy_);
      loop_->ReleaseEasy(easy_);
      easy_ = nullptr;
    }
    in_loop_ = false;
    if (headers_ != nullptr) {
      curl_slist_free_all(headers_);
      headers_ = nullptr;
    }
    self_.reset();  // may destroy `this` if nobody else holds it: keep last
  }

  static size_t OnHeaderLine(char* data, size_t size, size_t count, void* user) {
    auto* call = static_cast<UpstreamCall*>(user);
    absl::string_view line(data, size * count);
    line = absl::StripTrailingAsciiWhitespace(line);
    if (absl::StartsWith(line, "HTTP/")) {
      // A new response (after a 100 Continue, say): forget the last one's.
      call->request_id_.clear();
      call->retry_after_.clear();
      call->event_stream_ = false;
      return size * count;
    }
    if (auto v = HeaderValue(line, "x-request-id"); !v.empty()) call->request_id_ = std::string(v);
    if (auto v = HeaderValue(line, "retry-after"); !v.empty()) call->retry_after_ = std::string(v);
    if (auto v = HeaderValue(line, "content-type"); !v.empty()) {
      call->event_stream_ = absl::StartsWithIgnoreCase(v, "text/event-stream");
    }
    return size * count;
  }

  static size_t OnBodyBytes(char* data, size_t size, size_t count, void* user) {
    return static_cast<UpstreamCall*>(user)->OnBody(absl::string_view(data, size * count));
  }

  size_t OnBody(absl::string_view bytes) {
    if (finished_) return bytes.size();  // after [DONE]: let the response end cleanly
    if (http_status_ == 0) {
      long code = 0;
      curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &code);
      http_status_ = static_cast<int>(code);
    }
    bool success = http_status_ >= 200 && http_status_ < 300;
    if (!streaming() || !success || !event_stream_) {
      size_t cap = success ? kMaxUnaryBodyBytes : kMaxErrorBodyBytes;
      if (body_buffer_.size() + bytes.size() > cap) {
        if (!success) return bytes.size();  // the start of an error page is enough
        Finish(translate::MalformedUpstreamResponse(
            absl::StrCat("response body larger than ", cap, " bytes")));
        return 0;  // aborts the transfer
      }
      body_buffer_.append(bytes.data(), bytes.size());
      return bytes.size();
    }
    if (!sink_->ReadyForChunks()) {
      paused_ = true;
      return CURL_WRITEFUNC_PAUSE;  // the same bytes come again after Resume
    }
    sse_.Feed(std::string_view(bytes.data(), bytes.size()), [this](SseEvent&& event) {
      if (finished_) return;
      StreamEvent decoded = DecodeStreamEvent(event);
      switch (decoded.kind) {
        case StreamEvent::Kind::kChunk:
          ++chunks_delivered_;
          sink_->OnChunk(std::move(decoded.chunk));
          break;
        case StreamEvent::Kind::kDone:
          Finish(absl::OkStatus());
          break;
        case StreamEvent::Kind::kError:
          Finish(std::move(decoded.error));
          abort_transfer_ = true;
          break;
        case StreamEvent::Kind::kIgnore:
          break;
      }
    });
    if (abort_transfer_) return 0;
    return bytes.size();
  }

  // A 2xx response that is not an event stream: the unary answer, or (on a
  // stream) an error object some proxies send with status 200.
  void FinishWithJsonBody() {
    nlohmann::json json = nlohmann::json::parse(body_buffer_, nullptr, false);
    if (json.is_discarded()) {
      Finish(translate::MalformedUpstreamResponse(absl::StrCat(
          "HTTP ", http_status_, " body is not JSON: ", translate::SingleLine(body_buffer_, 120))));
      return;
    }
    if (json.is_object() && json.contains("error") && !json["error"].is_null()) {
      translate::UpstreamError error = translate::ParseStreamError(json);
      if (error.request_id.empty()) error.request_id = request_id_;
      Finish(translate::UpstreamErrorToStatus(error));
      return;
    }
    if (streaming()) {
      Finish(translate::MalformedUpstreamResponse(
          "a streaming request was answered with JSON instead of an event stream"));
      return;
    }
    absl::StatusOr<v1::ChatCompletion> completion = translate::CompletionFromJson(json);
    finished_ = true;
    CloseAttempt(/*retried=*/false);
    UnaryDone done = std::move(done_);
    done(std::move(completion));
  }

  // Tells the observer how the current attempt ended, once.
  void CloseAttempt(bool retried) {
    if (!attempt_open_) return;
    attempt_open_ = false;
    if (observer_ == nullptr) return;
    AttemptReport report;
    report.http_status = http_status_;
    report.transport_error = attempt_transport_error_;
    report.cancelled = attempt_cancelled_;
    report.retried = retried;
    report.duration = absl::Now() - attempt_start_;
    observer_->OnAttemptDone(report);
  }

  void Finish(absl::Status status) {
    if (finished_) return;
    finished_ = true;
    CloseAttempt(/*retried=*/false);
    if (streaming()) {
      sink_->OnFinish(std::move(status));
    } else {
      UnaryDone done = std::move(done_);
      done(std::move(status));
    }
  }

  CurlLoop* const loop_;
  const ChatClientOptions& options_;
  const std::string body_;
  const absl::Time deadline_;
  UnaryDone done_;
  ChunkSink* const sink_;
  AttemptObserver* const observer_;

  // Loop thread only from here on.
  std::shared_ptr<UpstreamCall> self_;  // held while the loop runs the transfer
  CURL* easy_ = nullptr;
  bool in_loop_ = false;
  curl_slist* headers_ = nullptr;
  std::string url_;
  size_t base_index_ = 0;
  char error_buffer_[CURL_ERROR_SIZE] = {};
  int http_status_ = 0;
  std::string request_id_;
  std::string retry_after_;
  bool event_stream_ = false;
  std::string body_buffer_;
  SseParser sse_;
  bool attempt_open_ = false;
  absl::Time attempt_start_;
  bool attempt_transport_error_ = false;
  bool attempt_cancelled_ = false;
  bool deadline_bounded_ = false;  // the RPC deadline, not --request_timeout, limits this attempt
  bool paused_ = false;
  bool finished_ = false;
  bool abort_transfer_ = false;
  int64_t chunks_delivered_ = 0;
};

}  // namespace

ChatClient::ChatClient(CurlLoop* loop, ChatClientOptions options)
    : ChatClient(std::vector<CurlLoop*>{loop}, std::move(options)) {}

ChatClient::ChatClient(std::vector<CurlLoop*> loops, ChatClientOptions options)
    : loops_(std::move(loops)), options_(std::move(options)) {}

CurlLoop* ChatClient::NextLoop() {
  if (loops_.size() == 1) return loops_[0];
  return loops_[next_loop_.fetch_add(1, std::memory_order_relaxed) % loops_.size()];
}

ChatClient::~ChatClient() = default;

std::shared_ptr<ChatCall> ChatClient::Complete(std::string body, absl::Time deadline,
                                               UnaryDone done, AttemptObserver* observer) {
  auto call = std::make_shared<UpstreamCall>(NextLoop(), options_, std::move(body), deadline,
                                             std::move(done), nullptr, observer);
  call->Start();
  return call;
}

std::shared_ptr<ChatCall> ChatClient::Stream(std::string body, absl::Time deadline, ChunkSink* sink,
                                             AttemptObserver* observer) {
  auto call = std::make_shared<UpstreamCall>(NextLoop(), options_, std::move(body), deadline,
                                             nullptr, sink, observer);
  call->Start();
  return call;
}

}  // namespace seedgate::upstream
