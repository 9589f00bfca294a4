#include "store/status.h"

namespace cs {

const char* CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk: return "ok";
    case Status::Code::kNotFound: return "not found";
    case Status::Code::kInvalidInput: return "invalid input";
    case Status::Code::kUnauthorized: return "unauthorized";
    case Status::Code::kForbidden: return "forbidden";
    case Status::Code::kConflict: return "conflict";
    case Status::Code::kUnavailable: return "unavailable";
    case Status::Code::kGone: return "gone";
    case Status::Code::kTooLarge: return "too large";
    case Status::Code::kCorruption: return "corruption";
    case Status::Code::kIOError: return "I/O error";
    case Status::Code::kInternal: return "internal error";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(code_)) + ": " + message_;
}

}  // namespace cs
