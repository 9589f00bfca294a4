#include "cli/input.h"

#include <string>

#include "cli/output.h"
#include "federation/address_guard.h"
#include "federation/punycode.h"

namespace cli {

cs::Status CheckTyped(std::string_view option, std::string_view text, size_t max_chars,
                      Lines lines) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++chars) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const size_t n = Utf8Length(text, i);
    if (n == 0) return cs::Status::InvalidInput(std::string(option) + " is not UTF-8 text");
    const bool newline_or_tab = c == '\n' || c == '\t';
    const bool control = (n == 1 && (c < 0x20 || c == 0x7F)) ||
                         (n == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) <= 0x9F);
    if (control && !(lines == Lines::kMany && newline_or_tab))
      return cs::Status::InvalidInput(
          std::string(option) + " may not contain control characters" +
          (newline_or_tab ? " (it is one line)" : " (escape sequences, CR, ...)"));
    i += n;
  }
  if (chars > max_chars)
    return cs::Status::InvalidInput(std::string(option) + " is limited to " +
                                    std::to_string(max_chars) + " characters (got " +
                                    std::to_string(chars) + ")");
  return cs::Status::Ok();
}

std::string DomainKey(const federation::Url& url) {
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  return url.explicit_port ? host + ":" + std::to_string(url.port) : host;
}

cs::Result<federation::Url> ParseDomain(std::string_view what, std::string_view text,
                                        std::string_view scheme) {
  auto bad = [&] {
    return cs::Status::InvalidInput(std::string(what) + " wants HOST[:PORT], got '" +
                                    std::string(text) + "'");
  };
  const std::string host = federation::NormalizeHost(text);
  if (host.empty()) return bad();
  auto url = federation::ParseUrl(std::string(scheme) + "://" + host + "/");
  if (!url.ok() || url->path != "/" || !url->query.empty() || !url->fragment.empty()) return bad();
  if (!federation::ParseIpAddress(url->host).ok()) {
    // A name: dot-separated labels of 1-63 letters, digits and '-' (not at either end).
    size_t start = 0;
    while (true) {
      size_t end = url->host.find('.', start);
      std::string_view label =
          std::string_view(url->host).substr(start, end == std::string::npos ? end : end - start);
      if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
        return bad();
      for (char c : label)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return bad();
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  return url;
}

}  // namespace cli
