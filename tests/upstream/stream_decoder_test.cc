// What each kind of upstream stream event becomes.

#include "server/upstream/stream_decoder.h"

#include <gtest/gtest.h>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "server/translate/status_details.h"

namespace seedgate::upstream {
namespace {

SseEvent Data(std::string data, std::string type = "message") {
  SseEvent event;
  event.type = std::move(type);
  event.data = std::move(data);
  return event;
}

std::string Reason(const absl::Status& status) {
  google::rpc::ErrorInfo info;
  translate::GetDetail(status, &info);
  return info.reason();
}

TEST(StreamDecoderTest, ChunkDoneAndKeepAlive) {
  StreamEvent chunk = DecodeStreamEvent(Data(
      R"({"id":"c1","object":"chat.completion.chunk","created":1,"model":"m",)"
      R"("choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]})"));
  ASSERT_EQ(chunk.kind, StreamEvent::Kind::kChunk);
  EXPECT_EQ(chunk.chunk.choices(0).delta().content(), "Hi");

  EXPECT_EQ(DecodeStreamEvent(Data("[DONE]")).kind, StreamEvent::Kind::kDone);
  EXPECT_EQ(DecodeStreamEvent(Data(" [DONE] ")).kind, StreamEvent::Kind::kDone);
  EXPECT_EQ(DecodeStreamEvent(Data("")).kind, StreamEvent::Kind::kIgnore);
}

TEST(StreamDecoderTest, ErrorEventIsMappedLikeAnHttpError) {
  StreamEvent event = DecodeStreamEvent(
      Data(R"({"error":{"code":429,"message":"Rate limit exceeded","type":"rate_limit_error"}})",
           "error"));
  ASSERT_EQ(event.kind, StreamEvent::Kind::kError);
  EXPECT_EQ(event.error.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(Reason(event.error), "RATE_LIMIT_ERROR");
}

TEST(StreamDecoderTest, ErrorEventWithTextDataIsStillAnError) {
  StreamEvent event = DecodeStreamEvent(Data("upstream overloaded", "error"));
  ASSERT_EQ(event.kind, StreamEvent::Kind::kError);
  EXPECT_FALSE(event.error.ok());
  EXPECT_NE(std::string(event.error.message()).find("upstream overloaded"), std::string::npos);
}

// Found by tests/fuzz: raw bytes must not make the status message invalid
// UTF-8, or no client can decode the google.rpc.Status carrying it.
TEST(StreamDecoderTest, ErrorMessagesStayValidUtf8) {
  for (const std::string& data :
       {std::string("\xb4"), std::string(119, 'a') + "\xc3\xa9\xc3\xa9\xc3\xa9",
        std::string("not json \xff\xfe")}) {
    for (const char* type : {"error", "message"}) {
      StreamEvent event = DecodeStreamEvent(Data(data, type));
      ASSERT_EQ(event.kind, StreamEvent::Kind::kError);
      google::rpc::Status status;
      status.set_message(std::string(event.error.message()));
      google::rpc::Status parsed;
      EXPECT_TRUE(parsed.ParseFromString(status.SerializeAsString()))
          << "message is not valid UTF-8: " << event.error.message();
    }
  }
}

TEST(StreamDecoderTest, ErrorObjectInADataLineIsAnError) {
  StreamEvent event = DecodeStreamEvent(
      Data(R"({"error":{"code":500,"message":"boom","type":"internal_server_error"}})"));
  ASSERT_EQ(event.kind, StreamEvent::Kind::kError);
  EXPECT_EQ(event.error.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(Reason(event.error), "INTERNAL_SERVER_ERROR");
}

TEST(StreamDecoderTest, NonJsonDataIsAMalformedResponse) {
  StreamEvent event = DecodeStreamEvent(Data(R"({"id":"c1","choices":[{"delta":)"));
  ASSERT_EQ(event.kind, StreamEvent::Kind::kError);
  EXPECT_EQ(event.error.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(Reason(event.error), "MALFORMED_UPSTREAM_RESPONSE");
}

TEST(StreamDecoderTest, WrongShapeIsAMalformedResponse) {
  StreamEvent event = DecodeStreamEvent(Data(R"({"choices":"not a list"})"));
  ASSERT_EQ(event.kind, StreamEvent::Kind::kError);
  EXPECT_EQ(Reason(event.error), "MALFORMED_UPSTREAM_RESPONSE");
}

}  // namespace
}  // namespace seedgate::upstream
