// libFuzzer target for server/upstream/sse_parser.h.
//
// The input is a byte stream followed by a few bytes (taken from its end by
// FuzzedDataProvider) choosing up to 8 split points. Properties checked:
//   1. Feeding the stream whole gives exactly what an independent, naive
//      reading of the WHATWG rules (below) gives: events, retry, and whether
//      the stream ended inside an event.
//   2. Feeding it in the fuzzer-chosen pieces, and one byte at a time, gives
//      the same outcome as feeding it whole.
//   3. After EndOfStreamHadPartialEvent() the same parser reads the stream
//      again as a new stream, keeping only the last event id and retry.
// Each piece is copied into its own heap buffer so that ASan catches a read
// past the end of a feed.

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/upstream/sse_parser.h"
#include "tests/fuzz/fuzz_check.h"

namespace seedgate::fuzz {
namespace {

using upstream::SseEvent;
using upstream::SseParser;

struct Outcome {
  std::vector<SseEvent> events;
  std::optional<int64_t> retry_ms;
  bool partial = false;
};

bool SameEvents(const std::vector<SseEvent>& a, const std::vector<SseEvent>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].type != b[i].type || a[i].data != b[i].data || a[i].id != b[i].id) return false;
  }
  return true;
}

std::string Describe(const Outcome& o) {
  std::string s = std::to_string(o.events.size()) +
                  " events, retry=" + (o.retry_ms ? std::to_string(*o.retry_ms) : "none") +
                  ", partial=" + (o.partial ? "true" : "false");
  for (const SseEvent& e : o.events) {
    s += "\n    {type=" + std::to_string(e.type.size()) +
         "B data=" + std::to_string(e.data.size()) + "B id=" + std::to_string(e.id.size()) + "B}";
  }
  return s;
}

void CheckSame(const Outcome& expected, const Outcome& actual, const char* what) {
  const bool same = SameEvents(expected.events, actual.events) &&
                    expected.retry_ms == actual.retry_ms && expected.partial == actual.partial;
  if (!same) {
    CheckFailed(__FILE__, __LINE__, what,
                "expected " + Describe(expected) + "\n  actual " + Describe(actual));
  }
}

// Feeds `pieces` in order to `parser`, each from a buffer of its own size.
Outcome Run(SseParser& parser, const std::vector<std::string_view>& pieces) {
  Outcome out;
  for (std::string_view piece : pieces) {
    std::unique_ptr<char[]> copy(new char[std::max<size_t>(piece.size(), 1)]);
    std::copy(piece.begin(), piece.end(), copy.get());
    parser.Feed(std::string_view(copy.get(), piece.size()), [&](SseEvent&& event) {
      // Whatever the bytes, an event has a type, and no field holds a line
      // end (nor an id a NUL).
      FUZZ_CHECK(!event.type.empty(), "");
      FUZZ_CHECK(event.type.find_first_of("\r\n") == std::string::npos, event.type);
      FUZZ_CHECK(event.data.find('\r') == std::string::npos, "");
      FUZZ_CHECK(event.id.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos, "");
      out.events.push_back(std::move(event));
    });
  }
  out.retry_ms = parser.retry_ms();
  out.partial = parser.EndOfStreamHadPartialEvent();
  return out;
}

// The standard's algorithm, read naively over the whole stream at once.
struct ReferenceResult {
  Outcome outcome;
  std::string last_event_id;
};

ReferenceResult Reference(std::string_view stream, std::string last_event_id,
                          std::optional<int64_t> retry_ms) {
  ReferenceResult result;
  Outcome& out = result.outcome;
  out.retry_ms = retry_ms;
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (stream.substr(0, kBom.size()) == kBom) {
    stream.remove_prefix(kBom.size());
  } else if (!stream.empty() && kBom.substr(0, stream.size()) == stream) {
    // Only the start of a BOM: the stream ended before it could be decided.
    out.partial = true;
    result.last_event_id = std::move(last_event_id);
    return result;
  }
  std::string type, data;
  bool pending = false;
  size_t pos = 0;
  while (true) {
    size_t end = pos;
    while (end < stream.size() && stream[end] != '\r' && stream[end] != '\n') ++end;
    if (end == stream.size()) break;  // unterminated: not a line (yet)
    const std::string_view line = stream.substr(pos, end - pos);
    pos = end + 1;
    if (stream[end] == '\r' && pos < stream.size() && stream[pos] == '\n') ++pos;

    if (line.empty()) {
      pending = false;
      if (!data.empty()) {
        data.pop_back();
        SseEvent event;
        event.type = type.empty() ? "message" : type;
        event.data = data;
        event.id = last_event_id;
        out.events.push_back(std::move(event));
      }
      type.clear();
      data.clear();
      continue;
    }
    if (line[0] == ':') continue;
    std::string_view field = line, value;
    if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
      field = line.substr(0, colon);
      value = line.substr(colon + 1);
      if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
    }
    pending = true;
    if (field == "event") {
      type = std::string(value);
    } else if (field == "data") {
      data += std::string(value) + "\n";
    } else if (field == "id") {
      if (value.find('\0') == std::string_view::npos) last_event_id = std::string(value);
    } else if (field == "retry") {
      bool digits = !value.empty();
      unsigned __int128 n = 0;
      for (char c : value) {
        if (c < '0' || c > '9') digits = false;
        if (digits && n <= INT64_MAX) n = n * 10 + static_cast<unsigned>(c - '0');
      }
      if (digits && n <= INT64_MAX) out.retry_ms = static_cast<int64_t>(n);
    }
  }
  out.partial = pos < stream.size() || pending || !data.empty();
  result.last_event_id = std::move(last_event_id);
  return result;
}

}  // namespace
}  // namespace seedgate::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace seedgate::fuzz;
  FuzzedDataProvider provider(data, size);
  const int split_count = provider.ConsumeIntegralInRange<int>(0, 8);
  std::vector<size_t> splits;
  for (int i = 0; i < split_count; ++i) splits.push_back(provider.ConsumeIntegral<uint16_t>());
  const std::string stream = provider.ConsumeRemainingBytesAsString();
  for (size_t& split : splits) split %= stream.size() + 1;
  std::sort(splits.begin(), splits.end());

  std::vector<std::string_view> pieces;
  size_t start = 0;
  for (size_t split : splits) {
    pieces.push_back(std::string_view(stream).substr(start, split - start));
    start = split;
  }
  pieces.push_back(std::string_view(stream).substr(start));

  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < stream.size(); ++i) bytes.push_back(std::string_view(stream).substr(i, 1));

  const ReferenceResult expected = Reference(stream, "", std::nullopt);

  seedgate::upstream::SseParser whole_parser;
  const Outcome whole = Run(whole_parser, {stream});
  CheckSame(expected.outcome, whole, "whole feed == reference");

  seedgate::upstream::SseParser split_parser;
  CheckSame(whole, Run(split_parser, pieces), "split feed == whole feed");

  seedgate::upstream::SseParser byte_parser;
  CheckSame(whole, Run(byte_parser, bytes), "byte-by-byte feed == whole feed");

  // The same parser reads the stream again as a new stream (a reconnection):
  // only the last event id and the retry carry over.
  const ReferenceResult again =
      Reference(stream, expected.last_event_id, expected.outcome.retry_ms);
  CheckSame(again.outcome, Run(split_parser, pieces), "second stream == reference");
  return 0;
}
