// RFC 3492 Punycode and IDNA-style host normalization (ToASCII per label, lower-case).
// Unicode normalization (NFC) is not applied: hosts are expected in NFC already.
#pragma once

#include <string>
#include <string_view>

#include "store/status.h"

namespace federation {

// Encodes one label's code points (UTF-8 in) as Punycode (no "xn--" prefix).
cs::Result<std::string> PunycodeEncode(std::string_view utf8_label);
// Lower-cases a host and turns every non-ASCII label into "xn--" + Punycode. A ":port" suffix
// and IPv6 brackets are kept. Returns "" for hosts that are not valid UTF-8.
std::string NormalizeHost(std::string_view host);
// The URL with its authority's host normalized as above when it holds non-ASCII bytes (a key id
// or actor id spelled with a Unicode host); any other URL comes back unchanged.
std::string NormalizeUrlHost(std::string_view url);

}  // namespace federation
