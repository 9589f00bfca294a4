// Parsing remote JSON safely, and checked readers over RapidJSON values.
//
// Everything that reads a document another server sent goes through these helpers: RapidJSON's
// GetString()/GetBool()/FindMember() assert on the wrong type, which is undefined behaviour in a
// release build. None of the readers here ever assert, whatever the value's type.
// Stateless functions; thread-safe. Returned strings are owned copies.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/status.h"

namespace federation {

// Default nesting limit for documents from the network (BR-27): real ActivityPub documents in
// tests/fixtures/activitypub nest at most 8 levels, 64 leaves ample room.
inline constexpr int kMaxJsonDepth = 64;

// Parses `text` as one JSON value (UTF-8, validated). The nesting depth is checked by a first
// SAX pass over the bytes (iterative, no recursion) BEFORE any DOM is built, so a 100,000-deep
// `[[[[...` costs a few bytes of work and never a stack overflow.
// The same pass refuses an object with two members of the same name (what <what> then says:
// `duplicate key "NAME" in an object`), so no document means one thing to us and another to a
// last-key-wins parser. The caller bounds the total size. Returns kInvalidInput with
//   "JSON nesting deeper than <max_depth>" or "malformed JSON at offset <n>: <what>".
// The returned Document owns its memory; a Value taken from it lives as long as the Document.
cs::Result<rapidjson::Document> ParseJson(std::string_view text, int max_depth = kMaxJsonDepth);

// Compact JSON text of `v`. Recursive in the depth of `v`: call it on values from ParseJson
// (depth-bounded) or built by our own code.
std::string Serialize(const rapidjson::Value& v);

// The member `key` of `obj`, or nullptr when `obj` is not an object or has no such member.
// (The first one when a hostile document repeats a key.)
const rapidjson::Value* Member(const rapidjson::Value& obj, const char* key);

// Checked readers: nullopt when `obj` is not an object, the key is missing, or the value has
// another type (null included). Never assert.
std::optional<std::string> ReadString(const rapidjson::Value& obj, const char* key);
std::optional<bool> ReadBool(const rapidjson::Value& obj, const char* key);
// A number that fits in int64 (integers only; 3.5 or 1e300 give nullopt).
std::optional<int64_t> ReadInt(const rapidjson::Value& obj, const char* key);

// The string value of `v` itself, or nullopt when it is not a string.
std::optional<std::string> AsString(const rapidjson::Value& v);

// A reference given as a string, or as an object with "id" (or "href", for a Link) -> that id.
// Empty strings and every other shape give nullopt.
std::optional<std::string> ReadId(const rapidjson::Value& v);

// One-or-many references (BR-09): the member `key` as a single string, a single object, or an
// array of strings/objects -> their ids, in order; entries without a usable id are skipped
// (arrays inside arrays are not descended into). Missing or null -> empty.
std::vector<std::string> ReadIds(const rapidjson::Value& obj, const char* key);
// The first id of ReadIds(obj, key), or "" when there is none.
std::string ReadFirstId(const rapidjson::Value& obj, const char* key);

inline constexpr const char* kPublic = "https://www.w3.org/ns/activitystreams#Public";

// "as:Public", "Public" and the full URI all give kPublic (BR-09); any other id is returned as is.
std::string NormalizeAudience(std::string_view id);

// True for an absolute http(s) URL that is safe to keep as an id: scheme http or https (any case),
// a non-empty host, an optional numeric port, no userinfo (BR-20), no whitespace, control
// characters or < > " \, and at most kMaxUrlLength bytes.
inline constexpr size_t kMaxUrlLength = 4096;
bool IsHttpUrl(std::string_view url);

}  // namespace federation
