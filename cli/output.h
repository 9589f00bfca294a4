// What commands print: one clear line on stderr for errors, exit codes, and --json documents
// (snake_case keys, RFC 3339 UTC times).
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/prettywriter.h>

#include <memory>
#include <string>

#include "store/lmdb_store.h"
#include "store/status.h"

namespace cli {

// Exit codes (docs/admin.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRefused = 3;

// Prints "cloudschool: <message>" on stderr and returns the exit code for `status`.
int Fail(const cs::Status& status);
int Fail(const std::string& message, int code = kExitFailed);

// Opens the node's store after checking its cloudschool.toml, for commands that need the store
// only: a broken config fails every command, not just `serve`.
cs::Result<std::unique_ptr<store::Store>> OpenStore(const std::string& data_dir);

// A JSON document written to stdout.
class JsonOut {
 public:
  JsonOut() : writer_(buffer_) { writer_.SetIndent(' ', 2); }
  rapidjson::PrettyWriter<rapidjson::StringBuffer>& w() { return writer_; }
  void Key(const char* k) { writer_.Key(k); }
  void Str(const char* k, const std::string& v) {
    writer_.Key(k);
    writer_.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  }
  void StrOrNull(const char* k, const std::string& v) {
    writer_.Key(k);
    if (v.empty()) writer_.Null();
    else writer_.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  }
  void Time(const char* k, int64_t ms);  // RFC 3339 or null when 0
  void Print();

 private:
  rapidjson::StringBuffer buffer_;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer_;
};

}  // namespace cli
