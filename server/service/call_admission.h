#ifndef SEEDGATE_SERVER_SERVICE_CALL_ADMISSION_H_
#define SEEDGATE_SERVER_SERVICE_CALL_ADMISSION_H_

#include <grpcpp/server_context.h>

#include <cstdint>

#include "absl/status/status.h"
#include "server/metrics/rpc_recorder.h"
#include "server/service/chat_call_env.h"

namespace seedgate::service {

// What a chat RPC must get through before it may reach the upstream, in
// order: who is calling (client auth), the caller's quota (requests per
// minute; open streams), and the server's limit on calls in flight. Holds
// what it took until the reactor gives it back. Not thread-safe: the reactor
// that owns it serialises the calls.
class CallAdmission {
 public:
  CallAdmission(const ChatCallEnv& env, bool stream) : env_(env), stream_(stream) {}
  CallAdmission(const CallAdmission&) = delete;
  CallAdmission& operator=(const CallAdmission&) = delete;

  // OK, or the status to end the RPC with. Names the caller on `recorder`
  // once known.
  absl::Status Enter(const grpc::CallbackServerContext& context, metrics::RpcRecorder& recorder);

  // Gives the quota back, charging the `tokens` the call used; the first
  // call does it, later ones nothing. Before the caller hears the end, so
  // that its next call sees the tokens charged and the stream slot free.
  void SettleQuota(int64_t tokens);

  // Leaves the limit on calls in flight; once, like SettleQuota.
  void LeaveServer();

 private:
  const ChatCallEnv& env_;
  const bool stream_;
  Caller caller_;
  bool quota_held_ = false;
  bool admitted_ = false;
};

}  // namespace seedgate::service

#endif  // SEEDGATE_SERVER_SERVICE_CALL_ADMISSION_H_
