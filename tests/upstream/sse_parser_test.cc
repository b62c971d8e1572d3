#include "server/upstream/sse_parser.h"

#include <cstdint>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace seedgate::upstream {

// gtest prints failures with these.
bool operator==(const SseEvent& a, const SseEvent& b) {
  return a.type == b.type && a.data == b.data && a.id == b.id;
}
void PrintTo(const SseEvent& e, std::ostream* os) {
  *os << "{type=\"" << e.type << "\" data=\"" << e.data << "\" id=\"" << e.id << "\"}";
}

namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Everything a stream leaves behind, so that differently split feeds can be
// compared as a whole.
struct Outcome {
  std::vector<SseEvent> events;
  std::optional<int64_t> retry_ms;
  bool partial = false;

  bool operator==(const Outcome& o) const {
    return events == o.events && retry_ms == o.retry_ms && partial == o.partial;
  }
};

void PrintTo(const Outcome& o, std::ostream* os) {
  *os << "{" << o.events.size() << " events, retry=" << (o.retry_ms ? *o.retry_ms : -1)
      << ", partial=" << o.partial << "}";
}

Outcome FeedChunks(const std::vector<std::string_view>& chunks) {
  SseParser parser;
  Outcome out;
  for (std::string_view chunk : chunks) {
    parser.Feed(chunk, [&](SseEvent&& e) { out.events.push_back(std::move(e)); });
  }
  out.retry_ms = parser.retry_ms();
  out.partial = parser.EndOfStreamHadPartialEvent();
  return out;
}

Outcome FeedWhole(std::string_view stream) { return FeedChunks({stream}); }

SseEvent Event(std::string type, std::string data, std::string id) {
  SseEvent e;
  e.type = std::move(type);
  e.data = std::move(data);
  e.id = std::move(id);
  return e;
}

// A realistic chat-completions stream, LF line ends, starting with a BOM so
// that splits also cut through it.
const std::string& LfTranscript() {
  static const std::string* const kTranscript = new std::string(
      "\xEF\xBB\xBF"
      ": keep-alive\n"
      "retry: 3000\n"
      "id: 1\n"
      "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n"
      "\n"
      ": keep-alive\n"
      "\n"
      "id: 2\n"
      "data:{\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"你好 👋\"}}]}\n"
      "\n"
      "data: line one\n"
      "data:  two leading spaces keep one\n"
      "data\n"
      "\n"
      "event: error\n"
      "data: {\"error\":{\"message\":\"rate limited\",\"type\":\"rate_limit\"}}\n"
      "\n"
      "id\n"
      "data: after an empty id\n"
      "\n"
      "retry: 12a\n"
      "event: ping\n"
      "\n"
      "data: [DONE]\n"
      "\n");
  return *kTranscript;
}

std::vector<SseEvent> TranscriptEvents() {
  return {
      Event("message", R"({"id":"c1","choices":[{"delta":{"role":"assistant"}}]})", "1"),
      Event("message", R"({"id":"c1","choices":[{"delta":{"content":"你好 👋"}}]})", "2"),
      Event("message", "line one\n two leading spaces keep one\n", "2"),
      Event("error", R"({"error":{"message":"rate limited","type":"rate_limit"}})", "2"),
      Event("message", "after an empty id", ""),
      Event("message", "[DONE]", ""),
  };
}

std::string WithLineEnds(const std::string& lf_stream, std::string_view line_end) {
  std::string out;
  for (char c : lf_stream) {
    if (c == '\n') {
      out.append(line_end.data(), line_end.size());
    } else {
      out.push_back(c);
    }
  }
  return out;
}

struct Variant {
  const char* name;
  const char* line_end;
};

void PrintTo(const Variant& v, std::ostream* os) { *os << v.name; }

class TranscriptTest : public ::testing::TestWithParam<Variant> {
 protected:
  std::string Stream() const { return WithLineEnds(LfTranscript(), GetParam().line_end); }
};

TEST_P(TranscriptTest, WholeFeedGivesTheExpectedEvents) {
  const Outcome out = FeedWhole(Stream());
  EXPECT_EQ(out.events, TranscriptEvents());
  EXPECT_EQ(out.retry_ms, 3000);
  EXPECT_FALSE(out.partial);
}

TEST_P(TranscriptTest, EveryTwoWaySplitMatchesTheWholeFeed) {
  const std::string stream = Stream();
  const Outcome whole = FeedWhole(stream);
  const std::string_view s = stream;
  for (size_t i = 0; i <= s.size(); ++i) {
    ASSERT_EQ(FeedChunks({s.substr(0, i), s.substr(i)}), whole) << "split at " << i;
  }
}

TEST_P(TranscriptTest, ByteByByteMatchesTheWholeFeed) {
  const std::string stream = Stream();
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < stream.size(); ++i) bytes.push_back(std::string_view(stream).substr(i, 1));
  EXPECT_EQ(FeedChunks(bytes), FeedWhole(stream));
}

