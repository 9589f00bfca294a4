#include "federation/address_guard.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

namespace federation {
namespace {

// Every refused IPv4 range, by a representative address in it (and its edges where they matter).
const char* const kRefusedV4[] = {
    "0.0.0.0",         "0.255.255.255",    // this network
    "10.0.0.5",        "10.255.255.255",   // private
    "100.64.0.1",      "100.127.255.254",  // CGNAT
    "127.0.0.1",       "127.255.255.254",  // loopback
    "169.254.169.254", "169.254.0.1",      // link-local, cloud metadata
    "172.16.0.1",      "172.31.255.254",   // private
    "192.0.0.8",                           // IETF protocol assignments
    "192.0.2.1",                           // TEST-NET-1
    "192.88.99.1",                         // 6to4 relay anycast
    "192.168.0.1",     "192.168.255.255",  // private
    "198.18.0.1",      "198.19.255.254",   // benchmarking
    "198.51.100.7",                        // TEST-NET-2
    "203.0.113.9",                         // TEST-NET-3
    "224.0.0.1",       "239.255.255.250",  // multicast
    "240.0.0.1",       "255.255.255.255",  // reserved, broadcast
};

const char* const kPublicV4[] = {
    "8.8.8.8",        "1.1.1.1",     "93.184.216.34",   "9.255.255.255",   "11.0.0.0",
    "100.63.255.255", "100.128.0.0", "126.255.255.255", "128.0.0.0",       "169.253.255.255",
    "172.15.255.255", "172.32.0.0",  "192.0.1.0",       "192.167.255.255", "192.169.0.0",
    "198.17.255.255", "198.20.0.0",  "223.255.255.255",
};

const char* const kRefusedV6[] = {
    "::",                 // unspecified
    "::1",                // loopback
    "fe80::1",            // link-local
    "febf:ffff::1",       // link-local (end of fe80::/10)
    "fec0::1",            // site-local (deprecated)
    "fc00::1",            // unique-local
    "fd12:3456:789a::1",  // unique-local
    "ff02::1",            // multicast
    "ff0e::101",          // global multicast
    "100::1",             // discard-only
    "64:ff9b:1::1",       // local-use NAT64
    "2001::1",            // Teredo
    "2001:2::1",          // benchmarking
    "2001:20::1",         // ORCHIDv2
    "2001:db8::1",        // documentation
    "3fff::1",            // documentation (RFC 9637)
    "::8.8.8.8",          // IPv4-compatible (deprecated), even for a public IPv4
    "4000::1",            // outside global unicast 2000::/3
};

TEST(AddressGuardTest, RefusesEveryNonPublicIpv4RangeAndItsMappedForms) {
  AddressGuard guard;
  for (const char* ip : kRefusedV4) {
    SCOPED_TRACE(ip);
    EXPECT_FALSE(guard.IsAllowedIp(ip));
    EXPECT_FALSE(guard.IsAllowedIp(std::string("::ffff:") + ip));    // IPv4-mapped
    EXPECT_FALSE(guard.IsAllowedIp(std::string("::") + ip));         // IPv4-compatible
    EXPECT_FALSE(guard.IsAllowedIp(std::string("::ffff:0:") + ip));  // IPv4-translated
    EXPECT_FALSE(guard.IsAllowedIp(std::string("64:ff9b::") + ip));  // NAT64
  }
}

TEST(AddressGuardTest, AdmitsPublicIpv4AndItsMappedForm) {
  AddressGuard guard;
  for (const char* ip : kPublicV4) {
    SCOPED_TRACE(ip);
    EXPECT_TRUE(guard.IsAllowedIp(ip));
    EXPECT_TRUE(guard.IsAllowedIp(std::string("::ffff:") + ip));
    EXPECT_TRUE(guard.IsAllowedIp(std::string("64:ff9b::") + ip));
  }
}

TEST(AddressGuardTest, RefusesNonPublicIpv6) {
  AddressGuard guard;
  for (const char* ip : kRefusedV6) {
    SCOPED_TRACE(ip);
    EXPECT_FALSE(guard.IsAllowedIp(ip));
  }
  // 6to4 wraps an IPv4 address in bytes 2..5: 2002:0a00:0005:: is 10.0.0.5.
  EXPECT_FALSE(guard.IsAllowedIp("2002:a00:5::1"));
  EXPECT_FALSE(guard.IsAllowedIp("2002:7f00:1::1"));
  EXPECT_TRUE(guard.IsAllowedIp("2002:808:808::1"));
}

TEST(AddressGuardTest, AdmitsGlobalUnicastIpv6) {
  AddressGuard guard;
  for (const char* ip :
       {"2606:4700:4700::1111", "2a01:4f8::1", "2001:4860:4860::8888", "2400:cb00::1", "3ffe::1"}) {
    SCOPED_TRACE(ip);
    EXPECT_TRUE(guard.IsAllowedIp(ip));
  }
}

TEST(AddressGuardTest, RefusesTextThatIsNotAnIpAddress) {
  AddressGuard guard;
  for (const char* text : {"", "example.com", "2130706433", "0x7f.0.0.1", "127.1", "0177.0.0.1",
                           "8.8.8.8 ", "8.8.8.8/32", "fe80::1%eth0", "[8.8.8.8]"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(guard.IsAllowedIp(text));
  }
  EXPECT_TRUE(guard.IsAllowedIp("[2606:4700:4700::1111]"));  // brackets are accepted
}

TEST(AddressGuardTest, AllowlistAdmitsOnlyItsBlock) {
  AddressGuard guard({*ParseCidr("127.0.0.0/8")});
  EXPECT_TRUE(guard.IsAllowedIp("127.0.0.1"));
  EXPECT_TRUE(guard.IsAllowedIp("127.5.6.7"));
  EXPECT_TRUE(guard.IsAllowedIp("::ffff:127.0.0.1"));  // how a dual-stack socket shows it
  EXPECT_FALSE(guard.IsAllowedIp("10.0.0.5"));
  EXPECT_FALSE(guard.IsAllowedIp("::ffff:10.0.0.5"));
  EXPECT_FALSE(guard.IsAllowedIp("169.254.169.254"));
  EXPECT_FALSE(guard.IsAllowedIp("::1"));  // an IPv4 block does not admit IPv6 loopback
  EXPECT_TRUE(guard.IsAllowedIp("8.8.8.8"));

  AddressGuard v6({*ParseCidr("::1/128"), *ParseCidr("10.1.2.3")});
  EXPECT_TRUE(v6.IsAllowedIp("::1"));
  EXPECT_FALSE(v6.IsAllowedIp("::2"));
  EXPECT_TRUE(v6.IsAllowedIp("10.1.2.3"));
  EXPECT_FALSE(v6.IsAllowedIp("10.1.2.4"));
  EXPECT_FALSE(v6.IsAllowedIp("127.0.0.1"));
}

TEST(AddressGuardTest, JudgesSocketAddresses) {
  AddressGuard guard({*ParseCidr("127.0.0.0/8")});
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &v4.sin_addr);
  EXPECT_TRUE(guard.IsAllowed(reinterpret_cast<sockaddr*>(&v4)));
  inet_pton(AF_INET, "10.0.0.5", &v4.sin_addr);
  EXPECT_FALSE(guard.IsAllowed(reinterpret_cast<sockaddr*>(&v4)));

  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "::ffff:10.0.0.5", &v6.sin6_addr);
  EXPECT_FALSE(guard.IsAllowed(reinterpret_cast<sockaddr*>(&v6)));
  inet_pton(AF_INET6, "::1", &v6.sin6_addr);
  EXPECT_FALSE(guard.IsAllowed(reinterpret_cast<sockaddr*>(&v6)));
  inet_pton(AF_INET6, "2606:4700:4700::1111", &v6.sin6_addr);
  EXPECT_TRUE(guard.IsAllowed(reinterpret_cast<sockaddr*>(&v6)));

