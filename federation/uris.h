// Every URI this node mints, built in one place from one spelling of the node's origin.
// Teachers live at /users/NAME, the instance actor at /actor, the shared inbox at /inbox;
// a teacher's objects and activities get ids under the teacher: /users/NAME/notes/ID and
// /users/NAME/activities/ID. Immutable: thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace federation {

class Uris {
 public:
  // origin: "https://school.example" or "http://127.0.0.1:8080" (no trailing slash).
  explicit Uris(std::string origin) : origin_(std::move(origin)) {}

  const std::string& origin() const { return origin_; }
  std::string authority() const;  // host[:port] part of the origin
  std::string scheme() const;

  std::string InstanceActor() const { return origin_ + "/actor"; }
  std::string SharedInbox() const { return origin_ + "/inbox"; }
  std::string User(std::string_view name) const { return origin_ + "/users/" + std::string(name); }
  std::string Inbox(std::string_view name) const { return User(name) + "/inbox"; }
  std::string Outbox(std::string_view name) const { return User(name) + "/outbox"; }
  std::string Followers(std::string_view name) const { return User(name) + "/followers"; }
  std::string Following(std::string_view name) const { return User(name) + "/following"; }
  static std::string KeyId(std::string_view actor_id) { return std::string(actor_id) + "#main-key"; }
  std::string NewNote(std::string_view name) const;      // fresh random id
  std::string NewActivity(std::string_view name) const;  // fresh random id
  std::string NewInstanceActivity() const;
  // Communities (Group actors) live at /c/NAME, with inbox, outbox, followers (the members),
  // moderators and featured; their activities (Announce, Accept...) at /c/NAME/activities/ID.
  std::string Community(std::string_view name) const { return origin_ + "/c/" + std::string(name); }
  std::string NewCommunityActivity(std::string_view name) const;
  // "maths" for origin/c/maths (or its sub-paths); "" otherwise.
  std::string LocalCommunityName(std::string_view url) const;

  // True when `url` is on this node's origin.
  bool IsLocal(std::string_view url) const;
  // "ann" for origin/users/ann (or its sub-paths); "" otherwise.
  std::string LocalUserName(std::string_view url) const;

 private:
  std::string origin_;
};

// 24 hex characters from the system CSPRNG.
std::string RandomId();

}  // namespace federation
