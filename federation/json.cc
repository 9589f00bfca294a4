#include "federation/json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace federation {
namespace {

// Iterative parsing keeps RapidJSON's own stack on the heap; validating the encoding means every
// string we hand on is valid UTF-8.
constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;

// Strict UTF-8: no overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
bool IsValidUtf8(const char* s, size_t n) {
  const auto* p = reinterpret_cast<const unsigned char*>(s);
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;  // would be a surrogate
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (i + len > n || p[i + 1] < lo || p[i + 1] > hi) return false;
    for (size_t k = 2; k < len; ++k) {
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return false;
    }
    i += len;
  }
  return true;
}

// SAX handler for the first pass: counts nesting and stops the reader one level past the limit;
// rejects decoded strings that are not valid UTF-8. (RapidJSON 1.1 validates raw bytes, but a
// lone low-surrogate escape such as "\udc00" decodes to a CESU sequence it does not check.)
class DepthLimiter : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, DepthLimiter> {
 public:
  explicit DepthLimiter(int max_depth) : max_depth_(max_depth) {}
  bool Default() { return true; }
  bool String(const char* s, rapidjson::SizeType n, bool) { return CheckString(s, n); }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (!CheckString(s, n)) return false;
    // Member names of the innermost open object: a repeated name is refused (first-key-wins
    // here but last-key-wins elsewhere would let one body mean two things, e.g. two actors).
    if (!frames_.empty() && frames_.back().has_value() && !frames_.back()->emplace(s, n).second) {
      duplicate_key_ = std::string(s, n);
      return false;
    }
    return true;
  }
  bool StartObject() {
    frames_.emplace_back(std::in_place);
    return Enter();
  }
  bool EndObject(rapidjson::SizeType) { return Leave(); }
  bool StartArray() {
    frames_.emplace_back(std::nullopt);
    return Enter();
  }
  bool EndArray(rapidjson::SizeType) { return Leave(); }
  bool too_deep() const { return too_deep_; }
  bool bad_string() const { return bad_string_; }
  const std::optional<std::string>& duplicate_key() const { return duplicate_key_; }

 private:
  bool Enter() {
    if (++depth_ > max_depth_) {
      too_deep_ = true;
      return false;
    }
    return true;
  }
  bool Leave() {
    --depth_;
    if (!frames_.empty()) frames_.pop_back();
    return true;
  }
  bool CheckString(const char* s, rapidjson::SizeType n) {
    if (IsValidUtf8(s, n)) return true;
    bad_string_ = true;
    return false;
  }
  int max_depth_;
  int depth_ = 0;
  bool too_deep_ = false;
  bool bad_string_ = false;
  // One frame per open container (an explicit stack: no recursion); objects keep their names.
  std::vector<std::optional<std::unordered_set<std::string>>> frames_;
  std::optional<std::string> duplicate_key_;
};

cs::Status Malformed(size_t offset, const std::string& what) {
  return cs::Status::InvalidInput("malformed JSON at offset " + std::to_string(offset) + ": " + what);
}

}  // namespace

cs::Result<rapidjson::Document> ParseJson(std::string_view text, int max_depth) {
  // RapidJSON's memory stream reports '\0' at the end of input, so a raw NUL inside the text
  // would end the document early; NUL is never valid in JSON text outside an escape.
  if (size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return Malformed(nul, "NUL byte in JSON text");
  }
  {
    rapidjson::MemoryStream stream(text.data(), text.size());
    rapidjson::Reader reader;
    DepthLimiter limiter(max_depth);
    rapidjson::ParseResult result = reader.Parse<kParseFlags>(stream, limiter);
    if (limiter.too_deep()) {
      return cs::Status::InvalidInput("JSON nesting deeper than " + std::to_string(max_depth));
    }
    if (limiter.duplicate_key()) {
      return Malformed(result.Offset(),
                       "duplicate key \"" + *limiter.duplicate_key() + "\" in an object");
    }
    if (limiter.bad_string()) {
      return Malformed(result.Offset(), "string is not valid Unicode (lone surrogate escape)");
    }
    if (result.IsError()) {
      return Malformed(result.Offset(), rapidjson::GetParseError_En(result.Code()));
    }
  }
  rapidjson::Document doc;
  doc.Parse<kParseFlags>(text.data(), text.size());
  if (doc.HasParseError()) {  // not expected after the first pass; kept as a guard
    return Malformed(doc.GetErrorOffset(), rapidjson::GetParseError_En(doc.GetParseError()));
  }
  return doc;
}

