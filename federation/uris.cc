#include "federation/uris.h"

#include <openssl/rand.h>

namespace federation {

std::string RandomId() {
  unsigned char bytes[12];
  if (RAND_bytes(bytes, sizeof bytes) != 1) std::abort();  // no entropy: nothing safe to do
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string Uris::authority() const {
  auto p = origin_.find("://");
  return p == std::string::npos ? origin_ : origin_.substr(p + 3);
}

std::string Uris::scheme() const {
  auto p = origin_.find("://");
  return p == std::string::npos ? "https" : origin_.substr(0, p);
}

std::string Uris::NewNote(std::string_view name) const { return User(name) + "/notes/" + RandomId(); }
std::string Uris::NewActivity(std::string_view name) const {
  return User(name) + "/activities/" + RandomId();
}
std::string Uris::NewInstanceActivity() const { return origin_ + "/activities/" + RandomId(); }

std::string Uris::NewCommunityActivity(std::string_view name) const {
  return Community(name) + "/activities/" + RandomId();
}

std::string Uris::LocalCommunityName(std::string_view url) const {
  std::string prefix = origin_ + "/c/";
  if (url.substr(0, prefix.size()) != prefix) return "";
  std::string_view rest = url.substr(prefix.size());
  auto end = rest.find_first_of("/#?");
  return std::string(rest.substr(0, end));
}

bool Uris::IsLocal(std::string_view url) const {
  return url.size() >= origin_.size() && url.substr(0, origin_.size()) == origin_ &&
         (url.size() == origin_.size() || url[origin_.size()] == '/' || url[origin_.size()] == '#' ||
          url[origin_.size()] == '?');
}

std::string Uris::LocalUserName(std::string_view url) const {
  std::string prefix = origin_ + "/users/";
  if (url.substr(0, prefix.size()) != prefix) return "";
  std::string_view rest = url.substr(prefix.size());
  auto end = rest.find_first_of("/#?");
  return std::string(rest.substr(0, end));
}

}  // namespace federation
