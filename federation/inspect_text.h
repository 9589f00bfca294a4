// Short plain-text previews of remote HTML for `activity inspect` and logs. NOT a sanitizer:
// the output is text for a terminal or a log line, never HTML. Stateless; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace federation {

// Drops tags (block tags and <br> become a space), decodes the common entities and numeric
// character references, collapses whitespace, drops control characters, and keeps at most
// `max_chars` code points (never cutting a UTF-8 sequence). Input must be valid UTF-8 (as every
// string from ParseJson is).
std::string HtmlPreview(std::string_view html, size_t max_chars = 80);

// Replaces ASCII control characters (and DEL) by '?', keeping '\n' only when `keep_newlines`.
std::string WithoutControlChars(std::string_view text, bool keep_newlines = false);

}  // namespace federation
