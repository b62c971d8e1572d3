#include "server/upstream/chat_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <list>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/random/random.h"
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

// Only the start of an error body is worth reading.
constexpr size_t kMaxErrorBodyBytes = 64 << 10;

absl::string_view HeaderValue(absl::string_view line, absl::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return {};
  if (!absl::EqualsIgnoreCase(line.substr(0, name.size()), name)) return {};
  return absl::StripAsciiWhitespace(line.substr(name.size() + 1));
}

class UpstreamCall;

// What an UpstreamCall shares with the client that made it.
struct CallEnv {
  CurlLoop* loop;
  TimerQueue* timers;
  const ChatClientOptions* options;
  BaseUrlHealth* health;
};

}  // namespace

// The calls in flight, so that shutdown can end them.
class CallRegistry {
 public:
  std::list<std::weak_ptr<UpstreamCall>>::iterator Add(std::weak_ptr<UpstreamCall> call) {
    absl::MutexLock lock(&mu_);
    return calls_.insert(calls_.end(), std::move(call));
  }
  void Remove(std::list<std::weak_ptr<UpstreamCall>>::iterator it) {
    absl::MutexLock lock(&mu_);
    calls_.erase(it);
  }
  std::vector<std::shared_ptr<UpstreamCall>> Live() {
    std::vector<std::shared_ptr<UpstreamCall>> live;
    absl::MutexLock lock(&mu_);
    for (const auto& weak : calls_) {
      if (auto call = weak.lock()) live.push_back(std::move(call));
    }
    return live;
  }

 private:
  absl::Mutex mu_;
  std::list<std::weak_ptr<UpstreamCall>> calls_ ABSL_GUARDED_BY(mu_);
};

namespace {

// One upstream chat call: one easy handle per attempt. Attempts walk the
// base-URL order; a failure is retried only while nothing has reached the
// client. Everything but Cancel/Resume/Abort runs on the loop's driver.
class UpstreamCall final : public ChatCall,
                           public LoopTransfer,
                           public std::enable_shared_from_this<UpstreamCall> {
 public:
  UpstreamCall(const CallEnv& env, std::shared_ptr<CallRegistry> registry,
               std::vector<size_t> order, std::string body, const CallOptions& call, UnaryDone done,
               ChunkSink* sink)
      : loop_(env.loop),
        timers_(env.timers),
        options_(*env.options),
        health_(env.health),
        registry_(std::move(registry)),
        order_(std::move(order)),
        body_(std::move(body)),
        deadline_(call.deadline),
        done_(std::move(done)),
        sink_(sink),
        observer_(call.observer) {}

  ~UpstreamCall() override {
    ReleaseHandle();
    registry_->Remove(registered_);
  }

  void Start() {
    registered_ = registry_->Add(weak_from_this());
    loop_->Post([self = shared_from_this()] { self->StartAttempt(); });
  }

  void Cancel() override {
    Abort([] {
      return absl::CancelledError("the call was cancelled; the upstream transfer was aborted");
    });
  }

  void AbortForShutdown() {
    Abort([this] { return ShuttingDownStatus(streaming(), chunks_delivered_); });
  }

  void Resume() override {
    loop_->Post([self = shared_from_this()] {
      if (self->finished_ || !self->paused_ || self->easy_ == nullptr) return;
      self->paused_ = false;
      self->last_activity_ = absl::Now();  // time spent paused is not idle time
      curl_easy_pause(self->easy_, CURLPAUSE_CONT);
    });
  }

  void OnTransferDone(CURLcode result) override {
    // The loop removed the handle; keep ourselves alive to the end of this.
    std::shared_ptr<UpstreamCall> self = std::move(self_);
    const absl::Time now = absl::Now();
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
      if (!deadline_hit) health_->OnFailure(base_index_, now);
      if (IsConnectFailure(failure)) {
        if (MaybeRetry(RetryReason::kConnectFailure, std::nullopt)) return;
      } else if (result != CURLE_OPERATION_TIMEDOUT && http_status_ == 0 &&
                 chunks_delivered_ == 0) {
        // The connection broke before any response: the client has nothing.
        if (MaybeRetry(RetryReason::kConnectionLost, std::nullopt)) return;
      }
      Finish(TransportFailureToStatus(failure));
      return;
    }
    if (http_status_ < 200 || http_status_ >= 300) {
      if (http_status_ >= 500) {
        health_->OnFailure(base_index_, now);
      } else {
        health_->OnSuccess(base_index_);  // it answered; the request was the trouble
      }
      if (IsRetryableHttpStatus(options_.retry, http_status_)) {
        const RetryReason reason =
            http_status_ == 429 ? RetryReason::kRateLimited : RetryReason::kServerError;
        // An unreadable Retry-After counts as none. One longer than we wait
        // goes to the client, whose RetryInfo then carries it.
        std::optional<absl::Duration> retry_after = ParseRetryAfter(retry_after_, now);
        const bool too_long = retry_after && *retry_after > options_.retry.max_backoff;
        if (!too_long && MaybeRetry(reason, retry_after)) return;
      }
      Finish(translate::UpstreamErrorToStatus(
          translate::ParseUpstreamError(http_status_, body_buffer_, retry_after_, request_id_)));
      return;
    }
    health_->OnSuccess(base_index_);
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

  void StartAttempt() {
    if (finished_) return;
    base_index_ = order_[attempts_started_ % order_.size()];
    ++attempts_started_;
    attempt_open_ = true;
    response_started_ = false;
    ++timer_generation_;  // the last attempt's timer, if any, is stale
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
    const bool pipewait = options_.http2 && absl::StartsWithIgnoreCase(url_, "https://");
    curl_easy_setopt(easy_, CURLOPT_PIPEWAIT, pipewait ? 1L : 0L);
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(easy_, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options_.ca_file.empty())
      curl_easy_setopt(easy_, CURLOPT_CAINFO, options_.ca_file.c_str());
    if (options_.insecure_skip_verify) {
      curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, 0L);
    }
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
    // Calls that wait for HTTP/2 pass the loop's connection gate, so that a
    // burst shares a few connections per base URL.
    loop_->Add(easy_, pipewait ? absl::string_view(base_url()) : absl::string_view());
    if (streaming() && options_.first_byte_timeout > absl::ZeroDuration()) {
      ArmTimer(attempt_start_ + options_.first_byte_timeout);
    }
  }