TEST_P(TranscriptTest, RandomSplitsMatchTheWholeFeed) {
  const std::string stream = Stream();
  const Outcome whole = FeedWhole(stream);
  std::mt19937 rng(20240611);  // fixed: a failure must be reproducible
  std::uniform_int_distribution<size_t> chunk_size(0, 40);
  for (int round = 0; round < 500; ++round) {
    std::vector<std::string_view> chunks;
    for (size_t pos = 0; pos < stream.size();) {
      const size_t n = std::min(chunk_size(rng), stream.size() - pos);
      chunks.push_back(std::string_view(stream).substr(pos, n));  // empty chunks too
      pos += n;
    }
    ASSERT_EQ(FeedChunks(chunks), whole) << "round " << round;
  }
}

TEST_P(TranscriptTest, EveryThreeWaySplitOfAShortStreamMatchesTheWholeFeed) {
  const std::string stream = WithLineEnds(
      "\xEF\xBB\xBF: hi\nid: 7\nretry: 5\ndata: 你好\ndata:🙂\n\nevent: x\ndata\n\n",
      GetParam().line_end);
  const Outcome whole = FeedWhole(stream);
  ASSERT_THAT(whole.events,
              ElementsAre(Event("message", "你好\n🙂", "7"), Event("x", "", "7")));
  const std::string_view s = stream;
  for (size_t i = 0; i <= s.size(); ++i) {
    for (size_t j = i; j <= s.size(); ++j) {
      ASSERT_EQ(FeedChunks({s.substr(0, i), s.substr(i, j - i), s.substr(j)}), whole)
          << "split at " << i << ", " << j;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(LineEnds, TranscriptTest,
                         ::testing::Values(Variant{"Lf", "\n"}, Variant{"CrLf", "\r\n"},
                                           Variant{"Cr", "\r"}),
                         [](const auto& info) { return std::string(info.param.name); });

// Each rule of "Interpreting an event stream" on its own.

TEST(SseParserTest, LeadingBomIsSkipped) {
  EXPECT_THAT(FeedWhole("\xEF\xBB\xBF"
                        "data: a\n\n")
                  .events,
              ElementsAre(Event("message", "a", "")));
}

TEST(SseParserTest, BomSplitAcrossFeedsIsSkipped) {
  EXPECT_THAT(FeedChunks({"\xEF", "\xBB", "\xBF", "data: a\n\n"}).events,
              ElementsAre(Event("message", "a", "")));
}

TEST(SseParserTest, OnlyTheFirstBomIsSkipped) {
  // The second one becomes part of the field name, so the field is unknown.
  EXPECT_THAT(FeedWhole("\xEF\xBB\xBF\xEF\xBB\xBF"
                        "data: a\n\n")
                  .events,
              IsEmpty());
}

TEST(SseParserTest, StartOfABomThatIsNotOneIsKeptAsText) {
  // "\xEF\xBB" then "data" is the unknown field "\xEF\xBBdata": no event, but
  // the held bytes were not lost.
  EXPECT_THAT(FeedChunks({"\xEF\xBB", "data: a\n\n"}).events, IsEmpty());
  EXPECT_TRUE(FeedChunks({"\xEF"}).partial);
  EXPECT_FALSE(FeedChunks({"\xEF\xBB", "\xBF"}).partial);
}

TEST(SseParserTest, CrAtTheEndOfAFeedAndLfAtTheStartOfTheNextAreOneLineEnd) {
  // Were the LF a second line end, it would dispatch "a" and "b" separately.
  EXPECT_THAT(FeedChunks({"data: a\r", "\ndata: b\r\n\r\n"}).events,
              ElementsAre(Event("message", "a\nb", "")));
}

TEST(SseParserTest, BareCrEndsALine) {
  EXPECT_THAT(FeedWhole("data: a\rdata: b\r\r").events, ElementsAre(Event("message", "a\nb", "")));
}

TEST(SseParserTest, MixedLineEnds) {
  EXPECT_THAT(FeedWhole("data: a\r\ndata: b\rdata: c\n\r\n").events,
              ElementsAre(Event("message", "a\nb\nc", "")));
}

TEST(SseParserTest, DataWithoutColonDispatchesEmptyData) {
  EXPECT_THAT(FeedWhole("data\n\n").events, ElementsAre(Event("message", "", "")));
  EXPECT_THAT(FeedWhole("data:\n\n").events, ElementsAre(Event("message", "", "")));
}

TEST(SseParserTest, OnlyOneLeadingSpaceIsRemoved) {
  EXPECT_THAT(FeedWhole("data:  a \n\n").events, ElementsAre(Event("message", " a ", "")));
  EXPECT_THAT(FeedWhole("data:a\n\n").events, ElementsAre(Event("message", "a", "")));
}

TEST(SseParserTest, ColonsAfterTheFirstBelongToTheValue) {
  EXPECT_THAT(FeedWhole("data: a: b\n\n").events, ElementsAre(Event("message", "a: b", "")));
}

TEST(SseParserTest, CommentsAreIgnored) {
  EXPECT_THAT(FeedWhole(": keep-alive\n:\n\ndata: a\n: inside\n\n").events,
              ElementsAre(Event("message", "a", "")));
}

TEST(SseParserTest, EventWithoutDataIsNotDispatchedAndItsTypeIsForgotten) {
  EXPECT_THAT(FeedWhole("event: ping\n\ndata: a\n\n").events,
              ElementsAre(Event("message", "a", "")));
}

TEST(SseParserTest, EventTypeAppliesToItsEventOnly) {
  EXPECT_THAT(FeedWhole("event: error\ndata: a\n\ndata: b\n\n").events,
              ElementsAre(Event("error", "a", ""), Event("message", "b", "")));
}

TEST(SseParserTest, UnknownAndCaseMismatchedFieldsAreIgnored) {
  EXPECT_THAT(FeedWhole("Data: x\nfoo: y\ndata: a\n\n").events,
              ElementsAre(Event("message", "a", "")));
}

TEST(SseParserTest, IdPersistsAcrossEvents) {
  EXPECT_THAT(FeedWhole("id: 5\ndata: a\n\ndata: b\n\n").events,
              ElementsAre(Event("message", "a", "5"), Event("message", "b", "5")));
}

TEST(SseParserTest, IdOfAnEventWithoutDataStillCounts) {
  EXPECT_THAT(FeedWhole("id: 9\n\ndata: c\n\n").events, ElementsAre(Event("message", "c", "9")));
}

TEST(SseParserTest, EmptyIdResetsIt) {
  EXPECT_THAT(FeedWhole("id: 5\ndata: a\n\nid\ndata: b\n\n").events,
              ElementsAre(Event("message", "a", "5"), Event("message", "b", "")));
}

TEST(SseParserTest, IdWithNulIsIgnored) {
  using std::string_literals::operator""s;
  EXPECT_THAT(FeedWhole("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n"s).events,
              ElementsAre(Event("message", "a", "1"), Event("message", "b", "1")));
}

TEST(SseParserTest, RetryTakesOnlyDigits) {
  EXPECT_EQ(FeedWhole("retry: 1500\n").retry_ms, 1500);
  for (const char* bad : {"retry: 15x\n", "retry: -1\n", "retry: +1\n", "retry:  15\n", "retry:\n",
                          "retry: 1.5\n", "retry: 99999999999999999999999\n"}) {
    EXPECT_EQ(FeedWhole(bad).retry_ms, std::nullopt) << bad;
  }
  // A bad value leaves the previous one in place.
  EXPECT_EQ(FeedWhole("retry: 10\nretry: x\n").retry_ms, 10);
}

TEST(SseParserTest, TruncatedStreamIsReported) {
  EXPECT_TRUE(FeedWhole("data: a\n").partial);
  EXPECT_TRUE(FeedWhole("data: a").partial);
  EXPECT_TRUE(FeedWhole("event: x\n").partial);
  EXPECT_TRUE(FeedWhole("data: a\n\n: keep-al").partial);  // an unterminated line
  EXPECT_FALSE(FeedWhole("data: a\n\n").partial);
  EXPECT_FALSE(FeedWhole("data: a\n\n: keep-alive\n").partial);
  EXPECT_FALSE(FeedWhole("").partial);
}

TEST(SseParserTest, TruncatedEventIsNotDispatched) {
  EXPECT_THAT(FeedWhole("data: a\n\ndata: b\n").events, ElementsAre(Event("message", "a", "")));
}

TEST(SseParserTest, EndOfStreamResetsForTheNextStream) {
  SseParser parser;
  std::vector<SseEvent> events;
  auto collect = [&](SseEvent&& e) { events.push_back(std::move(e)); };
  parser.Feed("id: 3\nretry: 7\n\nevent: x\ndata: lost", collect);
  EXPECT_TRUE(parser.EndOfStreamHadPartialEvent());
  EXPECT_FALSE(parser.EndOfStreamHadPartialEvent());
  // The new stream may start with its own BOM; the id and retry survive, as
  // they would across an EventSource reconnection.
  parser.Feed(
      "\xEF\xBB\xBF"
      "data: b\n\n",
      collect);
  EXPECT_THAT(events, ElementsAre(Event("message", "b", "3")));
  EXPECT_EQ(parser.retry_ms(), 7);
}

TEST(SseParserTest, LongLineSplitIntoManyFeeds) {
  const std::string payload(1 << 20, 'x');
  const std::string stream = "data: " + payload + "\n\n";
  std::vector<std::string_view> chunks;
  for (size_t pos = 0; pos < stream.size(); pos += 1000) {
    chunks.push_back(std::string_view(stream).substr(pos, 1000));
  }
  EXPECT_THAT(FeedChunks(chunks).events, ElementsAre(Event("message", payload, "")));
}

}  // namespace
}  // namespace seedgate::upstream
