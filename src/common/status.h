// Status and Result<T>: the one error-carrying type of Ferry.
//
// A Status is cheap on success (no allocation). Failures carry a generic
// Code, a human-readable message and an optional `detail`: a number defined by
// the layer that made the error (the API layer stores an api::ErrorId there so
// that the protocol layer can find the exact AWS error in the catalog).
// No exceptions cross module boundaries; functions return Status or Result<T>.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace ferry {

enum class Code : unsigned char {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kResourceExhausted,
  kUnavailable,
  kInternal,
  kUnimplemented,
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message, int detail = 0)
      : code_(code), detail_(detail), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {Code::kFailedPrecondition, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {Code::kResourceExhausted, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }
  static Status Unimplemented(std::string m) { return {Code::kUnimplemented, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  int detail() const { return detail_; }
  const std::string& message() const { return message_; }

 private:
  Code code_ = Code::kOk;
  int detail_ = 0;
  std::string message_;
};

// Result<T> holds either a value or a failed Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace ferry

#define FERRY_RETURN_IF_ERROR(expr)          \
  do {                                       \
    ::ferry::Status _st = (expr);            \
    if (!_st.ok()) return _st;               \
  } while (0)
