#include "server/upstream/stream_decoder.h"

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/translate/response_json.h"
#include "server/translate/text_excerpt.h"
#include "server/translate/upstream_error.h"

namespace seedgate::upstream {
namespace {

// Raw upstream bytes become part of a status message, which must be valid
// UTF-8 (protobuf refuses to parse a google.rpc.Status that is not) and short.
constexpr size_t kExcerptBytes = 120;

std::string Excerpt(absl::string_view text) { return translate::SingleLine(text, kExcerptBytes); }

StreamEvent Error(absl::Status status) {
  StreamEvent result;
  result.kind = StreamEvent::Kind::kError;
  result.error = std::move(status);
  return result;
}

}  // namespace

StreamEvent DecodeStreamEvent(const SseEvent& event) {
  absl::string_view data = absl::StripAsciiWhitespace(event.data);
  if (event.type == "error") {
    nlohmann::json payload = nlohmann::json::parse(data, nullptr, /*allow_exceptions=*/false);
    if (payload.is_discarded()) payload = nlohmann::json{{"error", {{"message", Excerpt(data)}}}};
    return Error(translate::UpstreamErrorToStatus(translate::ParseStreamError(payload)));
  }
  if (data.empty()) return StreamEvent{};
  if (data == "[DONE]") {
    StreamEvent done;
    done.kind = StreamEvent::Kind::kDone;
    return done;
  }
  nlohmann::json payload = nlohmann::json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded()) {
    return Error(translate::MalformedUpstreamResponse(
        absl::StrCat("stream event is not JSON: ", Excerpt(data))));
  }
  if (payload.is_object() && payload.contains("error") && !payload["error"].is_null()) {
    return Error(translate::UpstreamErrorToStatus(translate::ParseStreamError(payload)));
  }
  auto chunk = translate::ChunkFromJson(payload);
  if (!chunk.ok()) return Error(chunk.status());
  StreamEvent result;
  result.kind = StreamEvent::Kind::kChunk;
  result.chunk = *std::move(chunk);
  return result;
}

}  // namespace seedgate::upstream
