#ifndef SEEDGATE_SERVER_UPSTREAM_SSE_PARSER_H_
#define SEEDGATE_SERVER_UPSTREAM_SSE_PARSER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"

namespace seedgate::upstream {

// One dispatched server-sent event.
struct SseEvent {
  std::string type = "message";  // the `event:` field, "message" when absent
  std::string data;              // `data:` lines joined with '\n'
  std::string id;                // the last event id seen so far
};

// An incremental parser for the WHATWG `text/event-stream` format
// (html.spec.whatwg.org, "Server-sent events", "Interpreting an event
// stream"). Bytes may be split anywhere, including inside a line terminator
// or a multi-byte UTF-8 character; the events are the same whatever the
// split. Line ends are CRLF, LF or a bare CR.
class SseParser {
 public:
  // Feeds the next bytes of the stream; calls `on_event` for each event they
  // complete, in order.
  void Feed(std::string_view bytes, absl::FunctionRef<void(SseEvent&&)> on_event);

  // The stream ended. Per the standard, an event not terminated by a blank
  // line is discarded; this says whether there was one (a truncated stream):
  // pending `data`/fields, or an unterminated line. Resets the per-stream
  // state so the parser can read a new stream; the last event id and retry
  // survive, as the standard keeps them across reconnections.
  bool EndOfStreamHadPartialEvent();

  // Bytes held for the event being read (its unterminated line and fields):
  // what a never-ending event would make grow.
  size_t buffered_bytes() const { return line_.size() + data_.size() + event_type_.size(); }

  // The last `retry:` value, in milliseconds.
  std::optional<int64_t> retry_ms() const { return retry_ms_; }

 private:
  // Returns the bytes after a leading UTF-8 BOM, or after the part of one
  // seen so far; handles a BOM split across feeds.
  std::string_view SkipBom(std::string_view bytes, absl::FunctionRef<void(SseEvent&&)> on_event);
  void FeedLines(std::string_view bytes, absl::FunctionRef<void(SseEvent&&)> on_event);
  void ProcessLine(std::string_view line, absl::FunctionRef<void(SseEvent&&)> on_event);
  void ProcessField(std::string_view field, std::string_view value);
  void DispatchEvent(absl::FunctionRef<void(SseEvent&&)> on_event);

  std::string line_;             // the current, unterminated line
  bool after_cr_ = false;        // last byte was CR: a following LF is part of it
  bool at_stream_start_ = true;  // a leading UTF-8 BOM is skipped
  std::string bom_prefix_;       // the bytes of a possible BOM seen so far
  std::string event_type_;
  std::string data_;  // each `data` value followed by '\n'
  std::string last_event_id_;
  bool pending_fields_ = false;  // any field seen since the last blank line
  std::optional<int64_t> retry_ms_;
};

}  // namespace seedgate::upstream

#endif  // SEEDGATE_SERVER_UPSTREAM_SSE_PARSER_H_
