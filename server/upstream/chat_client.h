#ifndef SEEDGATE_SERVER_UPSTREAM_CHAT_CLIENT_H_
#define SEEDGATE_SERVER_UPSTREAM_CHAT_CLIENT_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "seedgate/v1/chat.pb.h"
#include "server/upstream/base_url_health.h"
#include "server/upstream/curl_loop.h"
#include "server/upstream/retry_policy.h"
#include "server/upstream/timer_queue.h"

namespace seedgate::upstream {

struct ChatClientOptions {
  // In the order text requests try them; multimodal requests (image or video
  // parts) try the second one first, as the upstream reference advises.
  std::vector<std::string> base_urls;
  std::string api_key;
  // When set, asked for the key at each call instead of api_key (a key file
  // that is reloaded when it changes).
  std::function<std::string()> api_key_source;
  // Do not verify the upstream's certificate (--upstream_insecure_skip_verify).
  bool insecure_skip_verify = false;
  std::string ca_file;  // empty: the system's trust store
  bool http2 = true;    // HTTP/2 over TLS (ALPN), else HTTP/1.1
  absl::Duration connect_timeout = absl::Seconds(10);
  // Bounds each attempt, like the RPC's own deadline bounds the call.
  absl::Duration request_timeout = absl::Minutes(10);
  // Streams only (a unary answer arrives whole, at the end): the response
  // must begin within this, and then no event may be more than
  // `idle_timeout` apart (time paused for a slow reader does not count).
  // Zero turns either off.
  absl::Duration first_byte_timeout = absl::Minutes(1);
  absl::Duration idle_timeout = absl::Minutes(2);
  RetryPolicy retry;
  EjectionPolicy ejection;
  // What a bad upstream may make us hold.
  size_t max_response_bytes = 32 << 20;  // a unary body
  size_t max_event_bytes = 4 << 20;      // one server-sent event
  int64_t max_stream_chunks = 1'000'000;
};

class AttemptObserver;

// Per call.
struct CallOptions {
  // Bounds the whole call, retries included.
  absl::Time deadline = absl::InfiniteFuture();
  // The request has image or video parts (the multimodal base-URL order).
  bool multimodal = false;
  // Told about every attempt; may be null.
  AttemptObserver* observer = nullptr;
};

// Where a streaming call delivers. Every method runs on the thread that
// drives the call's upstream loop (CurlLoop::Post: the loop thread, or a
// thread whose post ran at once, such as one that starts, resumes or cancels
// the call; never two at a time) and must not block. A method may therefore
// run inside the ChatClient or ChatCall method that led to it: the sink must
// not hold a lock of its own across those calls.
class ChunkSink {
 public:
  virtual ~ChunkSink() = default;
  // Whether the sink takes more chunks now. While it says no, the upstream
  // transfer is paused and the sink calls ChatCall::Resume once it can take
  // more. Over HTTP/1.1 a paused transfer reads nothing. Over a shared
  // HTTP/2 connection libcurl 7.88 may keep receiving a paused stream's data
  // (up to its stream window) while other streams are active: the bytes are
  // held by libcurl, not by us, and none are lost (tests/e2e/http2_e2e_test).
  virtual bool ReadyForChunks() = 0;
  // One upstream event, as it arrived.
  virtual void OnChunk(v1::ChatCompletionChunk chunk) = 0;
  // Exactly once, last: OK after `data: [DONE]`, else why the stream failed.
  virtual void OnFinish(absl::Status status) = 0;
};

using UnaryDone = std::function<void(absl::StatusOr<v1::ChatCompletion>)>;

// What one upstream HTTP request (one attempt of a call) came to.
struct AttemptReport {
  int http_status = 0;           // 0 when no response arrived
  bool transport_error = false;  // failed below HTTP
  bool cancelled = false;        // aborted because the call was cancelled
  bool retried = false;          // another attempt follows, for `retry_reason`
  RetryReason retry_reason = RetryReason::kConnectFailure;
  absl::Duration duration;
  std::string base_url;    // where it went
  std::string request_id;  // the upstream's x-request-id, if any
};

// Told about every attempt of a call, on the loop's driver, always before the
// call's own completion callback (so it may live exactly as long as the call).
class AttemptObserver {
 public:
  virtual ~AttemptObserver() = default;
  virtual void OnAttemptDone(const AttemptReport& report) = 0;
};

// A call in flight. Thread-safe.
class ChatCall {
 public:
  virtual ~ChatCall() = default;
  // Aborts the upstream transfer at once (the connection's stream is reset,
  // so the upstream stops generating); the call then finishes CANCELLED.
  // Does nothing once the call has finished.
  virtual void Cancel() = 0;
  // Resumes a transfer paused because the sink was not ready.
  virtual void Resume() = 0;
};

class CallRegistry;

// Makes upstream chat-completions calls on one or more CurlLoops (each call
// runs wholly on one loop; calls take the loops in turn): base-URL order and
// outlier ejection, retries with back-off while nothing has reached the
// client, timeouts, and limits on what the upstream may send.
class ChatClient {
 public:
  // `loops` must not be empty; they and `timers` must outlive every call.
  // `on_ejected` is told when a base URL is taken out of rotation.
  ChatClient(std::vector<CurlLoop*> loops, TimerQueue* timers, ChatClientOptions options,
             BaseUrlHealth::EjectionListener on_ejected = nullptr);
  ~ChatClient();

  // POSTs `body` (a JSON request with "stream": false). `done` runs once, on
  // the loop's driver (as a ChunkSink's methods do).
  std::shared_ptr<ChatCall> Complete(std::string body, const CallOptions& call, UnaryDone done);

  // POSTs `body` (with "stream": true) and feeds `sink` event by event.
  // `sink` must stay alive until its OnFinish.
  std::shared_ptr<ChatCall> Stream(std::string body, const CallOptions& call, ChunkSink* sink);

  // Ends every call in flight with UNAVAILABLE (the server is going away;
  // the details say how much each stream delivered) and aborts its upstream
  // transfer. Calls started later are not affected.
  void AbortAllForShutdown();

  // Whether base URL `index` is ejected now (for metrics).
  bool base_url_ejected(size_t index) const;

  const ChatClientOptions& options() const { return options_; }

 private:
  CurlLoop* NextLoop();

  const std::vector<CurlLoop*> loops_;
  std::atomic<size_t> next_loop_{0};
  TimerQueue* timers_;
  ChatClientOptions options_;
  std::vector<size_t> text_order_, multimodal_order_;
  std::unique_ptr<BaseUrlHealth> health_;
  std::shared_ptr<CallRegistry> registry_;
};

}  // namespace seedgate::upstream

#endif  // SEEDGATE_SERVER_UPSTREAM_CHAT_CLIENT_H_