  sockaddr_un unix_addr{};
  unix_addr.sun_family = AF_UNIX;
  EXPECT_FALSE(guard.IsAllowed(reinterpret_cast<sockaddr*>(&unix_addr)));
  EXPECT_FALSE(guard.IsAllowed(static_cast<const sockaddr*>(nullptr)));
}

TEST(AddressGuardTest, ParsesCidrs) {
  cs::Result<Cidr> c = ParseCidr("127.0.0.0/8");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->ToString(), "127.0.0.0/8");
  EXPECT_EQ(ParseCidr("10.1.2.3")->ToString(), "10.1.2.3/32");
  EXPECT_EQ(ParseCidr("::1/128")->ToString(), "::1/128");
  EXPECT_EQ(ParseCidr("fd00::1234/8")->ToString(), "fd00::/8");  // host bits cleared
  EXPECT_EQ(ParseCidr("192.168.1.77/24")->ToString(), "192.168.1.0/24");
  EXPECT_EQ(ParseCidr("0.0.0.0/0")->ToString(), "0.0.0.0/0");
  for (const char* bad : {"", "/8", "127.0.0.0/", "127.0.0.0/33", "::/129", "127.0.0.0/-1",
                          "127.0.0.0/8x", "localhost/8", "127.1/8", "10.0.0.0/0008"}) {
    SCOPED_TRACE(bad);
    cs::Result<Cidr> r = ParseCidr(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), cs::Status::Code::kInvalidInput);
  }
}

}  // namespace
}  // namespace federation
