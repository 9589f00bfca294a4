#include "federation/inspect_text.h"

#include <cstdint>

namespace federation {
namespace {

bool IsBlockTag(std::string_view name) {
  for (std::string_view block : {"br", "p", "div", "li", "ul", "ol", "blockquote", "tr", "hr",
                                 "h1", "h2", "h3", "h4", "h5", "h6", "pre"}) {
    if (name.size() != block.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size(); ++i) {
      char c = name[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != block[i]) same = false;
    }
    if (same) return true;
  }
  return false;
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes the entity starting at html[i] == '&' into out; returns the bytes consumed (0 when it
// is not an entity we know, so the '&' is kept as text).
size_t DecodeEntity(std::string_view html, size_t i, std::string& out) {
  // Look only a few bytes ahead: searching the whole rest for every '&' would make a body of
  // ampersands quadratic.
  size_t semi = html.substr(i, 12).find(';');
  if (semi == std::string_view::npos) return 0;
  semi += i;
  std::string_view name = html.substr(i + 1, semi - i - 1);
  struct Named { std::string_view name, text; };
  for (const Named& n : {Named{"amp", "&"}, Named{"lt", "<"}, Named{"gt", ">"},
                         Named{"quot", "\""}, Named{"apos", "'"}, Named{"nbsp", " "}}) {
    if (name == n.name) {
      out += n.text;
      return semi - i + 1;
    }
  }
  if (name.size() < 2 || name[0] != '#') return 0;
  bool hex = name[1] == 'x' || name[1] == 'X';
  std::string_view digits = name.substr(hex ? 2 : 1);
  if (digits.empty()) return 0;
  uint32_t cp = 0;
  for (char c : digits) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (hex && c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (hex && c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return 0;
    }
    cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
    if (cp > 0x10FFFF) cp = 0x110000;  // stays invalid, no overflow
  }
  AppendUtf8(cp, out);
  return semi - i + 1;
}

// Tags removed, entities decoded; whitespace not yet collapsed.
std::string StripTags(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  for (size_t i = 0; i < html.size();) {
    char c = html[i];
    if (c == '<') {
      size_t close = html.find('>', i);
      if (close == std::string_view::npos) break;  // unterminated tag: drop the rest
      size_t name_start = i + 1;
      if (name_start < close && html[name_start] == '/') ++name_start;
      size_t name_end = name_start;
      while (name_end < close && ((html[name_end] >= 'a' && html[name_end] <= 'z') ||
                                  (html[name_end] >= 'A' && html[name_end] <= 'Z') ||
                                  (html[name_end] >= '0' && html[name_end] <= '9'))) {
        ++name_end;
      }
      if (IsBlockTag(html.substr(name_start, name_end - name_start))) out += ' ';
      i = close + 1;
    } else if (c == '&') {
      size_t used = DecodeEntity(html, i, out);
      if (used == 0) {
        out += '&';
        used = 1;
      }
      i += used;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

}  // namespace

std::string WithoutControlChars(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char u = static_cast<unsigned char>(text[i]);
    if (u == '\n' && keep_newlines) {
      out += '\n';
    } else if (u < 0x20 || u == 0x7f) {
      out += '?';
    } else if (u == 0xC2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      out += '?';  // C1 control (U+0080..U+009F), e.g. the one-byte CSI of some terminals
      ++i;
    } else {
      out += static_cast<char>(u);
    }
  }
  return out;
}

std::string HtmlPreview(std::string_view html, size_t max_chars) {
  std::string text = StripTags(html);
  std::string out;
  size_t chars = 0;
  bool pending_space = false;
  for (size_t i = 0; i < text.size();) {
    unsigned char u = static_cast<unsigned char>(text[i]);
    if (u == ' ' || u == '\t' || u == '\n' || u == '\r' || u == '\f' || u == '\v') {
      pending_space = !out.empty();
      ++i;
      continue;
    }
    if (u < 0x20 || u == 0x7f) {
      ++i;
      continue;
    }
    size_t len = u < 0x80 ? 1 : (u >> 5) == 0x6 ? 2 : (u >> 4) == 0xE ? 3 : (u >> 3) == 0x1E ? 4 : 1;
    if (i + len > text.size()) len = text.size() - i;
    bool c1 = len == 2 && u == 0xC2 && static_cast<unsigned char>(text[i + 1]) <= 0x9F;
    if (c1) {
      i += len;
      continue;
    }
    if (pending_space) {
      if (chars + 1 >= max_chars) break;  // no trailing space at the cut
      out += ' ';
      ++chars;
      pending_space = false;
    }
    if (chars == max_chars) break;
    out.append(text, i, len);
    ++chars;
    i += len;
  }
  return out;
}

}  // namespace federation
