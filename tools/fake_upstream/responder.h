// The request -> response logic of the upstream emulator, free of any I/O.
//
// Responder::HandleChatCompletion turns one HTTP request into a Plan: either a
// complete reply (unary answer or error), or a stream script (a list of SSE
// events plus fault markers) that the network layer plays back with delays.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace seedgate::fake_upstream {

struct HttpRequestData {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct HttpReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // includes Content-Type
  std::string body;
};

// SSE wire variants (directive sse=...).
struct SseStyle {
  bool crlf = false;
  bool cr = false;
  bool nospace = false;
  bool multiline = false;
  bool comments = false;
  bool split = false;
};

struct StreamItem {
  enum Kind : uint8_t {
    kReasoning,   // delta.reasoning_content token
    kContent,     // delta.content token
    kToolStart,   // first delta of a tool call (id, type, name, arguments "")
    kToolArgs,    // argument fragment of a tool call
    kToolWhole,   // a complete tool call in one delta
    kFinish,      // empty delta carrying finish_reason
    kUsage,       // choices [] + total usage (stream_options.include_usage)
    kDone,        // data: [DONE]
    kMalformed,   // fault: a data line with invalid JSON
    kErrorEvent,  // fault: event: error + data: {"error":...}
    kErrorChunk,  // fault: data: {"error":...}
    kEnd,         // fault: end the response cleanly here (no [DONE])
    kReset,       // fault: abort the connection with RST
    kStall,       // fault: stop sending, keep the connection open
  };
  StreamItem(Kind k = kContent) : kind(k) {}  // NOLINT(google-explicit-constructor)

  Kind kind;
  uint32_t index = 0;       // content token index (logprobs) or tool call index
  uint32_t cum_tokens = 0;  // completion tokens emitted up to and including this item
  std::string text;         // token text / argument fragment / whole arguments
  std::string id, name;     // tool call id and function name (kToolStart, kToolWhole)

  // A "token event": a delta carrying generated output (the ones delays apply to).
  bool IsTokenEvent() const { return kind <= kToolWhole; }
};

struct StreamScript {
  std::string id;
  std::string model;
  int64_t created = 0;
  int prompt_tokens = 0;
  int reasoning_tokens = 0;
  int completion_tokens = 0;
  std::string finish_reason;
  bool logprobs = false;
  int top_logprobs = 0;
  bool chunk_include_usage = false;
  bool stamp_tokens = false;  // content tokens carry the time they are rendered
  SseStyle sse;
  std::vector<StreamItem> items;

  // The SSE bytes of item i (not valid for kEnd/kReset/kStall). `seq` is the
  // ordinal of the event in the stream (used for id:/retry: fields).
  std::string Render(size_t i) const;
};

struct Plan {
  enum class Kind {
    kReply,           // write `reply` (Content-Length), keep-alive
    kStream,          // 200 text/event-stream, chunked, play `script`
    kStallForever,    // never answer; wait for the client to go away
    kResetNow,        // abort the connection with RST, no response
    kTruncatedReply,  // headers promise the full body, half is sent, then close
  };
  Kind kind = Kind::kReply;
  bool is_stream = false;  // the request asked for stream: true (and was accepted)
  std::string request_id;
  std::chrono::milliseconds first_delay{0};
  std::chrono::milliseconds token_delay{0};
  HttpReply reply;  // kReply/kTruncatedReply; for kStream only headers are used
  std::shared_ptr<const StreamScript> script;
};

struct ResponderConfig {
  std::string api_key;  // empty: any non-empty bearer token is accepted
  std::chrono::milliseconds token_delay{0};
};

class Responder {
 public:
  explicit Responder(ResponderConfig config);

  // POST /v1/chat/completions.
  Plan HandleChatCompletion(const HttpRequestData& request);

  std::string NewRequestId();
  std::string NewToolCallId();

 private:
  // How many requests of `scenario` have been seen, this one included.
  int CountScenario(const std::string& scenario);

  ResponderConfig config_;
  std::atomic<uint64_t> request_seq_{0};
  std::atomic<uint64_t> tool_call_seq_{0};
  std::mutex scenarios_mu_;
  std::map<std::string, int> scenario_counts_;
};

// "Too Many Requests" etc.
std::string ReasonPhrase(int status);

// A JSON error body {"error":{code,message,type[,param][,fallback_suggestion]}}.
std::string ErrorJson(int code, const std::string& message, const std::string& type,
                      const std::string* param = nullptr, const std::string* fallback = nullptr);

// Help text describing the scenario directives (for --help).
const char* DirectivesHelp();

}  // namespace seedgate::fake_upstream
