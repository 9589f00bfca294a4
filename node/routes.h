// Routing: the paths other servers (and browsers) reach, one small handler each. The paths are
// listed here and nowhere else. Thread-safe; handlers run on the server's handler pool.
#pragma once

#include <string>
#include <vector>

#include "federation/http_message.h"

namespace store {
struct ResourceRecord;
}

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
  // /c/NAME and its collections (node/routes_community.cc).
  federation::HttpResponse Community(const federation::HttpRequest& r, std::string_view name,
                                     std::string_view sub) const;
  // Whether the requester may see what community `group_id` holds: everyone for a public one; a
  // signed GET from a trusted school for a network one; from a member or a member's server for a
  // members-only one. True when `group_id` is not one of our communities.
  bool MaySeeCommunity(const federation::HttpRequest& r, const std::string& group_id) const;
  // OBJECT/replies: the public replies of a public local object (OrderedCollection, paged).
  federation::HttpResponse Replies(const federation::HttpRequest& r) const;
  federation::HttpResponse Home() const;
  // Shared resources (node/routes_resource.cc): the resource, its versions, files, the context.
  federation::HttpResponse Resource(const federation::HttpRequest& r) const;
  // What a requester may see: all of it, nothing (404, as if it did not exist), or nothing yet
  // (503: the server of the community that decides could not be asked just now).
  enum class Access { kAllow, kDeny, kRetry };
  // Whether the requester may see a local resource: everyone for a public one; for one shared
  // into a community that is not public, who may see that community (ours: MaySeeCommunity;
  // another node's: a signed GET from the author, from the community's server, or from a member
  // or a member's server as the community's server says: RemoteMemberAccess).
  Access ResourceAccess(const federation::HttpRequest& r, const store::ResourceRecord& res) const;
  // For what our teachers addressed, not publicly, to communities on other nodes (`groups`):
  // whether the verified `signer` is a member of one of them or on the server of a member, as
  // that community's server lists its members (federation/group_membership.h).
  Access RemoteMemberAccess(const std::string& signer,
                            const std::vector<std::string>& groups) const;
  federation::HttpResponse File(const federation::HttpRequest& r) const;
  federation::HttpResponse Context() const;

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
inline constexpr const char* kCommunities = "/c/";
inline constexpr const char* kFiles = "/files/";            // /files/SHA256/NAME
inline constexpr const char* kContext = "/ns/cloudschool";  // federation::kContextPath
}  // namespace paths

}  // namespace node
