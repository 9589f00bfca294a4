// Status and Result: errors as values, shared by every module (store/ is the lowest layer).
// A Status knows nothing of HTTP; node/http_status.h maps codes to statuses in one place.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace cs {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk,
    kNotFound,
    kInvalidInput,
    kUnauthorized,
    kForbidden,
    kConflict,
    kUnavailable,  // transient: a retry may succeed (timeouts, 429, 5xx)
    kGone,         // the thing existed and was deleted (410)
    kTooLarge,
    kCorruption,
    kIOError,
    kInternal,
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status InvalidInput(std::string m) { return Status(Code::kInvalidInput, std::move(m)); }
  static Status Unauthorized(std::string m) { return Status(Code::kUnauthorized, std::move(m)); }
  static Status Forbidden(std::string m) { return Status(Code::kForbidden, std::move(m)); }
  static Status Conflict(std::string m) { return Status(Code::kConflict, std::move(m)); }
  static Status Unavailable(std::string m) { return Status(Code::kUnavailable, std::move(m)); }
  static Status Gone(std::string m) { return Status(Code::kGone, std::move(m)); }
  static Status TooLarge(std::string m) { return Status(Code::kTooLarge, std::move(m)); }
  static Status Corruption(std::string m) { return Status(Code::kCorruption, std::move(m)); }
  static Status IOError(std::string m) { return Status(Code::kIOError, std::move(m)); }
  static Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }

  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  bool Is(Code c) const { return code_ == c; }
  // "not found: no such user" style text for logs and the command line.
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

const char* CodeName(Status::Code code);

// A T or a non-OK Status.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}              // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}      // NOLINT: implicit by design

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace cs

// Returns early from a function returning Status or Result<T> when `expr` is not ok.
#define CS_RETURN_IF_ERROR(expr)              \
  do {                                        \
    ::cs::Status cs_status_ = (expr);         \
    if (!cs_status_.ok()) return cs_status_;  \
  } while (0)
