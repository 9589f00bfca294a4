#include "cli/output.h"

#include <cstdio>

#include "federation/url.h"
#include "node/config.h"
#include "store/clock.h"

namespace cli {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

size_t Utf8Length(std::string_view s, size_t i) {
  auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  auto cont = [&](size_t k) { return k < s.size() && (at(k) & 0xC0) == 0x80; };
  unsigned char c = at(i);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    if (c == 0xE0 && at(i + 1) < 0xA0) return 0;   // overlong
    if (c == 0xED && at(i + 1) >= 0xA0) return 0;  // surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (c == 0xF0 && at(i + 1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && at(i + 1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

namespace {

std::string Safe(std::string_view s, bool keep_layout) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t n = Utf8Length(s, i);
    if (n == 0) {  // not UTF-8: a lone 0x9B is CSI to an 8-bit terminal
      out += kReplacement;
      ++i;
      continue;
    }
    const bool layout = c == '\n' || c == '\t';  // moves the cursor on, never back or away
    const bool c0_or_del = n == 1 && (c < 0x20 || c == 0x7F) && !(keep_layout && layout);
    const bool c1 = n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) <= 0x9F;
    if (c0_or_del || c1)
      out += kReplacement;
    else
      out.append(s, i, n);
    i += n;
  }
  return out;
}

}  // namespace

std::string SafeLine(std::string_view text) { return Safe(text, false); }
std::string SafeText(std::string_view text) { return Safe(text, true); }

std::string Indent(std::string_view text, std::string_view prefix) {
  std::string out(prefix);
  for (char c : text) {
    out += c;
    if (c == '\n') out += prefix;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
  return out;
}

int Fail(const std::string& message, int code) {
  std::fprintf(stderr, "cloudschool: %s\n", SafeLine(message).c_str());
  return code;
}

void Warn(const std::string& message) {
  std::fprintf(stderr, "cloudschool: warning: %s\n", SafeLine(message).c_str());
}

int Fail(const cs::Status& status) {
  switch (status.code()) {
    case cs::Status::Code::kInvalidInput:
      return Fail(status.message(), kExitUsage);
    case cs::Status::Code::kForbidden:
    case cs::Status::Code::kUnauthorized:
    case cs::Status::Code::kConflict:
    case cs::Status::Code::kGone:  // deleted (a post, a teacher, a resource): nothing to do
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

std::string HandleOf(const store::ActorRecord& a) {
  auto url = federation::ParseUrl(a.id);
  if (a.preferred_username.empty() || !url.ok()) return a.id;
  return "@" + a.preferred_username + "@" + url->Authority();
}

std::string AuthorLabel(const store::Txn& txn, const std::string& actor_id) {
  auto actor = store::GetActor(txn, actor_id);
  return actor.ok() ? HandleOf(*actor) : actor_id;
}

std::string EscapeC1(std::string_view json) {
  // RapidJSON escapes only C0 controls; C1 controls (U+0080-U+009F, UTF-8 C2 80-C2 9F) are valid
  // JSON too, but a terminal takes U+009B as CSI. They can only stand inside strings (the rest of
  // a JSON document is ASCII), so \u escapes keep the document and its meaning.
  std::string out;
  out.reserve(json.size());
  for (size_t i = 0; i < json.size(); ++i) {
    const auto c = static_cast<unsigned char>(json[i]);
    const auto next = i + 1 < json.size() ? static_cast<unsigned char>(json[i + 1]) : 0;
    if (c == 0xC2 && next >= 0x80 && next <= 0x9F) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", next);
      out += esc;
      ++i;
    } else {
      out += json[i];
    }
  }
  return out;
}

void JsonOut::Print() {
  const std::string text = EscapeC1({buffer_.GetString(), buffer_.GetSize()});
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

}  // namespace cli
