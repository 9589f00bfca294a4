// A small versioned binary encoding for records: length-prefixed fields in a fixed order.
// New fields are appended at the end; a reader that runs out of input leaves the rest at their
// defaults, so old records read under a newer schema.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace store {

class Encoder {
 public:
  Encoder& Str(std::string_view s);
  Encoder& U64(uint64_t v);
  Encoder& I64(int64_t v) { return U64(static_cast<uint64_t>(v)); }
  Encoder& Bool(bool b) { return U64(b ? 1 : 0); }
  Encoder& Strs(const std::vector<std::string>& v);
  std::string Take() { return std::move(out_); }

 private:
  void Varint(uint64_t v);
  std::string out_;
};

class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}
  Decoder& Str(std::string& s);
  Decoder& U64(uint64_t& v);
  Decoder& I64(int64_t& v);
  Decoder& Bool(bool& b);
  Decoder& Strs(std::vector<std::string>& v);
  // False when a field was malformed (not when input simply ended).
  bool ok() const { return ok_; }

 private:
  bool Varint(uint64_t& v);
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace store
