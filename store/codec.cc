#include "store/codec.h"

namespace store {

void Encoder::Varint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

Encoder& Encoder::Str(std::string_view s) {
  Varint(s.size());
  out_.append(s);
  return *this;
}

Encoder& Encoder::U64(uint64_t v) {
  Varint(v);
  return *this;
}

Encoder& Encoder::Strs(const std::vector<std::string>& v) {
  Varint(v.size());
  for (const auto& s : v) Str(s);
  return *this;
}

bool Decoder::Varint(uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in_.empty()) return false;
    uint8_t b = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  ok_ = false;
  return false;
}

Decoder& Decoder::Str(std::string& s) {
  if (in_.empty()) return *this;
  uint64_t n;
  if (!Varint(n)) return *this;
  if (n > in_.size()) {
    ok_ = false;
    in_ = {};
    return *this;
  }
  s.assign(in_.substr(0, n));
  in_.remove_prefix(n);
  return *this;
}

Decoder& Decoder::U64(uint64_t& v) {
  if (in_.empty()) return *this;
  uint64_t x;
  if (Varint(x)) v = x;
  return *this;
}

Decoder& Decoder::I64(int64_t& v) {
  uint64_t x = static_cast<uint64_t>(v);
  U64(x);
  v = static_cast<int64_t>(x);
  return *this;
}

Decoder& Decoder::Bool(bool& b) {
  uint64_t x = b ? 1 : 0;
  U64(x);
  b = x != 0;
  return *this;
}

Decoder& Decoder::Strs(std::vector<std::string>& v) {
  if (in_.empty()) return *this;
  uint64_t n;
  if (!Varint(n)) return *this;
  if (n > in_.size()) {
    ok_ = false;
    in_ = {};
    return *this;
  }
  v.clear();
  for (uint64_t i = 0; i < n && ok_; ++i) {
    std::string s;
    Str(s);
    v.push_back(std::move(s));
  }
  return *this;
}

}  // namespace store
