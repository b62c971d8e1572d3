#ifndef SEEDGATE_SERVER_UPSTREAM_STREAM_DECODER_H_
#define SEEDGATE_SERVER_UPSTREAM_STREAM_DECODER_H_

#include "absl/status/status.h"
#include "seedgate/v1/chat.pb.h"
#include "server/upstream/sse_parser.h"

namespace seedgate::upstream {

// What one server-sent event of an upstream chat stream means.
struct StreamEvent {
  enum class Kind {
    kChunk,   // a chat.completion.chunk, in `chunk`
    kDone,    // `data: [DONE]`: the answer is complete
    kError,   // the upstream reported an error, or sent something unreadable
    kIgnore,  // an event with no data (a keep-alive)
  };
  Kind kind = Kind::kIgnore;
  v1::ChatCompletionChunk chunk;
  absl::Status error;
};

// `event: error`, and a data payload holding `{"error": ...}`, are errors
// mapped like HTTP errors; a payload that is not JSON, or not a chunk, is a
// malformed upstream response.
StreamEvent DecodeStreamEvent(const SseEvent& event);

}  // namespace seedgate::upstream

#endif  // SEEDGATE_SERVER_UPSTREAM_STREAM_DECODER_H_
