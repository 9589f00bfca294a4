// What `cloudschool activity inspect FILE` prints: how the node understands one incoming
// document (activity, content object, actor or collection), from any bytes. Nothing is fetched,
// stored or verified (signatures are not looked at). Stateless; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace federation {

// Larger documents are refused before parsing. Well above what an inbox accepts (about 1 MiB,
// BR-27) so an oversized capture still gets a clear verdict instead of a silent cut.
inline constexpr size_t kMaxInspectBytes = 8u << 20;

struct Inspection {
  enum class Verdict {
    kUnderstood,  // a type the node acts on, well-formed
    kIgnored,     // well-formed, but a type the node ignores: "understood (ignored)"
    kRefused,     // malformed or unusable: `reason` says why
  };
  Verdict verdict = Verdict::kRefused;
  std::string reason;      // why refused / ignored; "" when understood
  std::string kind;        // "activity", "object", "actor", "collection"; "" when unknown
  std::string type;        // the document's own type
  std::string type_chain;  // type with what it wraps: "Announce(Create(Page))", "Undo(Follow)"
  std::string id, actor, object_id, object_type;
  std::vector<std::string> to, cc;  // the document's own addressing, normalized (kPublic)
  std::string audience;
  bool is_public = false;  // kPublic anywhere in the merged addressing (activity and object)
  // Other fields the node would use, in a fixed order, keys unique: in_reply_to, attributed_to,
  // content (first 80 characters, as text), inbox, shared_inbox, key_id, key_owner...
  std::vector<std::pair<std::string, std::string>> fields;

  // The value of `key` in fields, or "" when absent.
  std::string Field(std::string_view key) const;
};

// Classifies and reads `body`. Never crashes, whatever the bytes; never throws.
Inspection Inspect(std::string_view body);

// Human lines: "understood: Create(Note) id=... actor=...", "understood (ignored): Lock ...",
// "refused: <reason>", then indented "key: value" lines. Control characters from the document
// are replaced so a hostile document cannot drive the terminal.
std::string InspectionToText(const Inspection& inspection);

// One JSON object, snake_case keys: {"verdict":"understood"|"ignored"|"refused","reason":...,
// "kind","type","type_chain","id","actor","object_id","object_type","to":[],"cc":[],"audience",
// "is_public":bool,"fields":{...}}.
std::string InspectionToJson(const Inspection& inspection);

// "understood", "ignored", "refused".
const char* VerdictName(Inspection::Verdict verdict);

}  // namespace federation
