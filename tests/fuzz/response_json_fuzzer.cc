// libFuzzer target for the upstream's 200 answers: server/translate/
// response_json.h (CompletionFromJson, ChunkFromJson) and
// server/upstream/stream_decoder.h (DecodeStreamEvent).
//
// The input is an upstream body / SSE `data` payload. Properties checked:
//   - nothing crashes or throws, whatever the JSON;
//   - a proto produced from JSON serializes and parses back (its strings are
//     valid UTF-8, as proto3 requires);
//   - an error status has a valid UTF-8 message (it becomes
//     google.rpc.Status.message, a proto3 string) and an ErrorInfo detail;
//   - DecodeStreamEvent on a JSON chunk agrees with ChunkFromJson.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/ascii.h"
#include "google/rpc/error_details.pb.h"
#include "server/translate/response_json.h"
#include "server/translate/status_details.h"
#include "server/upstream/stream_decoder.h"
#include "tests/fuzz/fuzz_check.h"

namespace seedgate::fuzz {
namespace {

void CheckErrorStatus(const absl::Status& status) {
  FUZZ_CHECK(!status.ok(), "");
  const std::string message(status.message());
  FUZZ_CHECK(IsValidUtf8(message), message);
  google::rpc::ErrorInfo info;
  FUZZ_CHECK(translate::GetDetail(status, &info), message);
  FUZZ_CHECK(!info.reason().empty(), message);
}

template <typename Message>
void CheckRoundTrip(const Message& message) {
  const std::string wire = message.SerializeAsString();
  Message parsed;
  FUZZ_CHECK(parsed.ParseFromString(wire), message.ShortDebugString());
  FUZZ_CHECK(parsed.SerializeAsString() == wire, "");
}

void CheckEvent(const upstream::StreamEvent& event) {
  if (event.kind == upstream::StreamEvent::Kind::kError) CheckErrorStatus(event.error);
  if (event.kind == upstream::StreamEvent::Kind::kChunk) CheckRoundTrip(event.chunk);
}

}  // namespace
}  // namespace seedgate::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace seedgate;
  using fuzz::CheckErrorStatus;
  using fuzz::CheckRoundTrip;
  const std::string text(reinterpret_cast<const char*>(data), size);

  const nlohmann::json body = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!body.is_discarded()) {
    auto completion = translate::CompletionFromJson(body);
    if (completion.ok()) {
      CheckRoundTrip(*completion);
    } else {
      CheckErrorStatus(completion.status());
    }
    auto chunk = translate::ChunkFromJson(body);
    if (chunk.ok()) {
      CheckRoundTrip(*chunk);
    } else {
      CheckErrorStatus(chunk.status());
    }
  }

  // The same bytes as the data of an SSE event, of the default type and as
  // `event: error`.
  upstream::SseEvent event;
  event.data = text;
  const upstream::StreamEvent decoded = upstream::DecodeStreamEvent(event);
  fuzz::CheckEvent(decoded);
  if (decoded.kind == upstream::StreamEvent::Kind::kChunk) {
    // Only JSON that is a chunk (and not an error) gets here. The decoder
    // strips ASCII whitespace (also \v and \f, which JSON does not skip).
    const absl::string_view stripped = absl::StripAsciiWhitespace(text);
    auto chunk = translate::ChunkFromJson(nlohmann::json::parse(
        stripped.begin(), stripped.end(), nullptr, /*allow_exceptions=*/false));
    FUZZ_CHECK(chunk.ok(), "");
    FUZZ_CHECK(chunk->SerializeAsString() == decoded.chunk.SerializeAsString(), "");
  }
  event.type = "error";
  const upstream::StreamEvent error = upstream::DecodeStreamEvent(event);
  FUZZ_CHECK(error.kind == upstream::StreamEvent::Kind::kError, "");
  CheckErrorStatus(error.error);
  return 0;
}
