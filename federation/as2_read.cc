#include "federation/as2_read.h"

#include <unordered_set>

#include "federation/json.h"

namespace federation {
namespace {

// Image -> url -> Link -> href is three levels; one more for an array around them.
constexpr int kMaxHrefDepth = 4;

std::string CheckedUrl(const rapidjson::Value& v) {
  std::optional<std::string> s = AsString(v);
  if (s && IsHttpUrl(*s)) return std::move(*s);
  return "";
}

std::string FirstHrefAt(const rapidjson::Value& v, int depth) {
  if (depth > kMaxHrefDepth) return "";
  if (v.IsString()) return CheckedUrl(v);
  if (v.IsArray()) {
    for (const rapidjson::Value& item : v.GetArray()) {
      std::string url = FirstHrefAt(item, depth + 1);
      if (!url.empty()) return url;
    }
    return "";
  }
  if (v.IsObject()) {
    if (const rapidjson::Value* href = Member(v, "href")) {
      std::string url = CheckedUrl(*href);
      if (!url.empty()) return url;
    }
    if (const rapidjson::Value* url = Member(v, "url")) return FirstHrefAt(*url, depth + 1);
  }
  return "";
}

bool IsHtmlLink(const rapidjson::Value& link) {
  std::optional<std::string> media_type = ReadString(link, "mediaType");
  return !media_type || media_type->rfind("text/html", 0) == 0;
}

std::string HtmlUrlOfEntry(const rapidjson::Value& v) {
  if (v.IsString()) return CheckedUrl(v);
  if (v.IsObject() && IsHtmlLink(v)) {
    if (const rapidjson::Value* href = Member(v, "href")) return CheckedUrl(*href);
  }
  return "";
}

}  // namespace

void RemoveDuplicates(std::vector<std::string>& ids) {
  std::unordered_set<std::string> seen;
  size_t kept = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!seen.insert(ids[i]).second) continue;
    if (kept != i) ids[kept] = std::move(ids[i]);
    ++kept;
  }
  ids.resize(kept);
}

std::vector<std::string> ReadAudience(const rapidjson::Value& obj, const char* key) {
  std::vector<std::string> out;
  for (const std::string& id : ReadIds(obj, key)) {
    std::string normalized = NormalizeAudience(id);
    if (IsHttpUrl(normalized)) out.push_back(std::move(normalized));
  }
  RemoveDuplicates(out);
  return out;
}

std::string ReadUrlRef(const rapidjson::Value& obj, const char* key) {
  for (std::string& id : ReadIds(obj, key)) {
    if (IsHttpUrl(id)) return std::move(id);
  }
  return "";
}

std::string HtmlUrl(const rapidjson::Value& url) {
  if (!url.IsArray()) return HtmlUrlOfEntry(url);
  for (const rapidjson::Value& item : url.GetArray()) {
    std::string found = HtmlUrlOfEntry(item);
    if (!found.empty()) return found;
  }
  return "";
}

std::string FirstHref(const rapidjson::Value& v) { return FirstHrefAt(v, 0); }

}  // namespace federation
