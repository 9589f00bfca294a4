#include "cli/output.h"

#include <cstdio>

#include "node/config.h"
#include "store/clock.h"

namespace cli {

int Fail(const std::string& message, int code) {
  std::fprintf(stderr, "cloudschool: %s\n", message.c_str());
  return code;
}

int Fail(const cs::Status& status) {
  switch (status.code()) {
    case cs::Status::Code::kInvalidInput:
      return Fail(status.message(), kExitUsage);
    case cs::Status::Code::kForbidden:
    case cs::Status::Code::kUnauthorized:
    case cs::Status::Code::kConflict:
      return Fail(status.message(), kExitRefused);
    default:
      return Fail(status.message(), kExitFailed);
  }
}

cs::Result<std::unique_ptr<store::Store>> OpenStore(const std::string& data_dir) {
  auto config = node::LoadConfig(data_dir);
  if (!config.ok()) return config.status();
  return store::Store::Open(data_dir);
}

void JsonOut::Time(const char* k, int64_t ms) {
  writer_.Key(k);
  if (ms == 0) writer_.Null();
  else writer_.String(cs::FormatRfc3339(ms / 1000).c_str());
}

void JsonOut::Print() {
  std::fwrite(buffer_.GetString(), 1, buffer_.GetSize(), stdout);
  std::fputc('\n', stdout);
}

}  // namespace cli
