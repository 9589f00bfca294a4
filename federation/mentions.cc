#include "federation/mentions.h"

#include <algorithm>
#include <cctype>

#include "federation/html_sanitizer.h"
#include "federation/json.h"
#include "federation/markdown.h"
#include "federation/uris.h"

namespace federation {
namespace {

constexpr size_t kMaxTagName = 100;

bool IsUserChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}
bool IsHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
}
bool IsTagChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
// A mention or hashtag starts a word: at the start, or after a space or opening punctuation
// (never inside a URL, an e-mail address or an HTML entity).
bool StartsWord(std::string_view s, size_t i) {
  if (i == 0) return true;
  char p = s[i - 1];
  return std::isspace(static_cast<unsigned char>(p)) || p == '(' || p == '[' || p == '{' ||
         p == '"' || p == '\'' || p == '*' || p == '_' || p == '~' || p == ',' || p == ';' ||
         p == '!' || p == '?' || p == '>';
}
std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

enum class TokenKind { kMention, kHashtag };
struct Token {
  TokenKind kind;
  size_t begin, end;      // in the source, including the '@' or '#'
  MentionHandle mention;  // kMention
  std::string tag;        // kHashtag, without '#'
};

// A mention at s[i] == '@': user, then optionally @host[:port]. Trailing dots and dashes (end of
// a sentence) are not part of it.
std::optional<Token> MentionAt(std::string_view s, size_t i) {
  size_t j = i + 1;
  while (j < s.size() && IsUserChar(s[j])) ++j;
  size_t user_end = j;
  while (user_end > i + 1 && (s[user_end - 1] == '.' || s[user_end - 1] == '-')) --user_end;
  if (user_end == i + 1) return std::nullopt;
  Token t{TokenKind::kMention, i, user_end, {}, {}};
  t.mention.user = std::string(s.substr(i + 1, user_end - i - 1));
  if (user_end == j && j < s.size() && s[j] == '@') {
    size_t h = j + 1;
    while (h < s.size() && IsHostChar(s[h])) ++h;
    size_t host_end = h;
    while (host_end > j + 1 && (s[host_end - 1] == '.' || s[host_end - 1] == '-')) --host_end;
    if (host_end > j + 1) {
      if (host_end == h && h + 1 < s.size() && s[h] == ':' &&
          std::isdigit(static_cast<unsigned char>(s[h + 1]))) {
        size_t p = h + 1;
        while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p]))) ++p;
        host_end = p;
      }
      t.mention.host = Lower(s.substr(j + 1, host_end - j - 1));
      t.end = host_end;
    }
  }
  if (t.end < s.size() && s[t.end] == '@') return std::nullopt;  // @a@@b: not a handle
  t.mention.text = std::string(s.substr(i + 1, t.end - i - 1));
  return t;
}

std::optional<Token> HashtagAt(std::string_view s, size_t i) {
  size_t j = i + 1;
  while (j < s.size() && IsTagChar(s[j]) && j - i - 1 < kMaxTagName) ++j;
  if (j == i + 1) return std::nullopt;
  // Whole UTF-8 sequences only.
  while (j > i + 1 && (static_cast<unsigned char>(s[j - 1]) & 0xC0) == 0xC0) --j;
  std::string_view name = s.substr(i + 1, j - i - 1);
  bool all_digits = std::all_of(name.begin(), name.end(),
                                [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  if (name.empty() || all_digits) return std::nullopt;
  return Token{TokenKind::kHashtag, i, j, {}, std::string(name)};
}

std::vector<Token> Scan(std::string_view s) {
  std::vector<Token> out;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((s[i] != '@' && s[i] != '#') || !StartsWord(s, i)) continue;
    std::optional<Token> t = s[i] == '@' ? MentionAt(s, i) : HashtagAt(s, i);
    if (!t) continue;
    i = t->end - 1;
    out.push_back(std::move(*t));
  }
  return out;
}

std::string HashtagHref(const std::string& origin, std::string_view name) {
  return origin + "/tags/" + Lower(name);
}

}  // namespace

std::vector<MentionHandle> FindMentions(std::string_view markdown) {
  std::vector<MentionHandle> out;
  for (auto& t : Scan(markdown)) {
    if (t.kind != TokenKind::kMention) continue;
    bool seen = std::any_of(out.begin(), out.end(), [&](const MentionHandle& m) {
      return Lower(m.user) == Lower(t.mention.user) && m.host == t.mention.host;
    });
    if (!seen) out.push_back(std::move(t.mention));
  }
  return out;
}

std::vector<std::string> FindHashtags(std::string_view markdown) {
  std::vector<std::string> out;
  for (auto& t : Scan(markdown)) {
    if (t.kind != TokenKind::kHashtag) continue;
    bool seen = std::any_of(out.begin(), out.end(),
                            [&](const std::string& h) { return Lower(h) == Lower(t.tag); });
    if (!seen) out.push_back(std::move(t.tag));
  }
  return out;
}

