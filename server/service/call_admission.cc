#include "server/service/call_admission.h"

#include <utility>

namespace seedgate::service {

absl::Status CallAdmission::Enter(const grpc::CallbackServerContext& context,
                                  metrics::RpcRecorder& recorder) {
  absl::StatusOr<Caller> caller = Identify(context, env_);
  if (!caller.ok()) return caller.status();
  recorder.SetClient(caller->name);
  if (env_.quotas != nullptr) {
    if (absl::Status allowed = env_.quotas->Admit(*caller, stream_); !allowed.ok()) {
      return allowed;
    }
    caller_ = *std::move(caller);
    quota_held_ = true;
  }
  if (env_.admission != nullptr) {
    if (absl::Status admitted = env_.admission->Enter(); !admitted.ok()) return admitted;
    admitted_ = true;
  }
  return absl::OkStatus();
}

void CallAdmission::SettleQuota(int64_t tokens) {
  if (!quota_held_) return;
  quota_held_ = false;
  env_.quotas->Done(caller_, stream_, tokens);
}

void CallAdmission::LeaveServer() {
  if (!admitted_) return;
  admitted_ = false;
  env_.admission->Leave();
}

}  // namespace seedgate::service
