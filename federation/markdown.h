// What teachers write (Markdown, GitHub flavour: autolinks, strikethrough, tables) turned into
// the HTML we send. Raw HTML in the Markdown is never passed through (cmark-gfm without
// CMARK_OPT_UNSAFE), and the result goes through the sanitizer as well. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace federation {

std::string RenderMarkdown(std::string_view markdown);

}  // namespace federation
