#include "federation/html_sanitizer.h"

#include <gumbo.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <vector>

namespace federation {
namespace {

struct GumboFree {
  void operator()(GumboOutput* out) const { gumbo_destroy_output(&kGumboDefaultOptions, out); }
};
using GumboDoc = std::unique_ptr<GumboOutput, GumboFree>;

// Input beyond this is cut before parsing (the inbox limit is 1 MiB).
constexpr size_t kMaxInput = 2 << 20;
// Gumbo 0.10 spends time proportional to the depth of the tree on most tags (scope checks walk
// the stack of open elements) and frees the tree recursively: 100,000 nested <div> cost minutes
// of CPU. Every tag, comment or doctype starts with a '<', so only the first kMaxMarkup '<' are
// left as markup; later ones turn into text ("<x ...>" into a space, a lone '<' into "&lt;"), so
// the tree, its depth and the parse time stay bounded whatever the input.
constexpr size_t kMaxMarkup = 8192;

std::string LimitMarkup(std::string_view html) {
  std::string out;
  size_t seen = 0;
  for (size_t i = 0; i < html.size();) {
    size_t lt = html.find('<', i);
    if (lt == std::string_view::npos) lt = html.size();
    out.append(html.substr(i, lt - i));
    if (lt == html.size()) break;
    if (++seen <= kMaxMarkup) {
      out.push_back('<');
      i = lt + 1;
      continue;
    }
    char next = lt + 1 < html.size() ? html[lt + 1] : '\0';
    if (std::isalpha(static_cast<unsigned char>(next)) || next == '/' || next == '!' ||
        next == '?') {
      size_t gt = html.find('>', lt);
      out.push_back(' ');
      i = gt == std::string_view::npos ? html.size() : gt + 1;
    } else {
      out += "&lt;";
      i = lt + 1;
    }
  }
  return out;
}

// `storage` keeps a rewritten input alive as long as the tree (nodes point into the input).
GumboDoc Parse(std::string_view html, std::string& storage) {
  if (html.size() > kMaxInput) html = html.substr(0, kMaxInput);
  if (std::count(html.begin(), html.end(), '<') > static_cast<std::ptrdiff_t>(kMaxMarkup)) {
    storage = LimitMarkup(html);
    html = storage;
  }
  return GumboDoc(gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size()));
}

const GumboNode* Body(const GumboOutput* out) {
  const GumboNode* root = out->root;
  if (root == nullptr || root->type != GUMBO_NODE_ELEMENT) return nullptr;
  const GumboVector& children = root->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    auto* child = static_cast<const GumboNode*>(children.data[i]);
    if (child->type == GUMBO_NODE_ELEMENT && child->v.element.tag == GUMBO_TAG_BODY) return child;
  }
  return nullptr;
}

bool DropWithContent(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_MATH:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_INPUT:
    case GUMBO_TAG_FRAMESET:
    case GUMBO_TAG_FRAME:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_APPLET:
    case GUMBO_TAG_AUDIO:
    case GUMBO_TAG_VIDEO:
    case GUMBO_TAG_CANVAS:
    case GUMBO_TAG_IMG:
      return true;
    default:
      return false;
  }
}

// The tag we write for an allowed element ("" when it is unwrapped).
const char* AllowedName(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_P:
      return "p";
    case GUMBO_TAG_A:
      return "a";
    case GUMBO_TAG_SPAN:
      return "span";
    case GUMBO_TAG_STRONG:
      return "strong";
    case GUMBO_TAG_B:
      return "b";
    case GUMBO_TAG_EM:
      return "em";
    case GUMBO_TAG_I:
      return "i";
    case GUMBO_TAG_U:
      return "u";
    case GUMBO_TAG_S:
      return "s";
    case GUMBO_TAG_DEL:
      return "del";
    case GUMBO_TAG_CODE:
      return "code";
    case GUMBO_TAG_PRE:
      return "pre";
    case GUMBO_TAG_BLOCKQUOTE:
      return "blockquote";
    case GUMBO_TAG_UL:
      return "ul";
    case GUMBO_TAG_OL:
      return "ol";
    case GUMBO_TAG_LI:
      return "li";
    case GUMBO_TAG_SUP:
      return "sup";
    case GUMBO_TAG_SUB:
      return "sub";
    case GUMBO_TAG_TABLE:
      return "table";
    case GUMBO_TAG_THEAD:
      return "thead";
    case GUMBO_TAG_TBODY:
      return "tbody";
    case GUMBO_TAG_TR:
      return "tr";
    case GUMBO_TAG_TH:
      return "th";
    case GUMBO_TAG_TD:
      return "td";
    default:
      return "";
  }
}

bool IsHeading(GumboTag t) {
  return t == GUMBO_TAG_H1 || t == GUMBO_TAG_H2 || t == GUMBO_TAG_H3 || t == GUMBO_TAG_H4 ||
         t == GUMBO_TAG_H5 || t == GUMBO_TAG_H6;
}

void AppendEscaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
}

// Text for a terminal: C0 controls other than tab and newline, DEL and C1 controls (U+0080 to
// U+009F) are dropped. Gumbo replaces raw ones with U+FFFD but character references such as
// "&#x1b;" arrive as the control character itself.
void AppendPlain(std::string& out, std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) continue;
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
      ++i;  // U+0080..U+009F (the next byte is a continuation byte, so >= 0x80)
      continue;
    }
    out.push_back(s[i]);
  }
}

