#ifndef SEEDGATE_SERVER_SERVICE_CHAT_CALL_ENV_H_
#define SEEDGATE_SERVER_SERVICE_CHAT_CALL_ENV_H_

#include <grpcpp/server_context.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "seedgate/v1/chat.pb.h"
#include "server/metrics/seedgate_metrics.h"
#include "server/service/admission.h"
#include "server/upstream/chat_client.h"

namespace seedgate::service {

// What every chat RPC needs from the server around it.
struct ChatCallEnv {
  upstream::ChatClient* client = nullptr;
  metrics::SeedgateMetrics* metrics = nullptr;  // null: record nothing
  Admission* admission = nullptr;               // null: no cap
  bool allow_unknown_models = false;
  // Never shown to a caller (see ToGrpcStatus).
  std::vector<std::string> secrets;
};

// Validates `request` and renders the upstream JSON body; INVALID_ARGUMENT
// with every violation otherwise. No upstream call is made for a bad request.
absl::StatusOr<std::string> PrepareUpstreamBody(const v1::CreateChatCompletionRequest& request,
                                                bool streaming, const ChatCallEnv& env);

// Whether any message has an image or video part: such requests go to the
// multimodal base URL first.
bool IsMultimodal(const v1::CreateChatCompletionRequest& request);

// The RPC's deadline, or absl::InfiniteFuture() when the caller set none.
absl::Time RpcDeadline(const grpc::CallbackServerContext& context);

}  // namespace seedgate::service

#endif  // SEEDGATE_SERVER_SERVICE_CHAT_CALL_ENV_H_
