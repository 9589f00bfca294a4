#include "federation/address_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <charconv>
#include <cstring>
#include <optional>

namespace federation {
namespace {

struct Block {
  std::array<uint8_t, 16> bytes;
  int prefix;
};

// IPv4 special-purpose blocks that are not globally reachable (IANA IPv4 special-purpose registry,
// RFC 6890 and later), plus multicast and the reserved class E space (which ends in the broadcast
// address).
constexpr Block kRefusedV4[] = {
    {{0, 0, 0, 0}, 8},        // "this network"; 0.0.0.0 reaches the local host on Linux
    {{10, 0, 0, 0}, 8},       // private
    {{100, 64, 0, 0}, 10},    // CGNAT shared address space
    {{127, 0, 0, 0}, 8},      // loopback
    {{169, 254, 0, 0}, 16},   // link-local (cloud metadata lives at 169.254.169.254)
    {{172, 16, 0, 0}, 12},    // private
    {{192, 0, 0, 0}, 24},     // IETF protocol assignments
    {{192, 0, 2, 0}, 24},     // TEST-NET-1
    {{192, 88, 99, 0}, 24},   // deprecated 6to4 relay anycast
    {{192, 168, 0, 0}, 16},   // private
    {{198, 18, 0, 0}, 15},    // benchmarking
    {{198, 51, 100, 0}, 24},  // TEST-NET-2
    {{203, 0, 113, 0}, 24},   // TEST-NET-3
    {{224, 0, 0, 0}, 4},      // multicast
    {{240, 0, 0, 0}, 4},      // reserved, incl. 255.255.255.255 broadcast
};

// IPv6 blocks refused even though they sit inside global unicast 2000::/3.
constexpr Block kRefusedV6InGlobal[] = {
    {{0x20, 0x01, 0x00, 0x00}, 23},  // IETF protocol assignments: Teredo, benchmarking, ORCHID
    {{0x20, 0x01, 0x0d, 0xb8}, 32},  // documentation
    {{0x3f, 0xff, 0x00, 0x00}, 20},  // documentation (RFC 9637)
};

bool PrefixMatches(const uint8_t* a, const uint8_t* b, int prefix) {
  int full = prefix / 8, rest = prefix % 8;
  if (std::memcmp(a, b, full) != 0) return false;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

bool InBlocks(const IpAddress& ip, const Block* blocks, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (PrefixMatches(ip.bytes.data(), blocks[i].bytes.data(), blocks[i].prefix)) return true;
  return false;
}

IpAddress V4(const uint8_t* four) {
  IpAddress ip;
  ip.is_v4 = true;
  std::memcpy(ip.bytes.data(), four, 4);
  return ip;
}

// The IPv4 address an IPv6 address stands for, when it is one of the forms that carry one:
// IPv4-mapped ::ffff:a.b.c.d, IPv4-translated ::ffff:0:a.b.c.d, NAT64 64:ff9b::a.b.c.d, and
// 6to4 2002:AABB:CCDD::/48.
std::optional<IpAddress> EmbeddedV4(const IpAddress& ip) {
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static constexpr uint8_t kTranslated[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0};
  static constexpr uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  const uint8_t* b = ip.bytes.data();
  if (ip.is_v4) return std::nullopt;
  if (std::memcmp(b, kMapped, 12) == 0 || std::memcmp(b, kTranslated, 12) == 0 ||
      std::memcmp(b, kNat64, 12) == 0)
    return V4(b + 12);
  if (b[0] == 0x20 && b[1] == 0x02) return V4(b + 2);
  return std::nullopt;
}

bool IsPublicV4(const IpAddress& ip) { return !InBlocks(ip, kRefusedV4, std::size(kRefusedV4)); }

bool IsPublicV6(const IpAddress& ip) {
  if (std::optional<IpAddress> v4 = EmbeddedV4(ip)) return IsPublicV4(*v4);
  // Global unicast is 2000::/3; everything else (::/8 with loopback, unspecified and the
  // IPv4-compatible forms, 64:ff9b:1::/48, 100::/64 discard, fc00::/7, fe80::/10, fec0::/10,
  // ff00::/8 ...) is refused.
  if ((ip.bytes[0] & 0xe0) != 0x20) return false;
  return !InBlocks(ip, kRefusedV6InGlobal, std::size(kRefusedV6InGlobal));
}

}  // namespace

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(is_v4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

cs::Result<IpAddress> ParseIpAddress(std::string_view text) {
  bool bracketed = text.size() >= 2 && text.front() == '[' && text.back() == ']';
  if (bracketed) text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN)
    return cs::Status::InvalidInput("not an IP address");
  std::string s(text);
  IpAddress ip;
  if (!bracketed && inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) {
    ip.is_v4 = true;
    return ip;
  }
  if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) return ip;
  return cs::Status::InvalidInput("not an IP address: " + s);
}

cs::Result<IpAddress> FromSockaddr(const struct sockaddr* addr) {
  if (addr == nullptr) return cs::Status::InvalidInput("no address");
  IpAddress ip;
  if (addr->sa_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, addr, sizeof in);
    ip.is_v4 = true;
    std::memcpy(ip.bytes.data(), &in.sin_addr, 4);
    return ip;
  }
  if (addr->sa_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, addr, sizeof in6);
    std::memcpy(ip.bytes.data(), &in6.sin6_addr, 16);
    return ip;
  }
  return cs::Status::InvalidInput("not an IP socket address");
}