RenderedPost RenderPost(std::string_view markdown, const std::string& origin,
                        const MentionResolver& resolve) {
  RenderedPost out;
  std::vector<Token> tokens = Scan(markdown);
  if (tokens.empty()) {
    out.html = RenderMarkdown(markdown);
    return out;
  }
  // Each token becomes a placeholder of letters and digits (which Markdown leaves alone), made
  // unguessable by a nonce; after rendering, placeholders in text become links, and those inside
  // code, links or attributes become the original text again.
  const std::string nonce = "cs" + RandomId() + "n";
  std::string source;
  std::vector<std::string> link_html, original;
  size_t pos = 0;
  std::vector<store::TagRef> mention_tags, hashtag_tags;
  for (const Token& t : tokens) {
    std::string html;
    if (t.kind == TokenKind::kMention) {
      std::optional<MentionTarget> target = resolve ? resolve(t.mention) : std::nullopt;
      if (target && IsHttpUrl(target->actor_id)) {
        std::string url = target->url.empty() ? target->actor_id : target->url;
        html = "<span class=\"h-card\"><a href=\"" + EscapeHtml(url) +
               "\" class=\"u-url mention\">@<span>" + EscapeHtml(t.mention.user) +
               "</span></a></span>";
        if (std::find(out.mentioned.begin(), out.mentioned.end(), target->actor_id) ==
            out.mentioned.end()) {
          out.mentioned.push_back(target->actor_id);
          mention_tags.push_back({"Mention", target->name, target->actor_id});
        }
      }
    } else {
      std::string href = HashtagHref(origin, t.tag);
      html = "<a href=\"" + EscapeHtml(href) + "\" class=\"mention hashtag\" rel=\"tag\">#<span>" +
             EscapeHtml(t.tag) + "</span></a>";
      bool seen = std::any_of(hashtag_tags.begin(), hashtag_tags.end(),
                              [&](const store::TagRef& h) { return h.href == href; });
      if (!seen) hashtag_tags.push_back({"Hashtag", "#" + Lower(t.tag), href});
    }
    source.append(markdown.substr(pos, t.begin - pos));
    pos = t.end;
    std::string text(markdown.substr(t.begin, t.end - t.begin));
    if (html.empty()) {
      source += text;
      continue;
    }
    source += nonce + std::to_string(link_html.size()) + "z";
    link_html.push_back(std::move(html));
    original.push_back(EscapeHtml(text));
  }
  source.append(markdown.substr(pos));
  std::string rendered = RenderMarkdown(source);

  auto substitute = [&](std::string_view text, bool as_link) {
    std::string r;
    size_t at = 0;
    while (true) {
      size_t p = text.find(nonce, at);
      if (p == std::string_view::npos) break;
      size_t q = p + nonce.size();
      size_t digits_end = q;
      while (digits_end < text.size() && std::isdigit(static_cast<unsigned char>(text[digits_end])))
        ++digits_end;
      if (digits_end == q || digits_end >= text.size() || text[digits_end] != 'z') {
        r.append(text.substr(at, q - at));
        at = q;
        continue;
      }
      size_t index = std::stoul(std::string(text.substr(q, digits_end - q)));
      r.append(text.substr(at, p - at));
      if (index < link_html.size()) r += as_link ? link_html[index] : original[index];
      at = digits_end + 1;
    }
    r.append(text.substr(at));
    return r;
  };

  std::string html;
  int in_link = 0, in_code = 0;
  size_t i = 0;
  while (i < rendered.size()) {
    size_t lt = rendered.find('<', i);
    std::string_view text =
        std::string_view(rendered).substr(i, lt == std::string::npos ? std::string::npos : lt - i);
    html += substitute(text, in_link == 0 && in_code == 0);
    if (lt == std::string::npos) break;
    size_t gt = rendered.find('>', lt);
    if (gt == std::string::npos) gt = rendered.size() - 1;
    std::string_view tag = std::string_view(rendered).substr(lt, gt - lt + 1);
    auto starts = [&](std::string_view p) { return tag.substr(0, p.size()) == p; };
    if (starts("<a ") || starts("<a>"))
      ++in_link;
    else if (starts("</a>"))
      in_link = std::max(0, in_link - 1);
    else if (starts("<code") || starts("<pre"))
      ++in_code;
    else if (starts("</code>") || starts("</pre>"))
      in_code = std::max(0, in_code - 1);
    html += substitute(tag, false);
    i = gt + 1;
  }
  out.html = SanitizeHtml(html);
  out.tags = std::move(mention_tags);
  out.tags.insert(out.tags.end(), hashtag_tags.begin(), hashtag_tags.end());
  return out;
}

std::vector<store::TagRef> KeepTags(const std::vector<Tag>& tags) {
  std::vector<store::TagRef> out;
  for (const auto& t : tags) {
    if (out.size() >= 64) break;
    if (t.type != "Mention" && t.type != "Hashtag") continue;
    std::string name = HtmlToText(t.name);
    if (name.empty() || name.size() > 256) continue;
    if (!t.href.empty() && !IsHttpUrl(t.href)) continue;
    if (t.type == "Mention" && t.href.empty()) continue;  // a mention must name its actor
    store::TagRef ref{t.type, std::move(name), t.href};
    if (std::find(out.begin(), out.end(), ref) == out.end()) out.push_back(std::move(ref));
  }
  return out;
}

}  // namespace federation
