#include "federation/structured_fields.h"

#include "federation/crypto.h"

namespace federation {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLcAlpha(char c) { return c >= 'a' && c <= 'z'; }
bool IsAlpha(char c) { return IsLcAlpha(c) || (c >= 'A' && c <= 'Z'); }

// RFC 9110 tchar.
bool IsTchar(char c) {
  if (IsAlpha(c) || IsDigit(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool IsKeyChar(char c) {
  return IsLcAlpha(c) || IsDigit(c) || c == '_' || c == '-' || c == '.' || c == '*';
}

bool IsBase64Char(char c) { return IsAlpha(c) || IsDigit(c) || c == '+' || c == '/' || c == '='; }

cs::Status SyntaxError(std::string_view what) {
  return cs::Status::InvalidInput("structured field: " + std::string(what));
}

template <class Map, class Value>
void Upsert(Map& map, std::string key, Value value) {
  for (auto& [k, v] : map) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  map.emplace_back(std::move(key), std::move(value));
}

// A cursor over one field value implementing the parsing algorithms of RFC 8941 section 4.2.
class SfParser {
 public:
  explicit SfParser(std::string_view in) : in_(in) {}

  bool AtEnd() const { return pos_ >= in_.size(); }
  char Peek() const { return AtEnd() ? '\0' : in_[pos_]; }
  void SkipSp() {
    while (!AtEnd() && in_[pos_] == ' ') ++pos_;
  }
  void SkipOws() {
    while (!AtEnd() && (in_[pos_] == ' ' || in_[pos_] == '\t')) ++pos_;
  }

  cs::Result<SfDictionary> Dictionary() {
    SfDictionary dict;
    while (!AtEnd()) {
      auto key = Key();
      if (!key.ok()) return key.status();
      SfMember member;
      if (Peek() == '=') {
        ++pos_;
        CS_RETURN_IF_ERROR(ItemOrInnerList(member));
      } else {
        member.item.value = SfBareItem::Boolean(true);
        auto params = Parameters();
        if (!params.ok()) return params.status();
        member.item.params = std::move(*params);
      }
      Upsert(dict, std::move(*key), std::move(member));
      SkipOws();
      if (AtEnd()) return dict;
      if (Peek() != ',') return SyntaxError("expected ',' between dictionary members");
      ++pos_;
      SkipOws();
      if (AtEnd()) return SyntaxError("trailing ',' in dictionary");
    }
    return dict;
  }

  cs::Result<SfParameters> Parameters() {
    SfParameters params;
    while (Peek() == ';') {
      ++pos_;
      SkipSp();
      auto key = Key();
      if (!key.ok()) return key.status();
      SfBareItem value = SfBareItem::Boolean(true);
      if (Peek() == '=') {
        ++pos_;
        auto bare = BareItem();
        if (!bare.ok()) return bare.status();
        value = std::move(*bare);
      }
      Upsert(params, std::move(*key), std::move(value));
    }
    return params;
  }

 private:
  cs::Status ItemOrInnerList(SfMember& member) {
    if (Peek() == '(') {
      member.is_inner_list = true;
      return InnerList(member.inner_list);
    }
    return Item(member.item);
  }

  cs::Status InnerList(SfInnerList& list) {
    ++pos_;  // '('
    while (!AtEnd()) {
      SkipSp();
      if (Peek() == ')') {
        ++pos_;
        auto params = Parameters();
        if (!params.ok()) return params.status();
        list.params = std::move(*params);
        return cs::Status::Ok();
      }
      SfItem item;
      CS_RETURN_IF_ERROR(Item(item));
      list.items.push_back(std::move(item));
      if (Peek() != ' ' && Peek() != ')') return SyntaxError("expected ' ' or ')' in inner list");
    }
    return SyntaxError("unterminated inner list");
  }

  cs::Status Item(SfItem& item) {
    auto bare = BareItem();
    if (!bare.ok()) return bare.status();
    item.value = std::move(*bare);
    auto params = Parameters();
    if (!params.ok()) return params.status();
    item.params = std::move(*params);
    return cs::Status::Ok();
  }

  cs::Result<std::string> Key() {
    if (AtEnd() || !(IsLcAlpha(Peek()) || Peek() == '*')) return SyntaxError("expected a key");
    size_t start = pos_;
    while (!AtEnd() && IsKeyChar(in_[pos_])) ++pos_;
    return std::string(in_.substr(start, pos_ - start));
  }

  cs::Result<SfBareItem> BareItem() {
    char c = Peek();
    if (c == '-' || IsDigit(c)) return Number();
    if (c == '"') return String();
    if (c == '*' || IsAlpha(c)) return Token();
    if (c == ':') return ByteSequence();
    if (c == '?') return Boolean();
    return SyntaxError("unexpected character for an item");
  }

  cs::Result<SfBareItem> Number() {
    bool negative = false;
    if (Peek() == '-') {
      negative = true;
      ++pos_;
    }
    if (!IsDigit(Peek())) return SyntaxError("expected a digit");
    int64_t whole = 0;
    int digits = 0;
    while (IsDigit(Peek())) {
      if (++digits > 15) return SyntaxError("integer too long");
      whole = whole * 10 + (in_[pos_++] - '0');
    }
    if (Peek() != '.') {
      SfBareItem item = SfBareItem::Integer(negative ? -whole : whole);
      return item;
    }
    if (digits > 12) return SyntaxError("decimal too long");
    ++pos_;  // '.'
    int fraction_digits = 0;
    int64_t fraction = 0;
    while (IsDigit(Peek())) {
      if (++fraction_digits > 3) return SyntaxError("decimal fraction too long");
      fraction = fraction * 10 + (in_[pos_++] - '0');
    }
    if (fraction_digits == 0) return SyntaxError("decimal without fraction");
    for (int i = fraction_digits; i < 3; ++i) fraction *= 10;
    SfBareItem item;
    item.type = SfBareItem::Type::kDecimal;
    item.integer = (negative ? -1 : 1) * (whole * 1000 + fraction);
    return item;
  }

  cs::Result<SfBareItem> String() {
    ++pos_;  // '"'
    std::string out;
    while (!AtEnd()) {
      char c = in_[pos_++];
      if (c == '\\') {
        if (AtEnd()) break;
        char next = in_[pos_++];
        if (next != '"' && next != '\\') return SyntaxError("bad escape in string");
        out += next;
      } else if (c == '"') {
        return SfBareItem::String(std::move(out));
      } else if (c < 0x20 || c > 0x7e) {
        return SyntaxError("non-printable character in string");
      } else {
        out += c;
      }
    }
    return SyntaxError("unterminated string");
  }

  cs::Result<SfBareItem> Token() {
    size_t start = pos_++;
    while (!AtEnd() && (IsTchar(in_[pos_]) || in_[pos_] == ':' || in_[pos_] == '/')) ++pos_;
    return SfBareItem::Token(std::string(in_.substr(start, pos_ - start)));
  }

  cs::Result<SfBareItem> ByteSequence() {
    ++pos_;  // ':'
    size_t start = pos_;
    while (!AtEnd() && in_[pos_] != ':') {
      if (!IsBase64Char(in_[pos_])) return SyntaxError("bad character in byte sequence");
      ++pos_;
    }
    if (AtEnd()) return SyntaxError("unterminated byte sequence");
    auto bytes = Base64Decode(in_.substr(start, pos_ - start));
    ++pos_;  // ':'
    if (!bytes.ok()) return SyntaxError("bad base64 in byte sequence");
    return SfBareItem::Bytes(std::move(*bytes));
  }

  cs::Result<SfBareItem> Boolean() {
    ++pos_;  // '?'
    char c = Peek();
    if (c != '0' && c != '1') return SyntaxError("bad boolean");
    ++pos_;
    return SfBareItem::Boolean(c == '1');
  }

  std::string_view in_;
  size_t pos_ = 0;
};

std::string SerializeDecimal(int64_t thousandths) {
  std::string out = thousandths < 0 ? "-" : "";
  uint64_t v = thousandths < 0 ? uint64_t(0) - uint64_t(thousandths) : uint64_t(thousandths);
  out += std::to_string(v / 1000);
  std::string fraction = std::to_string(1000 + v % 1000).substr(1);  // three digits
  while (fraction.size() > 1 && fraction.back() == '0') fraction.pop_back();
  return out + "." + fraction;
}

}  // namespace

SfBareItem SfBareItem::Integer(int64_t v) {
  SfBareItem item;
  item.type = Type::kInteger;
  item.integer = v;
  return item;
}

SfBareItem SfBareItem::String(std::string s) {
  SfBareItem item;
  item.type = Type::kString;
  item.text = std::move(s);
  return item;
}

SfBareItem SfBareItem::Token(std::string s) {
  SfBareItem item;
  item.type = Type::kToken;
  item.text = std::move(s);
  return item;
}

SfBareItem SfBareItem::Bytes(std::string s) {
  SfBareItem item;
  item.type = Type::kByteSequence;
  item.text = std::move(s);
  return item;
}

SfBareItem SfBareItem::Boolean(bool v) {
  SfBareItem item;
  item.type = Type::kBoolean;
  item.boolean = v;
  return item;
}

cs::Result<SfDictionary> ParseSfDictionary(std::string_view field) {
  if (field.size() > kMaxSfFieldBytes) return SyntaxError("field too long");
  while (!field.empty() && (field.back() == ' ' || field.back() == '\t')) field.remove_suffix(1);
  SfParser parser(field);
  parser.SkipOws();
  return parser.Dictionary();
}

cs::Result<SfParameters> ParseSfParameters(std::string_view text) {
  if (text.size() > kMaxSfFieldBytes) return SyntaxError("parameters too long");
  SfParser parser(text);
  auto params = parser.Parameters();
  if (params.ok() && !parser.AtEnd()) return SyntaxError("unexpected text after parameters");
  return params;
}

const SfBareItem* FindSfParameter(const SfParameters& params, std::string_view key) {
  for (const auto& [k, v] : params)
    if (k == key) return &v;
  return nullptr;
}

const SfMember* FindSfMember(const SfDictionary& dict, std::string_view key) {
  for (const auto& [k, v] : dict)
    if (k == key) return &v;
  return nullptr;
}

std::string SerializeSfBareItem(const SfBareItem& item) {
  switch (item.type) {
    case SfBareItem::Type::kInteger:
      return std::to_string(item.integer);
    case SfBareItem::Type::kDecimal:
      return SerializeDecimal(item.integer);
    case SfBareItem::Type::kString: {
      std::string out = "\"";
      for (char c : item.text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      return out + "\"";
    }
    case SfBareItem::Type::kToken:
      return item.text;
    case SfBareItem::Type::kByteSequence:
    {
      std::string out(1, ':');
      out += Base64Encode(item.text);
      out += ':';
      return out;
    }
    case SfBareItem::Type::kBoolean:
      return item.boolean ? "?1" : "?0";
  }
  return "";
}

std::string SerializeSfParameters(const SfParameters& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    out += ';';
    out += key;
    if (value.type == SfBareItem::Type::kBoolean && value.boolean) continue;
    out += '=';
    out += SerializeSfBareItem(value);
  }
  return out;
}

std::string SerializeSfItem(const SfItem& item) {
  return SerializeSfBareItem(item.value) + SerializeSfParameters(item.params);
}

std::string SerializeSfInnerList(const SfInnerList& list) {
  std::string out = "(";
  for (size_t i = 0; i < list.items.size(); ++i) {
    if (i > 0) out += ' ';
    out += SerializeSfItem(list.items[i]);
  }
  return out + ")" + SerializeSfParameters(list.params);
}

bool IsSfKey(std::string_view key) {
  if (key.empty() || !(IsLcAlpha(key[0]) || key[0] == '*')) return false;
  for (char c : key)
    if (!IsKeyChar(c)) return false;
  return true;
}

bool IsSfStringContent(std::string_view text) {
  for (char c : text)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

}  // namespace federation