// An absolute http(s) URL with no whitespace or control characters anywhere.
bool SafeHref(std::string_view v) {
  while (!v.empty() &&
         (v.front() == ' ' || v.front() == '\t' || v.front() == '\n' || v.front() == '\r'))
    v.remove_prefix(1);
  while (!v.empty() &&
         (v.back() == ' ' || v.back() == '\t' || v.back() == '\n' || v.back() == '\r'))
    v.remove_suffix(1);
  for (char c : v)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>' ||
        c == '\\')
      return false;
  std::string lower;
  for (char c : v.substr(0, 8))
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  size_t rest = lower.rfind("https://", 0) == 0 ? 8 : lower.rfind("http://", 0) == 0 ? 7 : 0;
  return rest > 0 && v.size() > rest;  // something after "://"
}

std::string AllowedClasses(std::string_view classes) {
  static const char* kAllowed[] = {"h-card", "mention",   "hashtag",
                                   "u-url",  "invisible", "ellipsis"};
  std::string out;
  size_t start = 0;
  while (start < classes.size()) {
    size_t end = classes.find_first_of(" \t\n\f\r", start);
    std::string_view c =
        classes.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    for (const char* a : kAllowed)
      if (c == a) out += (out.empty() ? "" : " ") + std::string(c);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

const char* Attr(const GumboElement& e, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&e.attributes, name);
  return a ? a->value : nullptr;
}

struct Frame {
  const GumboNode* node;
  unsigned next = 0;
  std::string close;
};

// Walks with an explicit stack: deeply nested input cannot overflow the call stack.
void Walk(const GumboNode* body, std::string& out, bool text_only) {
  std::vector<Frame> stack;
  stack.push_back({body, 0, ""});
  while (!stack.empty()) {
    Frame& f = stack.back();
    const GumboVector& children = f.node->v.element.children;
    if (f.next >= children.length) {
      out += f.close;
      stack.pop_back();
      continue;
    }
    auto* child = static_cast<const GumboNode*>(children.data[f.next++]);
    switch (child->type) {
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_WHITESPACE:
      case GUMBO_NODE_CDATA:
        if (text_only)
          AppendPlain(out, child->v.text.text);
        else
          AppendEscaped(out, child->v.text.text);
        break;
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE: {
        const GumboElement& e = child->v.element;
        if (DropWithContent(e.tag)) break;
        if (text_only) {
          std::string close;
          if (e.tag == GUMBO_TAG_BR) {
            out += "\n";
          } else if (e.tag == GUMBO_TAG_P || e.tag == GUMBO_TAG_LI || IsHeading(e.tag) ||
                     e.tag == GUMBO_TAG_BLOCKQUOTE || e.tag == GUMBO_TAG_PRE) {
            close = "\n";
          }
          stack.push_back({child, 0, close});
          break;
        }
        if (e.tag == GUMBO_TAG_BR) {
          out += "<br>";
          break;
        }
        if (e.tag == GUMBO_TAG_HR) {
          out += "<hr>";
          break;
        }
        if (IsHeading(e.tag)) {
          out += "<p><strong>";
          stack.push_back({child, 0, "</strong></p>"});
          break;
        }
        std::string name = AllowedName(e.tag);
        if (name.empty()) {
          stack.push_back({child, 0, ""});  // unwrap: keep the text
          break;
        }
        out += "<" + name;
        if (e.tag == GUMBO_TAG_A) {
          const char* href = Attr(e, "href");
          if (href != nullptr && SafeHref(href)) {
            out += " href=\"";
            std::string_view h = href;
            while (!h.empty() && std::isspace(static_cast<unsigned char>(h.front())))
              h.remove_prefix(1);
            while (!h.empty() && std::isspace(static_cast<unsigned char>(h.back())))
              h.remove_suffix(1);
            AppendEscaped(out, h);
            out += "\" rel=\"nofollow noopener noreferrer\"";
          }
        }
        if (e.tag == GUMBO_TAG_A || e.tag == GUMBO_TAG_SPAN) {
          if (const char* cls = Attr(e, "class")) {
            std::string kept = AllowedClasses(cls);
            if (!kept.empty()) {
              out += " class=\"";
              AppendEscaped(out, kept);
              out += "\"";
            }
          }
        }
        out += ">";
        stack.push_back({child, 0, "</" + name + ">"});
        break;
      }
      default:  // comments, documents
        break;
    }
  }
}

}  // namespace

std::string EscapeHtml(std::string_view text) {
  std::string out;
  AppendEscaped(out, text);
  return out;
}

std::string SanitizeHtml(std::string_view html) {
  if (html.empty()) return "";
  std::string storage;
  GumboDoc doc = Parse(html, storage);
  const GumboNode* body = doc ? Body(doc.get()) : nullptr;
  if (body == nullptr) return "";
  std::string out;
  Walk(body, out, false);
  return out;
}

std::string HtmlToText(std::string_view html) {
  if (html.empty()) return "";
  std::string storage;
  GumboDoc doc = Parse(html, storage);
  const GumboNode* body = doc ? Body(doc.get()) : nullptr;
  if (body == nullptr) return "";
  std::string out;
  Walk(body, out, true);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

bool IsValidEmojiShortcode(std::string_view s) {
  if (s.size() < 3 || s.front() != ':' || s.back() != ':') return false;
  for (char c : s.substr(1, s.size() - 2))
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

}  // namespace federation
