// ThreadSanitizer annotations for Debian's absl::Mutex and absl::CondVar.
//
// Abseil tells TSan about every lock and unlock of its Mutex when Abseil
// itself is compiled with -fsanitize=thread (the ABSL_TSAN_MUTEX_* calls in
// mutex.cc). Debian's libabsl_synchronization is not, so TSan would see
// neither our mutexes (the upstream loop's task queue, the stream reactor) nor
// gRPC's (grpc_core::Mutex, gpr_mu and gpr_cv are absl::Mutex and
// absl::CondVar): everything they order would be reported as a race. Only the
// inline half of Abseil's support, __tsan_mutex_create in Mutex(), comes from
// the headers and is compiled into our code.
//
// This file supplies the other half. Linked into the ThreadSanitizer test
// executables only (cmake/Sanitizers.cmake), it defines the Mutex and CondVar
// entry points that our code and the Debian libraries call (an executable's
// definitions take precedence over a shared library's); each makes the
// annotations Abseil would have made and forwards to the real function, found
// with dlsym(RTLD_NEXT). These are the entry points gRPC, protobuf, Abseil and
// we use (nm -D --undefined-only on the libraries): Mutex::Await, LockWhen and
// friends are used by none and are left alone; a call to one would show up as
// a TSan report about a mutex unlocked that was never locked, not go unseen.

#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#if defined(__has_feature)
#if !__has_feature(thread_sanitizer)
#error "tsan_absl_mutex.cc belongs in -fsanitize=thread builds only"
#endif
#elif !defined(__SANITIZE_THREAD__)
#error "tsan_absl_mutex.cc belongs in -fsanitize=thread builds only"
#endif

namespace {

#define SEEDGATE_STRINGIFY_INNER(x) #x
#define SEEDGATE_STRINGIFY(x) SEEDGATE_STRINGIFY_INNER(x)

// The real Abseil function whose mangled name, after "_ZN4absl<inline
// namespace>", is `tail` (e.g. "5Mutex4LockEv").
template <typename Fn>
Fn RealAbsl(const char* tail) {
  const char* inline_namespace = SEEDGATE_STRINGIFY(ABSL_OPTION_INLINE_NAMESPACE_NAME);
  std::string name =
      "_ZN4absl" + std::to_string(std::strlen(inline_namespace)) + inline_namespace + tail;
  void* symbol = dlsym(RTLD_NEXT, name.c_str());
  if (symbol == nullptr) {
    std::fprintf(stderr, "tsan_absl_mutex: %s not found in the Abseil libraries\n", name.c_str());
    std::abort();
  }
  return reinterpret_cast<Fn>(symbol);
}

// Abseil calls its own entry points too (CondVar::WaitWithTimeout calls
// WaitWithDeadline): only the outermost call of a thread is annotated.
thread_local int wait_depth = 0;

// A condition-variable wait: the mutex is released, then held again.
template <typename Wait>
auto AnnotatedWait(absl::Mutex* mu, Wait wait) {
  if (wait_depth++ == 0) {
    __tsan_mutex_pre_unlock(mu, 0);
    __tsan_mutex_post_unlock(mu, 0);
  }
  auto result = wait();
  if (--wait_depth == 0) {
    __tsan_mutex_pre_lock(mu, 0);
    __tsan_mutex_post_lock(mu, 0, 0);
  }
  return result;
}

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

Mutex::~Mutex() {
  static const auto real = RealAbsl<void (*)(Mutex*)>("5MutexD1Ev");
  __tsan_mutex_destroy(this, __tsan_mutex_not_static);
  real(this);
}

void Mutex::Lock() {
  static const auto real = RealAbsl<void (*)(Mutex*)>("5Mutex4LockEv");
  __tsan_mutex_pre_lock(this, 0);
  real(this);
  __tsan_mutex_post_lock(this, 0, 0);
}

bool Mutex::TryLock() {
  static const auto real = RealAbsl<bool (*)(Mutex*)>("5Mutex7TryLockEv");
  __tsan_mutex_pre_lock(this, __tsan_mutex_try_lock);
  bool locked = real(this);
  __tsan_mutex_post_lock(
      this, locked ? __tsan_mutex_try_lock : __tsan_mutex_try_lock | __tsan_mutex_try_lock_failed,
      0);
  return locked;
}

void Mutex::Unlock() {
  static const auto real = RealAbsl<void (*)(Mutex*)>("5Mutex6UnlockEv");
  __tsan_mutex_pre_unlock(this, 0);
  real(this);
  __tsan_mutex_post_unlock(this, 0);
}

void Mutex::ReaderLock() {
  static const auto real = RealAbsl<void (*)(Mutex*)>("5Mutex10ReaderLockEv");
  __tsan_mutex_pre_lock(this, __tsan_mutex_read_lock);
  real(this);
  __tsan_mutex_post_lock(this, __tsan_mutex_read_lock, 0);
}

bool Mutex::ReaderTryLock() {
  static const auto real = RealAbsl<bool (*)(Mutex*)>("5Mutex13ReaderTryLockEv");
  __tsan_mutex_pre_lock(this, __tsan_mutex_try_read_lock);
  bool locked = real(this);
  __tsan_mutex_post_lock(
      this, locked ? __tsan_mutex_try_read_lock : __tsan_mutex_try_read_lock_failed, 0);
  return locked;
}

void Mutex::ReaderUnlock() {
  static const auto real = RealAbsl<void (*)(Mutex*)>("5Mutex12ReaderUnlockEv");
  __tsan_mutex_pre_unlock(this, __tsan_mutex_read_lock);
  real(this);
  __tsan_mutex_post_unlock(this, __tsan_mutex_read_lock);
}

void CondVar::Wait(Mutex* mu) {
  static const auto real = RealAbsl<void (*)(CondVar*, Mutex*)>("7CondVar4WaitEPNS0_5MutexE");
  AnnotatedWait(mu, [&] {
    real(this, mu);
    return true;
  });
}

bool CondVar::WaitWithTimeout(Mutex* mu, Duration timeout) {
  static const auto real = RealAbsl<bool (*)(CondVar*, Mutex*, Duration)>(
      "7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  return AnnotatedWait(mu, [&] { return real(this, mu, timeout); });
}

bool CondVar::WaitWithDeadline(Mutex* mu, Time deadline) {
  static const auto real = RealAbsl<bool (*)(CondVar*, Mutex*, Time)>(
      "7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  return AnnotatedWait(mu, [&] { return real(this, mu, deadline); });
}

ABSL_NAMESPACE_END
}  // namespace absl
