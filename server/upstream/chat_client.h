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
#include "server/upstream/curl_loop.h"

namespace seedgate::upstream {

struct ChatClientOptions {
  // Tried in order when a connection cannot be made.
  std::vector<std::string> base_urls;
  std::string api_key;
  std::string ca_file;  // empty: the system's trust store
  bool http2 = true;    // HTTP/2 over TLS (ALPN), else HTTP/1.1
  absl::Duration connect_timeout = absl::Seconds(10);
  absl::Duration request_timeout = absl::Minutes(10);
};

// Where a streaming call delivers. Every method runs on the upstream loop
// thread and must not block.
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
  bool retried = false;          // another base URL is tried next
  absl::Duration duration;
};

// Told about every attempt of a call, on the loop thread, always before the
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

// Makes upstream chat-completions calls on one or more CurlLoops: each call
// runs wholly on one loop, and calls take the loops in turn.
class ChatClient {
 public:
  ChatClient(CurlLoop* loop, ChatClientOptions options);
  // `loops` must not be empty; they must outlive the client.
  ChatClient(std::vector<CurlLoop*> loops, ChatClientOptions options);
  ~ChatClient();

  // POSTs `body` (a JSON request with "stream": false). `done` runs once, on
  // the loop thread. `deadline` bounds the whole call (absl::InfiniteFuture()
  // for none; --request_timeout applies either way).
  std::shared_ptr<ChatCall> Complete(std::string body, absl::Time deadline, UnaryDone done,
                                     AttemptObserver* observer = nullptr);

  // POSTs `body` (with "stream": true) and feeds `sink` event by event.
  // `sink` must stay alive until its OnFinish.
  std::shared_ptr<ChatCall> Stream(std::string body, absl::Time deadline, ChunkSink* sink,
                                   AttemptObserver* observer = nullptr);

  const ChatClientOptions& options() const { return options_; }

 private:
  CurlLoop* NextLoop();

  const std::vector<CurlLoop*> loops_;
  std::atomic<size_t> next_loop_{0};
  ChatClientOptions options_;
};

}  // namespace seedgate::upstream

#endif  // SEEDGATE_SERVER_UPSTREAM_CHAT_CLIENT_H_