  // Another attempt, if the policy, the attempts left and the deadline allow
  // it and nothing has reached the client. Closes the current attempt.
  bool MaybeRetry(RetryReason reason, std::optional<absl::Duration> retry_after) {
    if (chunks_delivered_ > 0) return false;
    int limit = options_.retry.max_attempts;
    // Fallback: every base URL gets a try when no connection can be made.
    if (reason == RetryReason::kConnectFailure) {
      limit = std::max(limit, static_cast<int>(order_.size()));
    }
    if (attempts_started_ >= limit) return false;
    absl::Duration delay = absl::ZeroDuration();
    if (retry_after) {
      delay = *retry_after;
    } else if (attempts_started_ >= static_cast<int>(order_.size())) {
      // Back to a base URL already tried in this call: back off first. A base
      // URL not tried yet is tried at once.
      thread_local absl::InsecureBitGen bitgen;
      delay = BackoffDelay(options_.retry, ++backoffs_, absl::Uniform(bitgen, 0.0, 1.0));
    }
    const absl::Time now = absl::Now();
    if (now + delay >= deadline_) return false;
    CloseAttempt(/*retried=*/true, reason);
    if (delay <= absl::ZeroDuration()) {
      StartAttempt();
    } else {
      timers_->RunAt(now + delay, [self = shared_from_this()] {
        self->loop_->Post([self] { self->StartAttempt(); });
      });
    }
    return true;
  }

  // One live timer per call: arming one makes any earlier one stale (it
  // still fires, and does nothing).
  void ArmTimer(absl::Time when) {
    // Weak: a finished call must not be kept alive (with its request body)
    // until its timer comes round.
    timers_->RunAt(when, [weak = weak_from_this(), generation = ++timer_generation_] {
      if (auto self = weak.lock()) {
        self->loop_->Post([weak, generation] {
          if (auto call = weak.lock()) call->OnTimer(generation);
        });
      }
    });
  }

