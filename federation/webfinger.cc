#include "federation/webfinger.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>

#include "federation/json.h"

namespace federation {

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else if (s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string PercentEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

cs::Result<WebFingerQuery> ParseWebFingerResource(std::string_view resource) {
  WebFingerQuery q;
  if (resource.empty()) return cs::Status::InvalidInput("missing resource");
  if (LooksLikeUrl(resource)) {
    q.is_url = true;
    q.url = std::string(resource);
    return q;
  }
  if (resource.size() < 5 ||
      !std::equal(resource.begin(), resource.begin() + 5, "acct:", [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == b;
      }))
    return cs::Status::InvalidInput("resource must be acct: or an http(s) URL");
  auto handle = ParseHandle(resource);
  if (!handle.ok()) return handle.status();
  q.user = handle->user;
  q.host = handle->host;
  return q;
}

std::string BuildJrd(std::string_view subject, const std::vector<std::string>& aliases,
                     std::string_view self_href, std::string_view profile_page) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  auto str = [&](std::string_view v) {
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  };
  w.StartObject();
  w.Key("subject");
  str(subject);
  w.Key("aliases");
  w.StartArray();
  for (const auto& a : aliases) str(a);
  w.EndArray();
  w.Key("links");
  w.StartArray();
  w.StartObject();
  w.Key("rel");
  w.String("self");
  w.Key("type");
  w.String("application/activity+json");
  w.Key("href");
  str(self_href);
  w.EndObject();
  if (!profile_page.empty()) {
    w.StartObject();
    w.Key("rel");
    w.String("http://webfinger.net/rel/profile-page");
    w.Key("type");
    w.String("text/html");
    w.Key("href");
    str(profile_page);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

cs::Result<std::vector<std::string>> ParseJrdSelfLinks(std::string_view jrd_json) {
  if (jrd_json.size() > 64 * 1024) return cs::Status::TooLarge("JRD larger than 64 KiB");
  auto doc = ParseJson(jrd_json, 16);
  if (!doc.ok()) return doc.status();
  std::vector<std::string> out;
  const rapidjson::Value* links = Member(*doc, "links");
  if (links == nullptr || !links->IsArray()) return out;
  for (const auto& link : links->GetArray()) {
    if (!link.IsObject()) continue;
    auto rel = ReadString(link, "rel");
    auto type = ReadString(link, "type");
    auto href = ReadString(link, "href");
    if (!rel || *rel != "self" || !href || !type) continue;
    if (*type == "application/activity+json" || type->rfind("application/ld+json", 0) == 0)
      out.push_back(*href);
  }
  return out;
}

cs::Result<std::string> ParseJrdSelf(std::string_view jrd_json, std::string_view preferred_type) {
  auto links = ParseJrdSelfLinks(jrd_json);
  if (!links.ok()) return links.status();
  if (links->empty())
    return cs::Status::NotFound("the WebFinger answer has no ActivityPub self link");
  return links->front();
}

std::string WebFingerUrl(std::string_view scheme, const Handle& handle) {
  return std::string(scheme) + "://" + handle.host + "/.well-known/webfinger?resource=" +
         PercentEncode("acct:" + handle.user + "@" + handle.host);
}

}  // namespace federation
