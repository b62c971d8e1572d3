#include "server/upstream/sse_parser.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"

namespace seedgate::upstream {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// The position of the next '\r' or '\n' at or after `from`, or npos. memchr
// for each byte separately is much faster than a per-byte two-way compare;
// the caller keeps the results so each byte is scanned at most twice overall.
size_t FindByte(std::string_view s, size_t from, char c) {
  if (from >= s.size()) return std::string_view::npos;
  const void* hit = std::memchr(s.data() + from, c, s.size() - from);
  return hit == nullptr ? std::string_view::npos
                        : static_cast<size_t>(static_cast<const char*>(hit) - s.data());
}

// The standard's "only ASCII digits" value; nullopt for anything else,
// including a number too large to hold (absl::SimpleAtoi also accepts signs
// and spaces, so it is not used; this Debian absl also has its own
// string_view).
std::optional<int64_t> ParseDigits(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t n = 0;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    const int digit = c - '0';
    if (n > (std::numeric_limits<int64_t>::max() - digit) / 10) return std::nullopt;
    n = n * 10 + digit;
  }
  return n;
}

}  // namespace

void SseParser::Feed(std::string_view bytes, absl::FunctionRef<void(SseEvent&&)> on_event) {
  if (at_stream_start_) bytes = SkipBom(bytes, on_event);
  FeedLines(bytes, on_event);
}

std::string_view SseParser::SkipBom(std::string_view bytes,
                                    absl::FunctionRef<void(SseEvent&&)> on_event) {
  while (!bytes.empty()) {
    if (bytes.front() != kBom[bom_prefix_.size()]) {
      // Not a BOM after all: what looked like its start is ordinary text
      // (it holds no line end, so it only starts the first line).
      at_stream_start_ = false;
      std::string held = std::move(bom_prefix_);
      bom_prefix_.clear();
      FeedLines(held, on_event);
      return bytes;
    }
    bom_prefix_.push_back(bytes.front());
    bytes.remove_prefix(1);
    if (bom_prefix_.size() == kBom.size()) {
      at_stream_start_ = false;
      bom_prefix_.clear();
      return bytes;
    }
  }
  return bytes;  // all of it was (part of) a BOM; decide on the next feed
}

void SseParser::FeedLines(std::string_view bytes, absl::FunctionRef<void(SseEvent&&)> on_event) {
  size_t pos = 0;
  // A CR ended the previous feed: an LF here belongs to that line end.
  if (after_cr_ && !bytes.empty()) {
    after_cr_ = false;
    if (bytes.front() == '\n') pos = 1;
  }
  // Cached positions of the next CR and LF, so that a stream with only LF
  // line ends does not rescan for a CR on every line.
  size_t next_cr = FindByte(bytes, pos, '\r');
  size_t next_lf = FindByte(bytes, pos, '\n');
  while (pos < bytes.size()) {
    if (next_cr != std::string_view::npos && next_cr < pos) next_cr = FindByte(bytes, pos, '\r');
    if (next_lf != std::string_view::npos && next_lf < pos) next_lf = FindByte(bytes, pos, '\n');
    const size_t end = std::min(next_cr, next_lf);
    if (end == std::string_view::npos) {
      line_.append(bytes.data() + pos, bytes.size() - pos);  // only the unterminated tail
      return;
    }
    std::string_view piece = bytes.substr(pos, end - pos);
    if (line_.empty()) {
      ProcessLine(piece, on_event);  // the whole line is in this chunk: no copy
    } else {
      line_.append(piece.data(), piece.size());
      ProcessLine(line_, on_event);
      line_.clear();  // keeps its capacity for the next split line
    }
    pos = end + 1;
    if (bytes[end] == '\r') {
      if (pos == bytes.size()) {
        after_cr_ = true;
      } else if (bytes[pos] == '\n') {
        ++pos;
      }
    }
  }
}

void SseParser::ProcessLine(std::string_view line, absl::FunctionRef<void(SseEvent&&)> on_event) {
  if (line.empty()) {
    DispatchEvent(on_event);
    return;
  }
  if (line.front() == ':') return;  // a comment, e.g. a keep-alive
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    ProcessField(line, std::string_view());
    return;
  }
  std::string_view value = line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  ProcessField(line.substr(0, colon), value);
}

void SseParser::ProcessField(std::string_view field, std::string_view value) {
  // Even an unknown field means an event was being sent, so a stream ending
  // here was cut short.
  pending_fields_ = true;
  if (field == "data") {
    data_.append(value.data(), value.size());
    data_.push_back('\n');
  } else if (field == "event") {
    event_type_.assign(value.data(), value.size());
  } else if (field == "id") {
    // The standard ignores an id with NUL: it could not be sent back in a
    // Last-Event-ID header.
    if (value.find('\0') == std::string_view::npos)
      last_event_id_.assign(value.data(), value.size());
  } else if (field == "retry") {
    if (std::optional<int64_t> ms = ParseDigits(value)) retry_ms_ = ms;
  }
}

void SseParser::DispatchEvent(absl::FunctionRef<void(SseEvent&&)> on_event) {
  pending_fields_ = false;
  if (data_.empty()) {
    // No data: nothing is dispatched, but the type is still forgotten.
    event_type_.clear();
    return;
  }
  data_.pop_back();  // the LF after the last data line
  SseEvent event;
  if (!event_type_.empty()) event.type = std::move(event_type_);
  event.data = std::move(data_);
  event.id = last_event_id_;
  event_type_.clear();
  data_.clear();
  on_event(std::move(event));
}

bool SseParser::EndOfStreamHadPartialEvent() {
  const bool partial = !line_.empty() || !bom_prefix_.empty() || !data_.empty() || pending_fields_;
  line_.clear();
  after_cr_ = false;
  at_stream_start_ = true;
  bom_prefix_.clear();
  event_type_.clear();
  data_.clear();
  pending_fields_ = false;
  return partial;
}

}  // namespace seedgate::upstream
