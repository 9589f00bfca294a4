// Routing: the paths other servers (and browsers) reach, one small handler each. The paths are
// listed here and nowhere else. Thread-safe; handlers run on the server's handler pool.
#pragma once

#include "federation/http_message.h"

namespace node {

class Node;

class Router {
 public:
  explicit Router(Node& node) : node_(node) {}
  federation::HttpResponse Handle(const federation::HttpRequest& request) const;

 private:
  federation::HttpResponse WebFinger(const federation::HttpRequest& r) const;
  federation::HttpResponse NodeInfoDiscovery() const;
  federation::HttpResponse NodeInfo() const;
  federation::HttpResponse Actor(const federation::HttpRequest& r, std::string_view name) const;
  federation::HttpResponse InstanceActor(const federation::HttpRequest& r) const;
  federation::HttpResponse Collection(const federation::HttpRequest& r, std::string_view name,
                                      std::string_view which) const;
  federation::HttpResponse Object(const federation::HttpRequest& r) const;
  // OBJECT/replies: the public replies of a public local object (OrderedCollection, paged).
  federation::HttpResponse Replies(const federation::HttpRequest& r) const;
  federation::HttpResponse Home() const;

  Node& node_;
};

// Path constants (the one place routes are spelled).
namespace paths {
inline constexpr const char* kWebFinger = "/.well-known/webfinger";
inline constexpr const char* kNodeInfoWellKnown = "/.well-known/nodeinfo";
inline constexpr const char* kNodeInfo = "/nodeinfo/2.1";
inline constexpr const char* kInstanceActor = "/actor";
inline constexpr const char* kSharedInbox = "/inbox";
inline constexpr const char* kUsers = "/users/";
}  // namespace paths

}  // namespace node
