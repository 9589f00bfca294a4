// RFC 8941 Structured Field Values: parsing of Dictionaries (with Items, Inner Lists and
// Parameters) and serialization, as used by Signature-Input, Signature (RFC 9421) and
// Content-Digest (RFC 9530). Parsing is strict, linear in the input, and bounded: a field longer
// than kMaxSfFieldBytes is refused before any work. Plain values; thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/status.h"

namespace federation {

// Longer Signature-Input / Signature / Content-Digest values are refused (a few signatures of
// RSA-4096 size fit many times over).
constexpr size_t kMaxSfFieldBytes = 16 * 1024;

struct SfBareItem {
  enum class Type { kInteger, kDecimal, kString, kToken, kByteSequence, kBoolean };
  Type type = Type::kBoolean;
  int64_t integer = 0;  // kInteger; kDecimal in thousandths (RFC 8941 allows 3 fraction digits)
  std::string text;     // kString, kToken; kByteSequence holds the decoded bytes
  bool boolean = true;  // kBoolean

  static SfBareItem Integer(int64_t v);
  static SfBareItem String(std::string s);
  static SfBareItem Token(std::string s);
  static SfBareItem Bytes(std::string s);
  static SfBareItem Boolean(bool v);
};

// Ordered; keys are unique (a repeated key overwrites the earlier value in place).
using SfParameters = std::vector<std::pair<std::string, SfBareItem>>;

struct SfItem {
  SfBareItem value;
  SfParameters params;
};

struct SfInnerList {
  std::vector<SfItem> items;
  SfParameters params;
};

// A Dictionary member value: an Item or an Inner List.
struct SfMember {
  bool is_inner_list = false;
  SfItem item;
  SfInnerList inner_list;
};

// Ordered; keys are unique (a repeated key overwrites the earlier value in place).
using SfDictionary = std::vector<std::pair<std::string, SfMember>>;

// Parses a whole field value as a Dictionary; kInvalidInput on any syntax error.
cs::Result<SfDictionary> ParseSfDictionary(std::string_view field);
// Parses a whole string of Parameters (";a=1;b"), possibly empty; kInvalidInput on error.
cs::Result<SfParameters> ParseSfParameters(std::string_view text);

// The value of parameter `key`, or nullptr.
const SfBareItem* FindSfParameter(const SfParameters& params, std::string_view key);
// The member named `key`, or nullptr.
const SfMember* FindSfMember(const SfDictionary& dict, std::string_view key);

// RFC 8941 section 4.1 serializations. The values are assumed valid (as parsed, or built from
// valid keys and printable-ASCII strings).
std::string SerializeSfBareItem(const SfBareItem& item);
std::string SerializeSfParameters(const SfParameters& params);
std::string SerializeSfItem(const SfItem& item);
std::string SerializeSfInnerList(const SfInnerList& list);

// sf-key: lcalpha or "*", then lcalpha / DIGIT / "_" / "-" / "." / "*".
bool IsSfKey(std::string_view key);
// Every character printable ASCII (what an sf-string may hold).
bool IsSfStringContent(std::string_view text);

}  // namespace federation