std::string Serialize(const rapidjson::Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  v.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

const rapidjson::Value* Member(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) return nullptr;
  return &it->value;
}

std::optional<std::string> AsString(const rapidjson::Value& v) {
  if (!v.IsString()) return std::nullopt;
  return std::string(v.GetString(), v.GetStringLength());
}

std::optional<std::string> ReadString(const rapidjson::Value& obj, const char* key) {
  const rapidjson::Value* v = Member(obj, key);
  if (v == nullptr) return std::nullopt;
  return AsString(*v);
}

std::optional<bool> ReadBool(const rapidjson::Value& obj, const char* key) {
  const rapidjson::Value* v = Member(obj, key);
  if (v == nullptr || !v->IsBool()) return std::nullopt;
  return v->GetBool();
}

std::optional<int64_t> ReadInt(const rapidjson::Value& obj, const char* key) {
  const rapidjson::Value* v = Member(obj, key);
  if (v == nullptr || !v->IsInt64()) return std::nullopt;
  return v->GetInt64();
}

std::optional<std::string> ReadId(const rapidjson::Value& v) {
  std::optional<std::string> id;
  if (v.IsString()) {
    id = AsString(v);
  } else if (v.IsObject()) {
    id = ReadString(v, "id");
    if (!id || id->empty()) id = ReadString(v, "href");
  }
  if (id && id->empty()) return std::nullopt;
  return id;
}

std::vector<std::string> ReadIds(const rapidjson::Value& obj, const char* key) {
  std::vector<std::string> ids;
  const rapidjson::Value* v = Member(obj, key);
  if (v == nullptr) return ids;
  if (v->IsArray()) {
    for (const rapidjson::Value& item : v->GetArray()) {
      if (auto id = ReadId(item)) ids.push_back(std::move(*id));
    }
  } else if (auto id = ReadId(*v)) {
    ids.push_back(std::move(*id));
  }
  return ids;
}

std::string ReadFirstId(const rapidjson::Value& obj, const char* key) {
  std::vector<std::string> ids = ReadIds(obj, key);
  return ids.empty() ? std::string() : std::move(ids.front());
}

std::string NormalizeAudience(std::string_view id) {
  if (id == kPublic || id == "as:Public" || id == "Public") return kPublic;
  return std::string(id);
}

bool IsHttpUrl(std::string_view url) {
  if (url.empty() || url.size() > kMaxUrlLength) return false;
  for (char c : url) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == '"' || c == '\\') return false;
  }
  auto lower_prefix = [&](std::string_view prefix) {
    if (url.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
      char c = url[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != prefix[i]) return false;
    }
    return true;
  };
  size_t start;
  if (lower_prefix("https://")) {
    start = 8;
  } else if (lower_prefix("http://")) {
    start = 7;
  } else {
    return false;
  }
  size_t end = url.find_first_of("/?#", start);
  std::string_view authority = url.substr(start, end == std::string_view::npos ? url.npos : end - start);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return false;
  // Host, then an optional ":port". A bracketed IPv6 literal holds colons of its own.
  std::string_view host = authority;
  std::string_view port;
  if (authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    host = authority.substr(0, close + 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
      if (port.empty()) return false;
    }
  } else if (size_t colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return false;
  }
  if (host.empty() || port.size() > 5) return false;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace federation
