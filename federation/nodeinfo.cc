#include "federation/nodeinfo.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace federation {

std::string BuildNodeInfoDiscovery(std::string_view base_url) {
  while (!base_url.empty() && base_url.back() == '/') base_url.remove_suffix(1);
  std::string href = std::string(base_url) + "/nodeinfo/2.1";
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("links");
  w.StartArray();
  w.StartObject();
  w.Key("rel");
  w.String("http://nodeinfo.diaspora.software/ns/schema/2.1");
  w.Key("href");
  w.String(href.c_str());
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

std::string BuildNodeInfo(const NodeInfoStats& s, std::string_view version) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("version");
  w.String("2.1");
  w.Key("software");
  w.StartObject();
  w.Key("name");
  w.String("cloudschool");
  w.Key("version");
  w.String(version.data(), static_cast<rapidjson::SizeType>(version.size()));
  w.Key("homepage");
  w.String("https://cloudschool.example/");
  w.EndObject();
  w.Key("protocols");
  w.StartArray();
  w.String("activitypub");
  w.EndArray();
  w.Key("services");
  w.StartObject();
  w.Key("inbound");
  w.StartArray();
  w.EndArray();
  w.Key("outbound");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  w.Key("openRegistrations");
  w.Bool(s.open_registrations);
  w.Key("usage");
  w.StartObject();
  w.Key("users");
  w.StartObject();
  w.Key("total");
  w.Int64(s.users_total);
  w.Key("activeMonth");
  w.Int64(s.active_month);
  w.Key("activeHalfyear");
  w.Int64(s.active_halfyear);
  w.EndObject();
  w.Key("localPosts");
  w.Int64(s.local_posts);
  w.EndObject();
  w.Key("metadata");
  w.StartObject();
  w.Key("nodeName");
  w.String("Cloudschool");
  w.EndObject();
  w.EndObject();
  return buf.GetString();
}

}  // namespace federation
