#ifndef SEEDGATE_SERVER_TRANSLATE_RESPONSE_JSON_H_
#define SEEDGATE_SERVER_TRANSLATE_RESPONSE_JSON_H_

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "seedgate/v1/chat.pb.h"

namespace seedgate::translate {

// An upstream `chat.completion` body. Unknown fields are ignored; unknown enum
// strings become *_UNSPECIFIED; JSON null is the same as absent (so
// `"content": null` leaves the optional content unset). Integers may come as
// floats (`12.0`) or numeric strings; a choice or tool-call fragment without
// `index` gets its position in the array; tool-call `arguments` sent as a JSON
// object are kept as its JSON text. Fails (see MalformedUpstreamResponse in
// upstream_error.h, the message naming the member, e.g.
// `choices[0].message is string, expected an object`) only when the body is
// not an object or a known field has a JSON type that cannot be read as
// documented.
absl::StatusOr<v1::ChatCompletion> CompletionFromJson(const nlohmann::json& body);

// One upstream `chat.completion.chunk` SSE payload, with the same leniency.
absl::StatusOr<v1::ChatCompletionChunk> ChunkFromJson(const nlohmann::json& body);

}  // namespace seedgate::translate

#endif  // SEEDGATE_SERVER_TRANSLATE_RESPONSE_JSON_H_
