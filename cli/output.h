// What commands print: one clear line on stderr for errors, exit codes, and --json documents
// (snake_case keys, RFC 3339 UTC times).
#pragma once

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "store/lmdb_store.h"
#include "store/records.h"
#include "store/status.h"

namespace cli {

// Exit codes (docs/admin.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRefused = 3;

// Prints "cloudschool: <message>" on stderr (terminal-safe, one line) and returns the exit code
// for `status`: invalid input 2; forbidden, conflict (already done) and gone (deleted) 3.
int Fail(const cs::Status& status);
int Fail(const std::string& message, int code = kExitFailed);
// "cloudschool: warning: <message>" on stderr (terminal-safe, one line).
void Warn(const std::string& message);

// Text output: names, titles, content warnings and post text come from other servers (or a
// local user) and may carry terminal escape sequences (ESC [2J, OSC 0 to set the window title,
// a bare CR to overwrite a line...). Everything the text output prints goes through these:
// C0 controls, DEL, C1 controls (U+0080-U+009F) and bytes that are not UTF-8 become U+FFFD;
// other UTF-8 (accents, emoji) is kept. --json output needs none of it: JSON escapes controls.
//
// A one-line field: \n and \t are replaced too.
std::string SafeLine(std::string_view text);
// Text of several lines (a post's content): \n and \t are kept, every other control replaced.
std::string SafeText(std::string_view text);

// Length of the valid UTF-8 sequence at s[i] (shortest form, no surrogates, <= U+10FFFF), or 0.
size_t Utf8Length(std::string_view s, size_t i);

// Every line of `text` indented by `prefix` (trailing blank lines dropped): post text under its
// header line, as timeline, community posts and thread print it.
std::string Indent(std::string_view text, std::string_view prefix = "  ");

// Marks a Say() argument as several lines (SafeText instead of SafeLine).
struct Multiline {
  std::string_view text;
};

namespace internal {
inline std::string SayArg(const std::string& s) { return SafeLine(s); }
inline std::string SayArg(std::string_view s) { return SafeLine(s); }
inline std::string SayArg(const char* s) { return SafeLine(s ? s : ""); }
inline std::string SayArg(const Multiline& m) { return SafeText(m.text); }
template <class T, class = std::enable_if_t<std::is_arithmetic_v<T>>>
T SayArg(T v) {
  return v;
}
inline const char* CArg(const std::string& s) { return s.c_str(); }
template <class T>
T CArg(T v) {
  return v;
}
}  // namespace internal

// printf to stdout for text output, every string argument made safe for a terminal (one line
// each; wrap text of several lines in Multiline, which keeps \n and \t). The format itself is
// ours and trusted.
// Commands print text only through Say: the one place untrusted strings meet the terminal.
template <class... A>
void Say(const char* format, const A&... args) {
  std::printf(format, internal::CArg(internal::SayArg(args))...);
}

// Opens the node's store after checking its cloudschool.toml, for commands that need the store
// only: a broken config fails every command, not just `serve`.
cs::Result<std::unique_ptr<store::Store>> OpenStore(const std::string& data_dir);

// "@user@host[:port]" (the host of the actor's id), or the id when there is no user name.
std::string HandleOf(const store::ActorRecord& a);
// How text output names an author: its handle when the actor is stored, else its id.
std::string AuthorLabel(const store::Txn& txn, const std::string& actor_id);

// `json` with C1 control characters written as \u0080-\u009f (the rest unchanged).
std::string EscapeC1(std::string_view json);

// A JSON document written to stdout (C1 controls escaped: EscapeC1).
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