bool Cidr::Contains(const IpAddress& ip) const {
  if (ip.is_v4 != base.is_v4) return false;
  return PrefixMatches(ip.bytes.data(), base.bytes.data(), prefix_length);
}

std::string Cidr::ToString() const { return base.ToString() + "/" + std::to_string(prefix_length); }

cs::Result<Cidr> ParseCidr(std::string_view text) {
  size_t slash = text.find('/');
  cs::Result<IpAddress> ip = ParseIpAddress(text.substr(0, slash));
  if (!ip.ok()) return cs::Status::InvalidInput("bad CIDR: " + std::string(text));
  int max = ip->is_v4 ? 32 : 128;
  int prefix = max;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || digits.size() > 3 || ec != std::errc() ||
        end != digits.data() + digits.size() || prefix < 0 || prefix > max)
      return cs::Status::InvalidInput("bad CIDR prefix: " + std::string(text));
  }
  Cidr cidr;
  cidr.base = *ip;
  cidr.prefix_length = prefix;
  // Clear the host bits so that ToString() shows the block.
  for (int bit = prefix; bit < max; ++bit)
    cidr.base.bytes[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  return cidr;
}

AddressGuard::AddressGuard(std::vector<Cidr> allowed) : allowed_(std::move(allowed)) {}

bool AddressGuard::InAllowlist(const IpAddress& ip) const {
  for (const Cidr& c : allowed_)
    if (c.Contains(ip)) return true;
  return false;
}

bool AddressGuard::IsAllowed(const IpAddress& ip) const {
  if (InAllowlist(ip)) return true;
  if (ip.is_v4) return IsPublicV4(ip);
  // A dual-stack socket shows an IPv4 peer as ::ffff:a.b.c.d: the IPv4 allowlist applies to it.
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(ip.bytes.data(), kMapped, 12) == 0 && InAllowlist(V4(ip.bytes.data() + 12)))
    return true;
  return IsPublicV6(ip);
}

bool AddressGuard::IsAllowed(const struct sockaddr* addr) const {
  cs::Result<IpAddress> ip = FromSockaddr(addr);
  return ip.ok() && IsAllowed(*ip);
}

bool AddressGuard::IsAllowedIp(std::string_view ip) const {
  cs::Result<IpAddress> parsed = ParseIpAddress(ip);
  return parsed.ok() && IsAllowed(*parsed);
}

}  // namespace federation
