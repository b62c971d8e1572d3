#ifndef SEEDGATE_SERVER_TRANSLATE_REQUEST_JSON_H_
#define SEEDGATE_SERVER_TRANSLATE_REQUEST_JSON_H_

#include <nlohmann/json.hpp>

#include "seedgate/v1/chat.pb.h"

namespace seedgate::translate {

// The upstream JSON body for `request`. Only fields the caller set are
// written (proto3 presence); `stream` is the RPC's choice and always written.
// Call only on a request that passed ValidateRequest.
nlohmann::json RequestToJson(const v1::CreateChatCompletionRequest& request, bool stream);

}  // namespace seedgate::translate

#endif  // SEEDGATE_SERVER_TRANSLATE_REQUEST_JSON_H_
