#include "client/cancellation.h"

namespace seedgate::client {

void Cancellation::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  // ClientContext::TryCancel is thread-safe; the lock only keeps the context
  // alive (Scope's destructor waits for it).
  if (context_ != nullptr) context_->TryCancel();
}

bool Cancellation::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

Cancellation::Scope::Scope(Cancellation* cancellation, grpc::ClientContext* context)
    : cancellation_(cancellation) {
  if (cancellation_ == nullptr) return;
  std::lock_guard<std::mutex> lock(cancellation_->mu_);
  cancellation_->context_ = context;
  // gRPC remembers a cancel made before the call starts and applies it then.
  if (cancellation_->cancelled_) context->TryCancel();
}

Cancellation::Scope::~Scope() {
  if (cancellation_ == nullptr) return;
  std::lock_guard<std::mutex> lock(cancellation_->mu_);
  cancellation_->context_ = nullptr;
}

}  // namespace seedgate::client
