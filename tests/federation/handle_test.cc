// Unit tests of handles (federation/handle.h) and host normalization (federation/punycode.h):
// the spellings teachers type, case rules (BR-13: user case kept, host lower-cased), IDN hosts
// (BR-15), ports and invalid input.
#include "federation/handle.h"

#include <gtest/gtest.h>

#include <string>

#include "federation/punycode.h"

namespace federation {
namespace {

// ---- PunycodeEncode (RFC 3492 section 7.1 samples) ----

TEST(PunycodeTest, EncodesRfc3492Samples) {
  struct Case {
    const char* utf8;
    const char* puny;
  } cases[] = {
      {"b\xC3\xBC"
       "cher",
       "bcher-kva"},
      {"m\xC3\xBCnchen", "mnchen-3ya"},
      {"sch\xC3\xBCle", "schle-mva"},
      // (A) Arabic (Egyptian)
      {"\xD9\x84\xD9\x8A\xD9\x87\xD9\x85\xD8\xA7\xD8\xA8\xD8\xAA\xD9\x83\xD9\x84\xD9\x85\xD9\x88"
       "\xD8\xB4\xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A\xD8\x9F",
       "egbpdaj6bu4bxfgehfvwxn"},
      // (B) Chinese (simplified)
      {"\xE4\xBB\x96\xE4\xBB\xAC\xE4\xB8\xBA\xE4\xBB\x80\xE4\xB9\x88\xE4\xB8\x8D\xE8\xAF\xB4\xE4"
       "\xB8\xAD\xE6\x96\x87",
       "ihqwcrb4cv8a8dqg056pqjye"},
      // (L) 3<nen>B<gumi><kinpachi><sensei>
      {"3\xE5\xB9\xB4"
       "B\xE7\xB5\x84\xE9\x87\x91\xE5\x85\xAB\xE5\x85\x88\xE7\x94\x9F",
       "3B-ww4c5e180e575a65lsy2b"},
      // (R) <sono><supiido><de>
      {"\xE3\x81\x9D\xE3\x81\xAE\xE3\x82\xB9\xE3\x83\x94\xE3\x83\xBC\xE3\x83\x89\xE3\x81\xA7",
       "d9juau41awczczp"},
      {"\xF0\x9F\x98\x80", "e28h"},
      {"abc", "abc-"},
      {"", ""},
  };
  for (const auto& c : cases) {
    auto p = PunycodeEncode(c.utf8);
    ASSERT_TRUE(p.ok()) << c.puny;
    EXPECT_EQ(*p, c.puny);
  }
}

TEST(PunycodeTest, RejectsMalformedUtf8) {
  for (std::string bad :
       {"\xFF", "\xC3", "a\xC3", "\xE4\xBB", "\x80", "\xED\xA0\x80" /* surrogate */,
        "\xF4\x90\x80\x80" /* > U+10FFFF */, "\xC0\xAF" /* overlong '/' */, "\xC1\xBF",
        "\xE0\x80\xAE" /* overlong '.' */, "\xF0\x80\x80\xAF"}) {
    EXPECT_FALSE(PunycodeEncode(bad).ok()) << testing::PrintToString(bad);
  }
}

// ---- NormalizeHost ----

TEST(NormalizeHostTest, LowerCasesAndEncodesIdnLabels) {
  EXPECT_EQ(NormalizeHost("node-a.example.org"), "node-a.example.org");
  EXPECT_EQ(NormalizeHost("NODE-A.Example.ORG"), "node-a.example.org");
  EXPECT_EQ(NormalizeHost("sch\xC3\xBCle.example.org"), "xn--schle-mva.example.org");
  EXPECT_EQ(NormalizeHost("Sch\xC3\xBCle.Example.org"), "xn--schle-mva.example.org");
  EXPECT_EQ(NormalizeHost("xn--schle-mva.example.org"), "xn--schle-mva.example.org");
  EXPECT_EQ(NormalizeHost("XN--SCHLE-MVA.example.org"), "xn--schle-mva.example.org");
  EXPECT_EQ(NormalizeHost("b\xC3\xBC"
                          "cher.m\xC3\xBCnchen.example"),
            "xn--bcher-kva.xn--mnchen-3ya.example");
  EXPECT_EQ(NormalizeHost("\xE4\xBB\x96\xE4\xBB\xAC\xE4\xB8\xBA\xE4\xBB\x80\xE4\xB9\x88\xE4\xB8"
                          "\x8D\xE8\xAF\xB4\xE4\xB8\xAD\xE6\x96\x87.example"),
            "xn--ihqwcrb4cv8a8dqg056pqjye.example");
}

TEST(NormalizeHostTest, FoldsNonAsciiUpperCase) {
  // IDNA (UTS #46) maps upper-case letters to lower case before Punycode: SCHÜLE == schüle.
  EXPECT_EQ(NormalizeHost("SCH\xC3\x9CLE.example.org"), "xn--schle-mva.example.org");
  EXPECT_EQ(NormalizeHost("B\xC3\x9C"
                          "CHER.example"),
            "xn--bcher-kva.example");
  // Greek and Cyrillic capitals.
  EXPECT_EQ(NormalizeHost("\xCE\x91\xCE\x92\xCE\x93.example"),
            NormalizeHost("\xCE\xB1\xCE\xB2\xCE\xB3.example"));
  EXPECT_EQ(NormalizeHost("\xD0\x9F\xD0\xA0\xD0\x98\xD0\x9C\xD0\x95\xD0\xA0.example"),
            NormalizeHost("\xD0\xBF\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80.example"));
  EXPECT_EQ(NormalizeHost("\xD0\xBF\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80.example"),
            "xn--e1afmkfd.example");
}

TEST(NormalizeHostTest, KeepsPortsAndIpv6Literals) {
  EXPECT_EQ(NormalizeHost("Example.ORG:8443"), "example.org:8443");
  EXPECT_EQ(NormalizeHost("sch\xC3\xBCle.example.org:8443"), "xn--schle-mva.example.org:8443");
  EXPECT_EQ(NormalizeHost("[2001:DB8::1]"), "[2001:db8::1]");
  EXPECT_EQ(NormalizeHost("[2001:DB8::1]:8443"), "[2001:db8::1]:8443");
  EXPECT_EQ(NormalizeHost("127.0.0.1:8080"), "127.0.0.1:8080");
}

TEST(NormalizeHostTest, InvalidUtf8GivesEmpty) {
  EXPECT_EQ(NormalizeHost("bad\xFF.example"), "");
  EXPECT_EQ(NormalizeHost("sch\xC3"), "");
  // An overlong '/' or '.' must not smuggle a path or a label separator into the host.
  EXPECT_EQ(NormalizeHost("evil.example\xC0\xAFpath"), "");
  EXPECT_EQ(NormalizeHost("evil\xC0\xAE"
                          "example"),
            "");
}

// ---- LooksLikeUrl ----

TEST(LooksLikeUrlTest, HttpAndHttpsOnly) {
  EXPECT_TRUE(LooksLikeUrl("https://node-b.example.net/users/ann"));
  EXPECT_TRUE(LooksLikeUrl("http://node-b.example.net/users/ann"));
  EXPECT_TRUE(LooksLikeUrl("HTTPS://node-b.example.net/users/ann"));
  EXPECT_TRUE(LooksLikeUrl("Http://node-b.example.net/"));
  EXPECT_FALSE(LooksLikeUrl("ann@node-b.example.net"));
  EXPECT_FALSE(LooksLikeUrl("@ann@node-b.example.net"));
  EXPECT_FALSE(LooksLikeUrl("acct:ann@node-b.example.net"));
  EXPECT_FALSE(LooksLikeUrl("ftp://node-b.example.net/"));
  EXPECT_FALSE(LooksLikeUrl("javascript:alert(1)"));
  EXPECT_FALSE(LooksLikeUrl(" https://node-b.example.net/"));
  EXPECT_FALSE(LooksLikeUrl("https:/node-b.example.net/"));
  EXPECT_FALSE(LooksLikeUrl(""));
}

// ---- ParseHandle ----

struct Parsed {
  const char* text;
  const char* user;
  const char* host;
  const char* acct;
};

TEST(ParseHandleTest, AcceptsTheUsualSpellings) {
  const Parsed cases[] = {
      {"@ann@node-b.example.net", "ann", "node-b.example.net", "acct:ann@node-b.example.net"},
      {"ann@node-b.example.net", "ann", "node-b.example.net", "acct:ann@node-b.example.net"},
      {"acct:ann@node-b.example.net", "ann", "node-b.example.net", "acct:ann@node-b.example.net"},
      {"acct:@ann@node-b.example.net", "ann", "node-b.example.net", "acct:ann@node-b.example.net"},
      {"ACCT:ann@node-b.example.net", "ann", "node-b.example.net", "acct:ann@node-b.example.net"},
      // BR-13: the user keeps the case typed, the host is lower-cased.
      {"@MsSmith@NODE-B.Example.NET", "MsSmith", "node-b.example.net",
       "acct:MsSmith@node-b.example.net"},
      // Ports.
      {"ann@node-b.example.net:8443", "ann", "node-b.example.net:8443",
       "acct:ann@node-b.example.net:8443"},
      {"@ann@localhost:1", "ann", "localhost:1", "acct:ann@localhost:1"},
      {"ann@node-b.example.net:65535", "ann", "node-b.example.net:65535",
       "acct:ann@node-b.example.net:65535"},
      // BR-15: IDN hosts become Punycode.
      {"lehrer@sch\xC3\xBCle.example.org", "lehrer", "xn--schle-mva.example.org",
       "acct:lehrer@xn--schle-mva.example.org"},
      {"@lehrer@SCH\xC3\x9CLE.example.org:8443", "lehrer", "xn--schle-mva.example.org:8443",
       "acct:lehrer@xn--schle-mva.example.org:8443"},
      // Unusual but valid user parts.
      {"ann.b-c_d+e@node-b.example.net", "ann.b-c_d+e", "node-b.example.net",
       "acct:ann.b-c_d+e@node-b.example.net"},
      {"J\xC3\xBCrgen@node-b.example.net", "J\xC3\xBCrgen", "node-b.example.net",
       "acct:J\xC3\xBCrgen@node-b.example.net"},
      {"ann@127.0.0.1:8080", "ann", "127.0.0.1:8080", "acct:ann@127.0.0.1:8080"},
      {"ann@[2001:DB8::1]:8443", "ann", "[2001:db8::1]:8443", "acct:ann@[2001:db8::1]:8443"},
  };
  for (const auto& c : cases) {
    auto h = ParseHandle(c.text);
    ASSERT_TRUE(h.ok()) << c.text << ": " << h.status().ToString();
    EXPECT_EQ(h->user, c.user) << c.text;
    EXPECT_EQ(h->host, c.host) << c.text;
    EXPECT_EQ(h->Acct(), c.acct) << c.text;
  }
}

TEST(ParseHandleTest, RejectsWhatIsNotAHandle) {
  const char* bad[] = {
      "",
      "@",
      "@@",
      "ann",
      "@ann",
      "acct:ann",
      "acct:",
      "@node-b.example.net",
      "@@node-b.example.net",
      "acct:@node-b.example.net",
      "ann@",
      "@ann@",
      // spaces and control characters
      "an n@node-b.example.net",
      " ann@node-b.example.net",
      "ann@node-b.example.net ",
      "ann@node-b .example.net",
      "ann\t@node-b.example.net",
      "ann@node-b.example.net\n",
      "ann\x7f@node-b.example.net",
      // two @
      "ann@bob@node-b.example.net",
      "@ann@@node-b.example.net",
      "acct:ann@node-b.example.net@evil.example",
      // bad ports
      "ann@node-b.example.net:0",
      "ann@node-b.example.net:00000",
      "ann@node-b.example.net:65536",
      "ann@node-b.example.net:99999",
      "ann@node-b.example.net:123456",
      "ann@node-b.example.net:abc",
      "ann@node-b.example.net:-1",
      "ann@node-b.example.net:+80",
      "ann@node-b.example.net:",
      "ann@node-b.example.net:80:80",
      "ann@:8443",
      "ann@[2001:db8::1]:abc",
      "ann@[2001:db8::1]:0",
      "ann@[2001:db8::1",
      "ann@[not-ipv6]",
      // bad hosts
      "ann@.example.net",
      "ann@node-b..example.net",
      "ann@node-b.example.net.",
      "ann@node-b.example.net/users/ann",
      "ann@node-b.example.net?x=1",
      "ann@node-b.example.net#x",
      "ann@node-b.example.net\\x",
      "ann@node-b%2eexample.net",
      "ann@node\"b.example.net",
      "ann@node<b>.example.net",
      "ann@node-b.example.net\xFF",
      "ann@evil.example\xC0\xAFpath",
      // bad user parts
      "an/n@node-b.example.net",
      "an?n@node-b.example.net",
      "an#n@node-b.example.net",
      "an:n@node-b.example.net",
      "an%40n@node-b.example.net",
      "https://node-b.example.net/users/ann",
      "mailto:ann@node-b.example.net",
  };
  for (const char* text : bad) {
    auto h = ParseHandle(text);
    EXPECT_FALSE(h.ok()) << testing::PrintToString(std::string(text)) << " parsed as "
                         << (h.ok() ? h->Acct() : "");
    if (!h.ok()) EXPECT_TRUE(h.status().Is(cs::Status::Code::kInvalidInput)) << text;
  }
}

}  // namespace
}  // namespace federation
