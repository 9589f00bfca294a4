#include "federation/punycode.h"

#include <algorithm>
#include <locale.h>

#include <clocale>
#include <cwctype>
#include <vector>

namespace federation {
namespace {

// Decodes UTF-8 into code points; false on malformed input.
bool DecodeUtf8(std::string_view s, std::vector<uint32_t>& out) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    int extra;
    if (c < 0x80)
      cp = c, extra = 0;
    else if ((c & 0xe0) == 0xc0)
      cp = c & 0x1f, extra = 1;
    else if ((c & 0xf0) == 0xe0)
      cp = c & 0x0f, extra = 2;
    else if ((c & 0xf8) == 0xf0)
      cp = c & 0x07, extra = 3;
    else
      return false;
    if (extra > 0 && i + extra >= s.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms are refused: "\xC0\xAF" must not become '/' inside a host.
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    out.push_back(cp);
    i += extra + 1;
  }
  return true;
}

char Digit(uint32_t d) { return static_cast<char>(d < 26 ? 'a' + d : '0' + (d - 26)); }

uint32_t Adapt(uint32_t delta, uint32_t numpoints, bool first) {
  delta = first ? delta / 700 : delta / 2;
  delta += delta / numpoints;
  uint32_t k = 0;
  while (delta > ((36 - 1) * 26) / 2) {
    delta /= 36 - 1;
    k += 36;
  }
  return k + (36 * delta) / (delta + 38);
}

// Lower case as IDNA (UTS #46) maps it, from the C.UTF-8 locale's tables (ASCII only if the
// locale is missing).
uint32_t ToLower(uint32_t cp) {
  if (cp < 0x80) return cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp;
  static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  if (utf8 == static_cast<locale_t>(0)) return cp;
  return static_cast<uint32_t>(towlower_l(static_cast<wint_t>(cp), utf8));
}

cs::Result<std::string> Encode(const std::vector<uint32_t>& input) {
  std::string out;
  for (uint32_t cp : input)
    if (cp < 0x80) out.push_back(static_cast<char>(cp));
  uint32_t b = static_cast<uint32_t>(out.size()), h = b;
  if (b > 0) out.push_back('-');
  uint32_t n = 128, delta = 0, bias = 72;
  while (h < input.size()) {
    uint32_t m = 0x7fffffff;
    for (uint32_t cp : input)
      if (cp >= n && cp < m) m = cp;
    if ((m - n) > (0xffffffffu - delta) / (h + 1))
      return cs::Status::InvalidInput("punycode overflow");
    delta += (m - n) * (h + 1);
    n = m;
    for (uint32_t cp : input) {
      if (cp < n && ++delta == 0) return cs::Status::InvalidInput("punycode overflow");
      if (cp == n) {
        uint32_t q = delta;
        for (uint32_t k = 36;; k += 36) {
          uint32_t t = k <= bias ? 1 : (k >= bias + 26 ? 26 : k - bias);
          if (q < t) break;
          out.push_back(Digit(t + (q - t) % (36 - t)));
          q = (q - t) / (36 - t);
        }
        out.push_back(Digit(q));
        bias = Adapt(delta, h + 1, h == b);
        delta = 0;
        ++h;
      }
    }
    ++delta;
    ++n;
  }
  return out;
}

}  // namespace

cs::Result<std::string> PunycodeEncode(std::string_view utf8_label) {
  std::vector<uint32_t> input;
  if (!DecodeUtf8(utf8_label, input)) return cs::Status::InvalidInput("not UTF-8");
  return Encode(input);
}

std::string NormalizeHost(std::string_view host) {
  std::string port;
  std::string_view name = host;
  if (!name.empty() && name.front() == '[') {  // IPv6 literal
    std::string out;
    for (char c : host) out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    return out;
  }
  if (auto colon = name.rfind(':'); colon != std::string_view::npos) {
    port = std::string(name.substr(colon));
    name = name.substr(0, colon);
  }
  std::string out;
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    std::string_view label =
        name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    bool ascii = true;
    for (char c : label)
      if (static_cast<unsigned char>(c) >= 0x80) ascii = false;
    if (!out.empty() || start > 0) out.push_back('.');
    if (ascii) {
      for (char c : label)
        out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    } else {
      // Lower-cased code point by code point (SCHÜLE is schüle); NFC is left to the sender.
      std::vector<uint32_t> cps;
      if (!DecodeUtf8(label, cps)) return "";
      bool still_ascii = true;
      for (uint32_t& cp : cps) {
        cp = ToLower(cp);
        if (cp >= 0x80) still_ascii = false;
      }
      if (still_ascii) {  // e.g. KELVIN SIGN lower-cases to 'k'
        for (uint32_t cp : cps) out.push_back(static_cast<char>(cp));
      } else {
        auto puny = Encode(cps);
        if (!puny.ok()) return "";
        out += "xn--" + *puny;
      }
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out + port;
}

std::string NormalizeUrlHost(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const size_t host_start = scheme_end + 3;
  const size_t host_end = std::min(url.find_first_of("/?#", host_start), url.size());
  std::string_view authority = url.substr(host_start, host_end - host_start);
  if (authority.find('@') != std::string_view::npos)
    return std::string(url);  // userinfo: refused later
  bool ascii = true;
  for (unsigned char c : authority) ascii = ascii && c < 0x80;
  if (ascii) return std::string(url);
  std::string host = NormalizeHost(authority);
  if (host.empty()) return std::string(url);  // invalid UTF-8: the URL parser refuses it
  return std::string(url.substr(0, host_start)) + host + std::string(url.substr(host_end));
}

}  // namespace federation
