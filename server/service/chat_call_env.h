#ifndef SEEDGATE_SERVER_SERVICE_CHAT_CALL_ENV_H_
#define SEEDGATE_SERVER_SERVICE_CHAT_CALL_ENV_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "seedgate/v1/chat.pb.h"
#include "server/metrics/access_log.h"
#include "server/metrics/seedgate_metrics.h"
#include "server/service/admission.h"
#include "server/service/client_auth.h"
#include "server/service/client_quotas.h"
#include "server/service/upstream_key.h"
#include "server/upstream/chat_client.h"

namespace seedgate::service {

// What every chat RPC needs from the server around it.
struct ChatCallEnv {
  upstream::ChatClient* client = nullptr;
  metrics::SeedgateMetrics* metrics = nullptr;  // null: record nothing
  Admission* admission = nullptr;               // null: no cap
  metrics::AccessLog* access_log = nullptr;     // null: no access log
  // Who may call; null lets everyone in as "anonymous".
  const ClientAuthenticator* auth = nullptr;
  ClientQuotas* quotas = nullptr;  // null: no per-client limits
  bool allow_unknown_models = false;
  // Never shown to a caller (see ToGrpcStatus), with every key
  // `upstream_key` (nullable) has held.
  std::vector<std::string> secrets;
  const UpstreamKey* upstream_key = nullptr;
};

// Validates `request` and renders the upstream JSON body; INVALID_ARGUMENT
// with every violation otherwise. No upstream call is made for a bad request.
absl::StatusOr<std::string> PrepareUpstreamBody(const v1::CreateChatCompletionRequest& request,
                                                bool streaming, const ChatCallEnv& env);

// Whether any message has an image or video part: such requests go to the
// multimodal base URL first.
bool IsMultimodal(const v1::CreateChatCompletionRequest& request);

// How the upstream call of `request` is made: bounded by `deadline`, in the
// base-URL order its content asks for, attempts told to `observer`.
upstream::CallOptions UpstreamCallOptions(const v1::CreateChatCompletionRequest& request,
                                          absl::Time deadline, upstream::AttemptObserver* observer);

// Who is calling (env.auth), or UNAUTHENTICATED. Runs before anything else
// an RPC does: a caller that does not belong costs no upstream call.
absl::StatusOr<Caller> Identify(const grpc::CallbackServerContext& context, const ChatCallEnv& env);

// `status` for the caller: ToGrpcStatus with every secret of `env` redacted.
grpc::Status ToCallerStatus(const absl::Status& status, const ChatCallEnv& env);

// The RPC's deadline, or absl::InfiniteFuture() when the caller set none.
absl::Time RpcDeadline(const grpc::CallbackServerContext& context);

}  // namespace seedgate::service

#endif  // SEEDGATE_SERVER_SERVICE_CHAT_CALL_ENV_H_
