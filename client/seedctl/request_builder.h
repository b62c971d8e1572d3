// Turns a `seedctl chat` command line into a CreateChatCompletionRequest,
// including the OpenAI-style JSON of --tools and --response-format files.
#ifndef SEEDGATE_CLIENT_SEEDCTL_REQUEST_BUILDER_H_
#define SEEDGATE_CLIENT_SEEDCTL_REQUEST_BUILDER_H_

#include <string>
#include <vector>

#include "client/result.h"
#include "client/seedctl/flags.h"
#include "seedgate/v1/chat.pb.h"

namespace seedgate::seedctl {

// `prompt` is the user text (already read from stdin for "-"); files named by
// the flags are read here. `stream` decides stream_options.include_usage.
// Errors are the user's to fix (exit code 2).
client::Result<v1::CreateChatCompletionRequest> BuildChatRequest(const Flags& flags,
                                                                 const std::string& prompt,
                                                                 bool stream);

// `[{"type":"function","function":{"name","description","parameters":{...}}}]`
client::Result<std::vector<v1::Tool>> ToolsFromJson(const std::string& json);

// `{"type":"json_object"}`, `{"type":"text"}` or
// `{"type":"json_schema","json_schema":{"name","description","schema","strict"}}`
client::Result<v1::ResponseFormat> ResponseFormatFromJson(const std::string& json);

}  // namespace seedgate::seedctl

#endif  // SEEDGATE_CLIENT_SEEDCTL_REQUEST_BUILDER_H_
