#include "federation/post_title.h"

#include <vector>

#include "federation/html_sanitizer.h"

namespace federation {
namespace {

constexpr std::string_view kEllipsis = "\u2026";
// A cut at a space this early would leave a stub of a title: cut inside the long word instead.
constexpr size_t kMinWordCut = kMaxDerivedTitle / 4;

struct CodePoint {
  size_t offset = 0, size = 1;
  char32_t value = 0;
};

// Lenient UTF-8 decoding (the sanitizer already replaced invalid input): a byte that does not
// start a valid sequence counts as one code point of its own, so offsets always advance.
std::vector<CodePoint> Decode(std::string_view s) {
  std::vector<CodePoint> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    char32_t v = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    bool ok = n != 0 && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      ok = (cc & 0xC0) == 0x80;
      v = (v << 6) | (cc & 0x3F);
    }
    if (!ok) n = 1, v = 0xFFFD;
    out.push_back({i, n, v});
    i += n;
  }
  return out;
}

bool IsSpace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == 0xA0 || c == 0x2007 ||
         c == 0x202F || (c >= 0x2000 && c <= 0x200A) || c == 0x3000;
}

// Code points that belong to the character before them: a cut must not fall just before one.
bool ExtendsPrevious(char32_t c) {
  return (c >= 0x0300 && c <= 0x036F) ||  // combining diacritics
         (c >= 0x1AB0 && c <= 0x1AFF) || (c >= 0x1DC0 && c <= 0x1DFF) ||
         (c >= 0x20D0 && c <= 0x20FF) ||  // combining marks for symbols (keycap U+20E3)
         (c >= 0xFE00 && c <= 0xFE0F) ||  // variation selectors (emoji presentation)
         (c >= 0xFE20 && c <= 0xFE2F) || c == 0x200C || c == 0x200D ||  // zero-width (non-)joiner
         (c >= 0x1F3FB && c <= 0x1F3FF) ||                              // skin tones
         (c >= 0xE0020 && c <= 0xE007F) ||  // tag sequences (subdivision flags)
         (c >= 0xE0100 && c <= 0xE01EF);
}
bool IsRegionalIndicator(char32_t c) { return c >= 0x1F1E6 && c <= 0x1F1FF; }

// Whether a cut before cps[i] keeps every character whole.
bool MayCutBefore(const std::vector<CodePoint>& cps, size_t i) {
  if (i == 0 || i >= cps.size()) return true;
  if (ExtendsPrevious(cps[i].value) || cps[i - 1].value == 0x200D) return false;
  if (IsRegionalIndicator(cps[i].value)) {
    // Flags are pairs of regional indicators: a cut after an odd run of them splits one.
    size_t run = 0;
    for (size_t k = i; k > 0 && IsRegionalIndicator(cps[k - 1].value); --k) ++run;
    return run % 2 == 0;
  }
  return true;
}

// Drops the mentions a line starts with: a microblog post into a community usually begins with
// "@maths@school.example" (that is how its author addressed the group), which names no topic.
std::string WithoutLeadingMentions(std::string line) {
  size_t start = 0;
  while (start < line.size() && line[start] == '@') {
    size_t space = line.find(' ', start);
    start = space == std::string::npos ? line.size() : space + 1;
  }
  return line.substr(start);
}

// The first line with text other than mentions, whitespace collapsed to single spaces.
std::string FirstLine(std::string_view text) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    std::string out;
    bool pending_space = false;
    for (const CodePoint& cp : Decode(line)) {
      if (IsSpace(cp.value)) {
        pending_space = !out.empty();
        continue;
      }
      if (pending_space) out.push_back(' ');
      pending_space = false;
      out.append(line.substr(cp.offset, cp.size));
    }
    out = WithoutLeadingMentions(std::move(out));
    if (!out.empty() || nl == std::string_view::npos) return out;
    text.remove_prefix(nl + 1);
  }
  return "";
}

std::string TitleFromText(std::string_view text) {
  std::string line = FirstLine(text);
  std::vector<CodePoint> cps = Decode(line);
  if (cps.size() <= kMaxDerivedTitle) return line;
  const size_t keep = kMaxDerivedTitle - 1;  // room for the ellipsis
  size_t cut = 0;
  // A word boundary: the last space at or before `keep` (a space at `keep` ends a whole word).
  for (size_t i = keep + 1; i-- > kMinWordCut;)
    if (cps[i].value == ' ') {
      cut = i;
      break;
    }
  if (cut == 0) {
    cut = keep;
    while (cut > 0 && !MayCutBefore(cps, cut)) --cut;
  }
  std::string out = line.substr(0, cps[cut].offset);
  // "word, …" reads badly: no dangling separators before the ellipsis.
  while (!out.empty() && (out.back() == ' ' || out.back() == ',' || out.back() == ';' ||
                          out.back() == ':' || out.back() == '-'))
    out.pop_back();
  return out + std::string(kEllipsis);
}

}  // namespace

std::string DeriveTitle(std::string_view html) {
  // In HTML a newline in text is a space (Markdown's soft breaks, wrapped source); lines end at
  // <br> and block ends, which HtmlToText turns into newlines. Content with no markup at all is
  // taken as the plain text some servers send, whose newlines do end lines.
  if (html.find('<') == std::string_view::npos) return TitleFromText(HtmlToText(html));
  std::string flat(html);
  for (char& c : flat)
    if (c == '\n' || c == '\r') c = ' ';
  return TitleFromText(HtmlToText(flat));
}

PostTitle TitleOf(const store::ObjectRecord& post) {
  if (!post.name.empty()) return {post.name, false};
  if (!post.in_reply_to.empty() || post.audience.empty()) return {};
  std::string derived =
      post.summary.empty() ? DeriveTitle(post.content_html) : TitleFromText(post.summary);
  if (derived.empty()) return {};
  return {std::move(derived), true};
}

}  // namespace federation
