// Cancellation: lets any thread cancel a call that another thread is blocked
// in (a unary Chat, or a StreamChat delivering chunks to a callback).
#ifndef SEEDGATE_CLIENT_CANCELLATION_H_
#define SEEDGATE_CLIENT_CANCELLATION_H_

#include <grpcpp/client_context.h>

#include <mutex>

namespace seedgate::client {

class Cancellation {
 public:
  // Cancels the call this is attached to (it then fails with CANCELLED, and
  // seedgate aborts the upstream request). Thread-safe; a Cancel() before the
  // call starts makes it fail at once. Cancelling is final: use a fresh
  // Cancellation for the next call.
  void Cancel();
  bool cancelled() const;

  // While alive, ties `context` to `cancellation` (which may be null).
  class Scope {
   public:
    Scope(Cancellation* cancellation, grpc::ClientContext* context);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Cancellation* cancellation_;
  };

 private:
  mutable std::mutex mu_;
  grpc::ClientContext* context_ = nullptr;  // the running call, if any
  bool cancelled_ = false;
};

}  // namespace seedgate::client

#endif  // SEEDGATE_CLIENT_CANCELLATION_H_