  void OnTimer(uint64_t generation) {
    if (generation != timer_generation_) return;  // re-armed since
    if (finished_ || easy_ == nullptr) return;
    const absl::Time now = absl::Now();
    if (!response_started_) {
      const absl::Time due = attempt_start_ + options_.first_byte_timeout;
      if (now >= due) return TimeOut(StreamTimeout::kFirstByte, options_.first_byte_timeout);
      return ArmTimer(due);
    }
    if (options_.idle_timeout <= absl::ZeroDuration()) return;
    if (paused_) return ArmTimer(now + options_.idle_timeout);
    const absl::Time due = last_activity_ + options_.idle_timeout;
    if (now >= due) return TimeOut(StreamTimeout::kIdle, options_.idle_timeout);
    ArmTimer(due);
  }

  void TimeOut(StreamTimeout which, absl::Duration limit) {
    std::shared_ptr<UpstreamCall> self = shared_from_this();  // ReleaseHandle drops self_
    health_->OnFailure(base_index_, absl::Now());
    attempt_transport_error_ = true;
    ReleaseHandle();
    Finish(StreamTimeoutStatus(which, limit, base_url(), chunks_delivered_));
  }

  // Ends the call with `make_status()` from the loop's driver, aborting the
  // transfer; nothing once it has finished.
  void Abort(std::function<absl::Status()> make_status) {
    loop_->Post([self = shared_from_this(), make_status = std::move(make_status)] {
      if (self->finished_) return;
      self->ReleaseHandle();
      self->attempt_cancelled_ = true;
      self->Finish(make_status());
    });
  }

