// Result<T>: the value of a successful call, or the decoded error of a failed
// one. Result<void> is a call that returns nothing on success.
#ifndef SEEDGATE_CLIENT_RESULT_H_
#define SEEDGATE_CLIENT_RESULT_H_

#include <cassert>
#include <optional>
#include <utility>

#include "client/client_error.h"

namespace seedgate::client {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}            // NOLINT: implicit on purpose
  Result(ClientError error) : error_(std::move(error)) {}  // NOLINT

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }

  // Only when ok().
  T& value() & { return assert(ok()), *value_; }
  const T& value() const& { return assert(ok()), *value_; }
  T&& value() && { return assert(ok()), *std::move(value_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // Only when !ok().
  const ClientError& error() const { return error_; }

 private:
  std::optional<T> value_;
  ClientError error_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(ClientError error) : failed_(true), error_(std::move(error)) {}  // NOLINT

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const ClientError& error() const { return error_; }

 private:
  bool failed_ = false;
  ClientError error_;
};

}  // namespace seedgate::client

#endif  // SEEDGATE_CLIENT_RESULT_H_
