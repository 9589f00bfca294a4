// Shared resources on the wire and in the outbox: what a teacher shares in a community (title,
// Markdown description, files, license, subjects, levels, language), as an ActivityStreams Page
// with Document attachments that carry their SHA-256 as `digestMultibase`; schema.org / LRMI
// terms for the educational metadata; Dublin Core `isVersionOf` for versions; our own terms only
// where nothing exists (docs/vocabulary.md). Every version keeps its own id.
//
// Also here: the vocabulary (levels, subjects), license and file-name rules, digestMultibase,
// media types by extension, the check that refuses unsafe Markdown from teachers, and the
// inbound side (parsing a received resource, storing its metadata and version).
// Pure functions and stateless helpers: thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "federation/as2.h"
#include "federation/outbox.h"
#include "federation/uris.h"
#include "store/clock.h"
#include "store/files.h"
#include "store/resources.h"

namespace federation {

// ---- Vocabulary and JSON-LD context (docs/vocabulary.md) ----

// Served by every node at this path; documents name the serving node's copy in @context.
inline constexpr const char* kContextPath = "/ns/cloudschool";
// The namespace of our own terms: the same IRI on every node (not the context's URL), so
// documents from different schools expand to the same terms.
inline constexpr const char* kCloudschoolNs = "https://w3id.org/cloudschool/ns#";
inline constexpr const char* kCcBy40 = "https://creativecommons.org/licenses/by/4.0/";
// Files and versions per resource: generous for teaching material, small enough to bound work.
inline constexpr size_t kMaxFilesPerResource = 20;
// 200 characters (what `resource add --title` takes) of up to 4 bytes each.
inline constexpr size_t kMaxTitleBytes = 800;
inline constexpr size_t kMaxDescriptionBytes = 100000;

// The JSON-LD context document (identical on every node).
std::string ContextDocument();

struct VocabularyTerm {
  const char* code;          // what goes on the wire: "vo", "mathematics"
  const char* label;         // for people: "voortgezet onderwijs"
  const char* aliases = "";  // what teachers may also type, comma-separated: "wiskunde,rekenen"
};
const std::vector<VocabularyTerm>& SchoolLevels();
const std::vector<VocabularyTerm>& Subjects();
bool IsSchoolLevel(std::string_view code);
bool IsSubject(std::string_view code);
// The code a teacher meant: the code itself or one of its aliases (Dutch names among them), in
// any case ("Wiskunde" -> "mathematics", "VO" -> "vo"); the text unchanged when it is neither,
// so that the check above can name it.
std::string SubjectCode(std::string_view text);
std::string SchoolLevelCode(std::string_view text);

// A Creative Commons license or public-domain tool URL, normalized to https with a trailing
// slash ("http://creativecommons.org/licenses/by-sa/4.0" -> "https://.../by-sa/4.0/").
// kInvalidInput for anything else.
cs::Result<std::string> NormalizeLicense(std::string_view url);
// "CC BY-SA 4.0", "CC0 1.0"; the URL itself when it is not recognized.
std::string LicenseLabel(std::string_view url);
// BCP 47 shape: "nl", "en-GB", "fy".
bool IsLanguageTag(std::string_view tag);

// The license a new resource in `community` gets when the teacher names none.
// TODO(communities): read the community's record (CommunityRecord::license_url) once the
// community branch lands; until then every community defaults to CC BY 4.0.
std::string DefaultLicenseFor(const store::Txn& txn, std::string_view community_id);

// ---- Files ----

// "z" + base58btc(0x12 0x20 || digest): the multibase form of a sha2-256 multihash.
std::string DigestMultibase(std::string_view raw_sha256);
// The raw 32-byte SHA-256 from a digestMultibase value; kInvalidInput for other encodings or
// hash functions.
cs::Result<std::string> ParseDigestMultibase(std::string_view value);
std::string Base58BtcEncode(std::string_view bytes);
cs::Result<std::string> Base58BtcDecode(std::string_view text);

// By extension from a small table; "application/octet-stream" for anything else. Never a type
// a browser would run (HTML, SVG, JavaScript all give application/octet-stream).
std::string MediaTypeForName(std::string_view file_name);
// A name that is safe as the last component of a path: the part after any '/' or '\', without
// control characters, leading dots or spaces, trailing dots or spaces, invalid UTF-8 (replaced
// by '_'), at most 200 bytes. kInvalidInput when nothing is left.
cs::Result<std::string> SanitizeFileName(std::string_view name);
// ORIGIN/files/SHA256/NAME (the name percent-encoded).
std::string FileUrl(const Uris& uris, std::string_view sha256_hex, std::string_view name);

// ---- Local input ----

// Refuses Markdown that tries to carry scripts: raw HTML with <script>, <iframe>, <object>,
// <embed> or event handlers, and links or images to javascript:, vbscript: or data: URLs.
// (What passes is still rendered without raw HTML and sanitized.)
cs::Status CheckDescription(std::string_view markdown);

struct ResourceInput {
  std::optional<std::string> title, description, license, language;
  std::optional<std::vector<std::string>> subjects, levels;
  std::string community;  // a Group id (resolved by the caller), "" for none; `add` only
};

// Validates the metadata of `input` (title, description, license, language, subjects, levels);
// `creating` requires a title. Touches nothing.
cs::Status ValidateResourceInput(const ResourceInput& input, bool creating);

// Checks every path (exists, regular, within the size limit, unique file names) before copying
// any, then copies them into the blob store. A refusal stores nothing.
cs::Result<std::vector<store::ResourceFile>> ImportFiles(const store::BlobStore& blobs,
                                                         const Uris& uris,
                                                         const std::vector<std::string>& paths);

// Creates resource version 1 and its Create, delivered to the author's followers and to the
// community. Returns the resource id. kNotFound for an unknown user.
cs::Result<std::string> CreateResource(store::Txn& txn, const Outbox& outbox, const Uris& uris,
                                       const cs::Clock& clock, std::string_view user,
                                       const ResourceInput& input,
                                       const std::vector<store::ResourceFile>& files);
// A new version (given fields replace, others are kept; `files` replaces the file set when
// given) and its Update. Returns the new version number. kForbidden when `user` is not the
// author, kNotFound for an unknown resource.
cs::Result<uint64_t> UpdateResource(store::Txn& txn, const Outbox& outbox, const Uris& uris,
                                    const cs::Clock& clock, std::string_view user,
                                    std::string_view resource_id, const ResourceInput& input,
                                    const std::optional<std::vector<store::ResourceFile>>& files);

// Whether the resource is addressed to as:Public. Not: shared into a community that is not
// public (addressed to the group only), served only to those who may see the community.
bool IsPublicResource(const store::ResourceRecord& r);

// ---- Documents ----

std::string VersionsUrl(std::string_view resource_id);
std::string VersionUrl(std::string_view resource_id, uint64_t version);
// The resource as a Page. `as_version`: the document of that version (its own id, isVersionOf);
// else the resource's current document (the resource id, currentVersion). `context_url` empty:
// no @context (embedded in an activity).
std::string ResourceObjectJson(const store::ResourceRecord& r,
                               const store::ResourceVersionRecord& v, bool as_version,
                               const std::string& context_url);
// The `content` HTML: the description, a list of links to the files, the license.
std::string ResourceContentHtml(const store::ResourceVersionRecord& v);
// The history: every version document, newest first.
std::string VersionsCollectionJson(const store::ResourceRecord& r,
                                   const std::vector<store::ResourceVersionRecord>& versions,
                                   const std::string& context_url);
// A small HTML page for browsers (Mastodon links to the resource's `url`).
std::string ResourceHtmlPage(const store::ResourceRecord& r, const store::ResourceVersionRecord& v);

// ---- Inbound ----

struct ResourceDoc {
  std::string id, type, attributed_to, audience;
  std::vector<std::string> to, cc;
  store::ResourceVersionRecord version;  // version 0 when the document named none
  std::string current_version_id, versions_url, is_version_of;
  int64_t published_ms = 0, updated_ms = 0;
};

// True for a Page or Document with an attachment that carries a digestMultibase, or with our
// `currentVersion` / `isVersionOf` terms.
bool LooksLikeResource(const rapidjson::Value& object);
// Reads a resource document: sanitized description (from the Markdown source when offered,
// else the sanitized content), plain-text title, bounded lists, attachments with a usable
// http(s) URL and a sha2-256 digestMultibase (others are skipped), file names sanitized.
cs::Result<ResourceDoc> ParseResource(const rapidjson::Value& object, int64_t now_ms);

// Stores the metadata of a received resource and its version (called after Create/Update was
// verified and the object stored). Versions already known change nothing; an older version than
// the current one is kept in the history without becoming current. kForbidden when the resource
// is someone else's.
cs::Status StoreResourceDoc(store::Txn& txn, const ResourceDoc& doc, const std::string& activity_id,
                            int64_t now_ms);
// The inbox hook: when `a` (a verified Create or Update from its author) carries a resource,
// stores it. Ok (and nothing) for everything else.
cs::Status StoreRemoteResource(store::Txn& txn, const ActivityDoc& a, int64_t now_ms);
// The same for a resource document that reached us without its author's own activity: fetched
// from its origin, or embedded in a group's Announce from the group's own origin (the caller
// checked which). Ok and nothing when `object` is not a resource or not by `author`.
cs::Status StoreFetchedResource(store::Txn& txn, const rapidjson::Value& object,
                                const std::string& author, int64_t now_ms);

}  // namespace federation
