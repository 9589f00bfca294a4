// Remote HTML made safe to store and show: parsed with gumbo (never by regex) and rebuilt from
// an allowlist of tags and attributes. Links keep only absolute http(s) targets and get
// rel="nofollow noopener noreferrer"; scripts, styles, frames, forms and embedded documents go
// with their content; every on* attribute and style goes; unknown tags are unwrapped (their
// text stays). Text and attribute values are escaped on output. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace federation {

std::string SanitizeHtml(std::string_view html);
// & < > " ' escaped.
std::string EscapeHtml(std::string_view text);
// Plain text for previews and the command line: tags dropped, <br> and block ends as newlines.
std::string HtmlToText(std::string_view html);
// `:name:` with name of [A-Za-z0-9_]+ (custom emoji, BR-21).
bool IsValidEmojiShortcode(std::string_view s);

}  // namespace federation
