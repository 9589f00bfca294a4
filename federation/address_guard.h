// AddressGuard decides whether the outbound client may connect to an IP address (BR-20, SSRF).
// It admits only globally routable unicast addresses, plus whatever an operator allowlists
// (tests and dev nodes on 127.0.0.1). It judges the address a socket is about to connect to, after
// DNS, so alternate spellings ("2130706433", "0x7f.0.0.1") and DNS rebinding cannot slip past it.
// Immutable after construction: thread-safe, cheap to copy.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/status.h"

struct sockaddr;

namespace federation {

// One IP address: IPv4 in the first 4 bytes when is_v4.
struct IpAddress {
  std::array<uint8_t, 16> bytes{};
  bool is_v4 = false;

  std::string ToString() const;  // "10.0.0.5", "::ffff:10.0.0.5"
};

// Parses a textual IPv4 (dotted quad only) or IPv6 address; IPv6 may come in brackets.
cs::Result<IpAddress> ParseIpAddress(std::string_view text);

// An address block. An IPv4 block never matches an IPv6 address (the guard unwraps IPv4-mapped
// forms before asking).
struct Cidr {
  IpAddress base;         // host bits cleared
  int prefix_length = 0;  // 0..32 or 0..128

  bool Contains(const IpAddress& ip) const;
  std::string ToString() const;  // "127.0.0.0/8"
};

// "127.0.0.0/8", "::1/128", or a single address ("10.1.2.3" means /32). kInvalidInput otherwise.
cs::Result<Cidr> ParseCidr(std::string_view text);

class AddressGuard {
 public:
  // `allowed` blocks are admitted even though they are not public (e.g. 127.0.0.0/8 in tests).
  explicit AddressGuard(std::vector<Cidr> allowed = {});

  // True when the address may be connected to: in an allowed block, or public. Refused: the IPv4
  // special-purpose ranges (RFC 6890 and successors: this network, private, CGNAT, loopback,
  // link-local, IETF protocol assignments, documentation, benchmarking, multicast, reserved,
  // broadcast); for IPv6 everything outside 2000::/3 (loopback, unspecified, unique-local,
  // link-local, site-local, multicast, discard ...) plus the special blocks inside it (Teredo and
  // other IETF assignments, documentation, 6to4/NAT64 wrapping a refused IPv4). IPv4-mapped,
  // IPv4-compatible and NAT64 forms are judged by the IPv4 address they carry.
  bool IsAllowed(const IpAddress& ip) const;
  // Same for a socket address (AF_INET or AF_INET6; anything else is refused).
  bool IsAllowed(const struct sockaddr* addr) const;
  // Same for a textual IP; false when `ip` is not a valid IPv4 dotted quad or IPv6 address.
  bool IsAllowedIp(std::string_view ip) const;

  const std::vector<Cidr>& allowed() const { return allowed_; }

 private:
  bool InAllowlist(const IpAddress& ip) const;

  std::vector<Cidr> allowed_;
};

// Reads an address from a socket address; kInvalidInput for families other than IPv4/IPv6.
cs::Result<IpAddress> FromSockaddr(const struct sockaddr* addr);

}  // namespace federation
