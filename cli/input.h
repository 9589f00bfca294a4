// Checks of text a user types on the command line, before anything is stored or sent: the
// same text is shown on other schools' pages and terminals, so control characters (terminal
// escapes, a CR that overwrites a line) are refused here rather than cleaned up everywhere else.
#pragma once

#include <cstddef>
#include <string_view>

#include "federation/url.h"
#include "store/status.h"

namespace cli {

// Limits in characters (code points), not bytes: Dutch accents and emoji count as one.
inline constexpr size_t kMaxTitleChars = 200;         // post and resource titles
inline constexpr size_t kMaxDisplayNameChars = 100;   // `user add --display-name`
inline constexpr size_t kMaxSummaryChars = 500;       // a content warning (`post --summary`)
inline constexpr size_t kMaxDescriptionChars = 5000;  // a community's description

enum class Lines { kOne, kMany };

// InvalidInput (exit 2) naming `option` when `text` is not UTF-8, holds a control character
// (C0, DEL, C1; kMany allows \n and \t, so a description may have paragraphs) or is longer than
// `max_chars` characters.
cs::Status CheckTyped(std::string_view option, std::string_view text, size_t max_chars,
                      Lines lines = Lines::kOne);

// HOST[:PORT] as `init --domain`, `domain block` and `trust add` take it: a host name (labels
// of letters, digits and '-', none empty: "evil..example" is refused; Unicode becomes
// punycode) or an IP address, with an optional port; nothing else (no path, user, query).
// Parsed with the node's URL parser under `scheme`; InvalidInput naming `what` otherwise.
cs::Result<federation::Url> ParseDomain(std::string_view what, std::string_view text,
                                        std::string_view scheme = "https");
// How a parsed domain is kept in the block and trust lists: host, ":port" when one was given
// (IPv6 in brackets).
std::string DomainKey(const federation::Url& url);

}  // namespace cli