  curl_slist* headers() {
    if (headers_ == nullptr) {
      std::string auth =
          absl::StrCat("Authorization: Bearer ",
                       options_.api_key_source ? options_.api_key_source() : options_.api_key);
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
    call->NoteActivity();
    if (absl::StartsWith(line, "HTTP/")) {
      call->loop_->ResponseStarted(call->easy_);
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

  // Bytes arrived: the response has begun, and the idle clock restarts.
  void NoteActivity() {
    last_activity_ = absl::Now();
    if (response_started_) return;
    response_started_ = true;
    if (streaming() && options_.idle_timeout > absl::ZeroDuration()) {
      ArmTimer(last_activity_ + options_.idle_timeout);  // replaces the first-byte timer
    }
  }

  size_t OnBody(absl::string_view bytes) {
    if (finished_) return bytes.size();  // after [DONE]: let the response end cleanly
    NoteActivity();
    if (http_status_ == 0) {
      long code = 0;
      curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &code);
      http_status_ = static_cast<int>(code);
    }
    bool success = http_status_ >= 200 && http_status_ < 300;
    if (!streaming() || !success || !event_stream_) {
      size_t cap = success ? options_.max_response_bytes : kMaxErrorBodyBytes;
      if (body_buffer_.size() + bytes.size() > cap) {
        if (!success) return bytes.size();  // the start of an error page is enough
        Finish(UpstreamLimitStatus(absl::StrCat("a response body larger than ", cap, " bytes"),
                                   "--max_upstream_response_bytes", base_url(), chunks_delivered_));
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
      // An event that arrived whole within one read is checked here; one
      // spread over reads, by the buffered-bytes check below.
      if (event.data.size() > options_.max_event_bytes) {
        abort_transfer_ = true;
        return;
      }
      StreamEvent decoded = DecodeStreamEvent(event);
      switch (decoded.kind) {
        case StreamEvent::Kind::kChunk:
          if (chunks_delivered_ >= options_.max_stream_chunks) {
            Finish(UpstreamLimitStatus(
                absl::StrCat("more than ", options_.max_stream_chunks, " chunks"),
                "--max_stream_chunks", base_url(), chunks_delivered_));
            abort_transfer_ = true;
            break;
          }
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
    if (!finished_ && (abort_transfer_ || sse_.buffered_bytes() > options_.max_event_bytes)) {
      Finish(UpstreamLimitStatus(
          absl::StrCat("an event larger than ", options_.max_event_bytes, " bytes"),
          "--max_upstream_event_bytes", base_url(), chunks_delivered_));
      abort_transfer_ = true;
    }
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
    CloseAttempt(/*retried=*/false, {});
    UnaryDone done = std::move(done_);
    done(std::move(completion));
  }

  // Tells the observer how the current attempt ended, once.
  void CloseAttempt(bool retried, RetryReason reason) {
    if (!attempt_open_) return;
    attempt_open_ = false;
    if (observer_ == nullptr) return;
    AttemptReport report;
    report.http_status = http_status_;
    report.transport_error = attempt_transport_error_;
    report.cancelled = attempt_cancelled_;
    report.retried = retried;
    report.retry_reason = reason;
    report.duration = absl::Now() - attempt_start_;
    report.base_url = base_url();
    report.request_id = request_id_;
    observer_->OnAttemptDone(report);
  }

  void Finish(absl::Status status) {
    if (finished_) return;
    finished_ = true;
    CloseAttempt(/*retried=*/false, {});
    if (streaming()) {
      sink_->OnFinish(std::move(status));
    } else {
      UnaryDone done = std::move(done_);
      done(std::move(status));
    }
  }

  CurlLoop* const loop_;
  TimerQueue* const timers_;
  const ChatClientOptions& options_;
  BaseUrlHealth* const health_;
  const std::shared_ptr<CallRegistry> registry_;
  std::list<std::weak_ptr<UpstreamCall>>::iterator registered_;
  const std::vector<size_t> order_;  // base-URL indexes, in the order attempts try them
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
  int attempts_started_ = 0;
  int backoffs_ = 0;
  bool response_started_ = false;  // this attempt received a byte
  uint64_t timer_generation_ = 0;  // of the one live timeout timer
  absl::Time last_activity_;
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

ChatClient::ChatClient(std::vector<CurlLoop*> loops, TimerQueue* timers, ChatClientOptions options,
                       BaseUrlHealth::EjectionListener on_ejected)
    : loops_(std::move(loops)),
      timers_(timers),
      options_(std::move(options)),
      health_(std::make_unique<BaseUrlHealth>(options_.base_urls.size(), options_.ejection,
                                              std::move(on_ejected))),
      registry_(std::make_shared<CallRegistry>()) {
  for (size_t i = 0; i < options_.base_urls.size(); ++i) text_order_.push_back(i);
  multimodal_order_ = text_order_;
  if (multimodal_order_.size() >= 2) std::swap(multimodal_order_[0], multimodal_order_[1]);
}

CurlLoop* ChatClient::NextLoop() {
  if (loops_.size() == 1) return loops_[0];
  return loops_[next_loop_.fetch_add(1, std::memory_order_relaxed) % loops_.size()];
}

ChatClient::~ChatClient() = default;

std::shared_ptr<ChatCall> ChatClient::Complete(std::string body, const CallOptions& call,
                                               UnaryDone done) {
  CallEnv env{NextLoop(), timers_, &options_, health_.get()};
  auto upstream_call = std::make_shared<UpstreamCall>(
      env, registry_,
      health_->Order(call.multimodal ? multimodal_order_ : text_order_, absl::Now()),
      std::move(body), call, std::move(done), nullptr);
  upstream_call->Start();
  return upstream_call;
}

std::shared_ptr<ChatCall> ChatClient::Stream(std::string body, const CallOptions& call,
                                             ChunkSink* sink) {
  CallEnv env{NextLoop(), timers_, &options_, health_.get()};
  auto upstream_call = std::make_shared<UpstreamCall>(
      env, registry_,
      health_->Order(call.multimodal ? multimodal_order_ : text_order_, absl::Now()),
      std::move(body), call, nullptr, sink);
  upstream_call->Start();
  return upstream_call;
}

void ChatClient::AbortAllForShutdown() {
  for (const auto& call : registry_->Live()) call->AbortForShutdown();
}

bool ChatClient::base_url_ejected(size_t index) const {
  return health_->ejected(index, absl::Now());
}

}  // namespace seedgate::upstream
