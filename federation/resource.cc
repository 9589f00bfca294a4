#include "federation/resource.h"

#include <cmark-gfm.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>

#include "federation/as2_read.h"
#include "federation/crypto.h"
#include "federation/documents.h"
#include "federation/html_sanitizer.h"
#include "federation/markdown.h"
#include "federation/url.h"
#include "store/community.h"

namespace federation {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Str(Writer& w, const char* k, std::string_view v) {
  w.Key(k);
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}
void StrIf(Writer& w, const char* k, std::string_view v) {
  if (!v.empty()) Str(w, k, v);
}
void StrArray(Writer& w, const char* k, const std::vector<std::string>& v) {
  w.Key(k);
  w.StartArray();
  for (const auto& s : v) w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  w.EndArray();
}
std::string Time(int64_t ms) { return cs::FormatRfc3339(ms / 1000); }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
std::string CutUtf8(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s;
}

// Replaces invalid UTF-8 sequences (and overlongs, surrogates) with '_'.
std::string ValidUtf8(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; ok && k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok && ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
               cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)))
      ok = false;
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out.push_back('_');
      ++i;
    }
  }
  return out;
}

std::string PercentEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

const char* kDigits58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

}  // namespace

// ---- Vocabulary ----

std::string ContextDocument() {
  // Terms reused from schema.org (LRMI), Dublin Core and the W3C security vocabulary; our own
  // only for what none of them has. docs/vocabulary.md explains each.
  return std::string(R"({
  "@context": {
    "schema": "http://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "sec": "https://w3id.org/security#",
    "cloudschool": ")") +
         kCloudschoolNs + R"(",
    "license": {"@id": "schema:license", "@type": "@id"},
    "educationalLevel": "schema:educationalLevel",
    "about": "schema:about",
    "inLanguage": "schema:inLanguage",
    "version": "schema:version",
    "size": "schema:contentSize",
    "isVersionOf": {"@id": "dcterms:isVersionOf", "@type": "@id"},
    "digestMultibase": {"@id": "sec:digestMultibase", "@type": "sec:multibase"},
    "versions": {"@id": "cloudschool:versions", "@type": "@id"},
    "currentVersion": {"@id": "cloudschool:currentVersion", "@type": "@id"}
  }
}
)";
}

const std::vector<VocabularyTerm>& SchoolLevels() {
  static const std::vector<VocabularyTerm> kLevels = {
      {"po", "primair onderwijs (primary)", "primair onderwijs,basisonderwijs,primary"},
      {"so", "speciaal onderwijs (special needs)", "speciaal onderwijs,sbo"},
      {"vo", "voortgezet onderwijs (secondary)", "voortgezet onderwijs,secondary"},
      {"vmbo", "vmbo (pre-vocational secondary)", "mavo"},
      {"havo", "havo (senior general secondary)"},
      {"vwo", "vwo (pre-university secondary)"},
      {"mbo", "middelbaar beroepsonderwijs (vocational)", "middelbaar beroepsonderwijs"},
      {"hbo", "hoger beroepsonderwijs (universities of applied sciences)", "hoger beroepsonderwijs"},
      {"wo", "wetenschappelijk onderwijs (university)", "wetenschappelijk onderwijs,university"},
      {"volwassenenonderwijs", "adult education", "vavo"},
  };
  return kLevels;
}

const std::vector<VocabularyTerm>& Subjects() {
  static const std::vector<VocabularyTerm> kSubjects = {
      {"dutch", "Nederlands", "nederlands,nl,taal"},
      {"english", "Engels", "engels"},
      {"german", "Duits", "duits"},
      {"french", "Frans", "frans"},
      {"frisian", "Fries", "fries,frysk"},
      {"mathematics", "wiskunde / rekenen", "wiskunde,rekenen,maths,math"},
      {"physics", "natuurkunde", "natuurkunde"},
      {"chemistry", "scheikunde", "scheikunde"},
      {"biology", "biologie", "biologie"},
      {"science", "natuur en techniek", "natuur en techniek,natuur-en-techniek,nask"},
      {"geography", "aardrijkskunde", "aardrijkskunde"},
      {"history", "geschiedenis", "geschiedenis"},
      {"economics", "economie", "economie"},
      {"social-studies", "maatschappijleer / burgerschap", "maatschappijleer,burgerschap"},
      {"religion-philosophy", "levensbeschouwing / filosofie", "levensbeschouwing,filosofie"},
      {"arts", "kunstvakken (CKV, tekenen, beeldend)", "kunstvakken,ckv,tekenen,beeldend"},
      {"music", "muziek", "muziek"},
      {"physical-education", "lichamelijke opvoeding", "lichamelijke opvoeding,lo,gym"},
      {"computer-science", "informatica / digitale geletterdheid",
       "informatica,digitale geletterdheid"},
      {"technology", "techniek", "techniek"},
      {"pedagogy", "pedagogiek en didactiek", "pedagogiek,didactiek"},
      {"other", "overig", "overig"},
  };
  return kSubjects;
}

bool IsSchoolLevel(std::string_view code) {
  for (const auto& t : SchoolLevels())
    if (code == t.code) return true;
  return false;
}

bool IsSubject(std::string_view code) {
  for (const auto& t : Subjects())
    if (code == t.code) return true;
  return false;
}

namespace {

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string CodeIn(const std::vector<VocabularyTerm>& terms, std::string_view text) {
  const std::string want = LowerAscii(text);
  for (const auto& t : terms) {
    if (want == t.code) return t.code;
    std::string_view aliases = t.aliases;
    while (!aliases.empty()) {
      size_t comma = aliases.find(',');
      if (aliases.substr(0, comma) == want) return t.code;
      aliases = comma == std::string_view::npos ? "" : aliases.substr(comma + 1);
    }
  }
  return std::string(text);
}

}  // namespace

std::string SubjectCode(std::string_view text) { return CodeIn(Subjects(), text); }
std::string SchoolLevelCode(std::string_view text) { return CodeIn(SchoolLevels(), text); }

cs::Result<std::string> NormalizeLicense(std::string_view text) {
  auto url = ParseUrl(text);
  auto refuse = [&] {
    return cs::Status::InvalidInput(
        "--license wants a Creative Commons license URL such as " + std::string(kCcBy40) +
        " or https://creativecommons.org/publicdomain/zero/1.0/, got '" + std::string(text) + "'");
  };
  if (!url.ok() || url->host != "creativecommons.org" || !url->query.empty() ||
      !url->fragment.empty() || url->explicit_port)
    return refuse();
  std::string path = url->path;
  if (path.back() != '/') path.push_back('/');
  // /licenses/CODE/VERSION/[JURISDICTION/] or /publicdomain/(zero|mark)/1.0/
  std::vector<std::string> parts;
  for (size_t s = 1; s < path.size();) {
    size_t e = path.find('/', s);
    parts.push_back(path.substr(s, e - s));
    s = e + 1;
  }
  static const std::set<std::string> kCodes = {"by",    "by-sa",    "by-nd",
                                               "by-nc", "by-nc-sa", "by-nc-nd"};
  auto is_version = [](const std::string& v) {
    return !v.empty() && v.size() <= 4 && v.find_first_not_of("0123456789.") == std::string::npos;
  };
  bool ok = false;
  if (parts.size() >= 3 && parts.size() <= 4 && parts[0] == "licenses" && kCodes.count(parts[1]) &&
      is_version(parts[2]))
    ok = parts.size() == 3 ||
         (parts[3].size() == 2 && std::isalpha(static_cast<unsigned char>(parts[3][0])));
  if (parts.size() == 3 && parts[0] == "publicdomain" &&
      (parts[1] == "zero" || parts[1] == "mark") && is_version(parts[2]))
    ok = true;
  if (!ok) return refuse();
  return "https://creativecommons.org" + path;
}

std::string LicenseLabel(std::string_view url) {
  auto norm = NormalizeLicense(url);
  if (!norm.ok()) return std::string(url);
  std::string path = norm->substr(std::string("https://creativecommons.org/").size());
  std::vector<std::string> parts;
  for (size_t s = 0; s < path.size();) {
    size_t e = path.find('/', s);
    parts.push_back(path.substr(s, e - s));
    s = e + 1;
  }
  if (parts[0] == "publicdomain")
    return parts[1] == "zero" ? "CC0 " + parts[2] : "Public Domain Mark " + parts[2];
  std::string code = parts[1];
  for (char& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "CC " + code + " " + parts[2];
}

bool IsLanguageTag(std::string_view tag) {
  // primary subtag 2-3 letters, then subtags of 1-8 alphanumerics.
  if (tag.empty() || tag.size() > 35) return false;
  size_t i = 0, start = 0;
  bool first = true;
  while (true) {
    size_t e = tag.find('-', start);
    std::string_view part =
        tag.substr(start, e == std::string_view::npos ? std::string_view::npos : e - start);
    if (first) {
      if (part.size() < 2 || part.size() > 3) return false;
      for (char c : part)
        if (!std::isalpha(static_cast<unsigned char>(c))) return false;
    } else {
      if (part.empty() || part.size() > 8) return false;
      for (char c : part)
        if (!std::isalnum(static_cast<unsigned char>(c))) return false;
    }
    first = false;
    if (e == std::string_view::npos) break;
    start = e + 1;
    ++i;
  }
  return true;
}

std::string DefaultLicenseFor(const store::Txn& txn, std::string_view community_id) {
  // Our own communities choose their default; a remote Group does not advertise one (yet).
  if (auto community = store::GetCommunity(txn, community_id); community.ok() && !community->license_url.empty())
    return community->license_url;
  return kCcBy40;
}

// ---- Files ----

std::string Base58BtcEncode(std::string_view bytes) {
  size_t zeros = 0;
  while (zeros < bytes.size() && bytes[zeros] == 0) ++zeros;
  std::vector<unsigned char> b58((bytes.size() - zeros) * 138 / 100 + 1, 0);
  size_t length = 0;
  for (size_t i = zeros; i < bytes.size(); ++i) {
    int carry = static_cast<unsigned char>(bytes[i]);
    size_t j = 0;
    for (auto it = b58.rbegin(); (carry != 0 || j < length) && it != b58.rend(); ++it, ++j) {
      carry += 256 * (*it);
      *it = static_cast<unsigned char>(carry % 58);
      carry /= 58;
    }
    length = j;
  }
  auto it = b58.begin() + static_cast<long>(b58.size() - length);
  while (it != b58.end() && *it == 0) ++it;
  std::string out(zeros, '1');
  for (; it != b58.end(); ++it) out.push_back(kDigits58[*it]);
  return out;
}

cs::Result<std::string> Base58BtcDecode(std::string_view text) {
  if (text.size() > 200) return cs::Status::InvalidInput("base58 text too long");
  size_t zeros = 0;
  while (zeros < text.size() && text[zeros] == '1') ++zeros;
  std::vector<unsigned char> b256((text.size() - zeros) * 733 / 1000 + 1, 0);
  size_t length = 0;
  for (size_t i = zeros; i < text.size(); ++i) {
    const char* p = std::strchr(kDigits58, text[i]);
    if (p == nullptr || text[i] == '\0') return cs::Status::InvalidInput("not base58btc");
    int carry = static_cast<int>(p - kDigits58);
    size_t j = 0;
    for (auto it = b256.rbegin(); (carry != 0 || j < length) && it != b256.rend(); ++it, ++j) {
      carry += 58 * (*it);
      *it = static_cast<unsigned char>(carry % 256);
      carry /= 256;
    }
    length = j;
  }
  auto it = b256.begin() + static_cast<long>(b256.size() - length);
  while (it != b256.end() && *it == 0) ++it;
  std::string out(zeros, '\0');
  for (; it != b256.end(); ++it) out.push_back(static_cast<char>(*it));
  return out;
}

std::string DigestMultibase(std::string_view raw_sha256) {
  std::string mh = "\x12\x20";
  mh.append(raw_sha256);
  return "z" + Base58BtcEncode(mh);
}

cs::Result<std::string> ParseDigestMultibase(std::string_view value) {
  if (value.empty() || value[0] != 'z')
    return cs::Status::InvalidInput("digestMultibase is not base58btc ('z...')");
  auto bytes = Base58BtcDecode(value.substr(1));
  if (!bytes.ok()) return bytes.status();
  if (bytes->size() != 34 || (*bytes)[0] != '\x12' || (*bytes)[1] != '\x20')
    return cs::Status::InvalidInput("digestMultibase is not a sha2-256 multihash");
  return bytes->substr(2);
}

std::string MediaTypeForName(std::string_view name) {
  static const std::vector<std::pair<const char*, const char*>> kTypes = {
      {"pdf", "application/pdf"},
      {"doc", "application/msword"},
      {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"xls", "application/vnd.ms-excel"},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {"ppt", "application/vnd.ms-powerpoint"},
      {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
      {"odt", "application/vnd.oasis.opendocument.text"},
      {"ods", "application/vnd.oasis.opendocument.spreadsheet"},
      {"odp", "application/vnd.oasis.opendocument.presentation"},
      {"rtf", "application/rtf"},
      {"epub", "application/epub+zip"},
      {"zip", "application/zip"},
      {"txt", "text/plain"},
      {"md", "text/markdown"},
      {"csv", "text/csv"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"mp3", "audio/mpeg"},
      {"ogg", "audio/ogg"},
      {"m4a", "audio/mp4"},
      {"mp4", "video/mp4"},
      {"webm", "video/webm"},
      {"ggb", "application/vnd.geogebra.file"},
      {"h5p", "application/zip"},
  };
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  std::string ext = Lower(name.substr(dot + 1));
  for (const auto& [e, t] : kTypes)
    if (ext == e) return t;
  return "application/octet-stream";
}

cs::Result<std::string> SanitizeFileName(std::string_view name) {
  auto slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name = name.substr(slash + 1);
  std::string s;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) continue;
    s.push_back(c);
  }
  s = ValidUtf8(s);
  size_t b = s.find_first_not_of(". ");
  s = b == std::string::npos ? "" : s.substr(b);
  while (!s.empty() && (s.back() == '.' || s.back() == ' ')) s.pop_back();
  s = CutUtf8(s, 200);
  if (s.empty())
    return cs::Status::InvalidInput("'" + std::string(name) + "' is not a usable file name");
  return s;
}

std::string FileUrl(const Uris& uris, std::string_view hex, std::string_view name) {
  return uris.origin() + "/files/" + std::string(hex) + "/" + PercentEncode(name);
}

// ---- Local input ----

cs::Status CheckDescription(std::string_view markdown) {
  if (markdown.size() > kMaxDescriptionBytes)
    return cs::Status::TooLarge("a description is limited to " +
                                std::to_string(kMaxDescriptionBytes) + " bytes");
  struct ParserFree {
    void operator()(cmark_parser* p) const { cmark_parser_free(p); }
  };
  struct NodeFree {
    void operator()(cmark_node* n) const { cmark_node_free(n); }
  };
  struct IterFree {
    void operator()(cmark_iter* i) const { cmark_iter_free(i); }
  };
  std::unique_ptr<cmark_parser, ParserFree> parser(cmark_parser_new(CMARK_OPT_DEFAULT));
  if (!parser) return cs::Status::Internal("cannot parse Markdown");
  cmark_parser_feed(parser.get(), markdown.data(), markdown.size());
  std::unique_ptr<cmark_node, NodeFree> doc(cmark_parser_finish(parser.get()));
  if (!doc) return cs::Status::Internal("cannot parse Markdown");
  std::unique_ptr<cmark_iter, IterFree> iter(cmark_iter_new(doc.get()));
  cmark_event_type ev;
  while ((ev = cmark_iter_next(iter.get())) != CMARK_EVENT_DONE) {
    if (ev != CMARK_EVENT_ENTER) continue;
    cmark_node* node = cmark_iter_get_node(iter.get());
    cmark_node_type type = cmark_node_get_type(node);
    if (type == CMARK_NODE_HTML_BLOCK || type == CMARK_NODE_HTML_INLINE) {
      const char* lit = cmark_node_get_literal(node);
      std::string html = Lower(lit ? lit : "");
      for (const char* bad : {"<script", "<iframe", "<object", "<embed"})
        if (html.find(bad) != std::string::npos)
          return cs::Status::InvalidInput(
              "the description contains a " + std::string(bad) +
              "> element; descriptions are Markdown and may not carry scripts or embedded pages");
      if (html.find("javascript:") != std::string::npos)
        return cs::Status::InvalidInput(
            "the description contains a javascript: URL; links must be http(s) or mailto");
      for (size_t p = html.find(" on"); p != std::string::npos; p = html.find(" on", p + 1)) {
        size_t e = p + 3;
        while (e < html.size() && std::isalpha(static_cast<unsigned char>(html[e]))) ++e;
        while (e < html.size() && html[e] == ' ') ++e;
        if (e > p + 3 && e < html.size() && html[e] == '=')
          return cs::Status::InvalidInput(
              "the description contains an HTML event handler (on...=); descriptions are Markdown "
              "and may not carry scripts");
      }
    }
    if (type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE) {
      const char* u = cmark_node_get_url(node);
      std::string url;
      for (const char* p = u ? u : ""; *p; ++p)
        if (static_cast<unsigned char>(*p) > 0x20) url.push_back(*p);
      url = Lower(url);
      for (const char* bad : {"javascript:", "vbscript:", "data:"})
        if (StartsWith(url, bad))
          return cs::Status::InvalidInput("the description links to a " + std::string(bad) +
                                          " URL; links must be http(s) or mailto");
    }
  }
  return cs::Status::Ok();
}

cs::Status ValidateResourceInput(const ResourceInput& in, bool creating) {
  if (creating && (!in.title || in.title->empty()))
    return cs::Status::InvalidInput("a resource needs a --title");
  if (in.title) {
    if (in.title->empty()) return cs::Status::InvalidInput("--title may not be empty");
    if (in.title->size() > kMaxTitleBytes)
      return cs::Status::InvalidInput("a title is limited to " + std::to_string(kMaxTitleBytes) +
                                      " bytes");
    if (ValidUtf8(*in.title) != *in.title)
      return cs::Status::InvalidInput("the title is not UTF-8");
  }
  if (in.description) {
    if (ValidUtf8(*in.description) != *in.description)
      return cs::Status::InvalidInput("the description is not UTF-8");
    CS_RETURN_IF_ERROR(CheckDescription(*in.description));
  }
  if (in.license) {
    auto l = NormalizeLicense(*in.license);
    if (!l.ok()) return l.status();
  }
  if (in.language && !IsLanguageTag(*in.language))
    return cs::Status::InvalidInput("--language wants a language code such as nl, en or fy, got '" +
                                    *in.language + "'");
  if (in.subjects)
    for (const auto& s : *in.subjects)
      if (!IsSubject(s)) {
        std::string known;
        for (const auto& t : Subjects()) known += std::string(known.empty() ? "" : ", ") + t.code;
        return cs::Status::InvalidInput("unknown subject '" + s + "' (one of: " + known + ")");
      }
  if (in.levels)
    for (const auto& l : *in.levels)
      if (!IsSchoolLevel(l)) {
        std::string known;
        for (const auto& t : SchoolLevels())
          known += std::string(known.empty() ? "" : ", ") + t.code;
        return cs::Status::InvalidInput("unknown level '" + l + "' (one of: " + known + ")");
      }
  return cs::Status::Ok();
}

cs::Result<std::vector<store::ResourceFile>> ImportFiles(const store::BlobStore& blobs,
                                                         const Uris& uris,
                                                         const std::vector<std::string>& paths) {
  if (paths.size() > kMaxFilesPerResource)
    return cs::Status::InvalidInput("a resource has at most " +
                                    std::to_string(kMaxFilesPerResource) + " files");
  // Everything is checked before anything is copied: a refusal leaves no blob behind.
  std::vector<store::ResourceFile> files;
  std::set<std::string> names;
  for (const auto& p : paths) {
    struct stat st {};
    // A path the user can fix (exit 2), as a directory is.
    if (::stat(p.c_str(), &st) != 0)
      return cs::Status::InvalidInput("--file " + p + ": no such file");
    if (!S_ISREG(st.st_mode))
      return cs::Status::InvalidInput("--file " + p + " is not a regular file");
    if (static_cast<uint64_t>(st.st_size) > blobs.max_bytes())
      return cs::Status::TooLarge(
          "--file " + p + " " +
          store::SizeOverLimit(static_cast<uint64_t>(st.st_size), blobs.max_bytes()) +
          " (max_file_bytes in cloudschool.toml)");
    auto name = SanitizeFileName(p);
    if (!name.ok()) return cs::Status::InvalidInput("--file " + p + ": " + name.status().message());
    if (!names.insert(Lower(*name)).second)
      return cs::Status::InvalidInput("two files are named '" + *name +
                                      "'; file names must differ");
    store::ResourceFile f;
    f.name = *name;
    f.media_type = MediaTypeForName(*name);
    files.push_back(std::move(f));
  }
  for (size_t i = 0; i < paths.size(); ++i) {
    auto info = blobs.PutFile(paths[i]);
    if (!info.ok())
      return cs::Status(info.status().code(),
                        "--file " + paths[i] + ": " + info.status().message());
    files[i].sha256_hex = info->sha256_hex;
    files[i].size = info->size;
    files[i].url = FileUrl(uris, info->sha256_hex, files[i].name);
  }
  return files;
}

namespace {

cs::Result<store::ActorRecord> LocalTeacher(const store::Txn& txn, std::string_view user) {
  auto actor = store::GetLocalActorByName(txn, user);
  if (!actor.ok()) return cs::Status::NotFound("no teacher '" + std::string(user) + "' here");
  if (actor->deleted) return cs::Status::NotFound("user '" + std::string(user) + "' was deleted");
  if (actor->type != "Person")
    return cs::Status::InvalidInput("'" + std::string(user) + "' is not a teacher");
  return actor;
}

std::string ActivityJsonWithContext(const std::string& id, const std::string& type,
                                    const std::string& actor, const std::vector<std::string>& to,
                                    const std::vector<std::string>& cc, int64_t published_ms,
                                    const std::string& object_json,
                                    const std::string& context_url) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("@context");
  w.StartArray();
  w.String(kAsContext);
  w.String(context_url.c_str());
  w.EndArray();
  Str(w, "id", id);
  Str(w, "type", type);
  Str(w, "actor", actor);
  Str(w, "published", Time(published_ms));
  StrArray(w, "to", to);
  StrArray(w, "cc", cc);
  w.Key("object");
  w.RawValue(object_json.data(), object_json.size(), rapidjson::kObjectType);
  w.EndObject();
  return buf.GetString();
}

// Records the files of a version as local blobs (served at /files/...).
cs::Status RecordLocalFiles(store::Txn& txn, const std::vector<store::ResourceFile>& files,
                            int64_t now) {
  for (const auto& f : files) {
    store::FileRecord rec;
    if (auto existing = store::GetFileRecord(txn, f.sha256_hex); existing.ok())
      rec = *existing;
    else
      rec.created_ms = now;
    rec.sha256_hex = f.sha256_hex;
    rec.size = f.size;
    if (rec.media_type.empty()) rec.media_type = f.media_type;
    if (rec.name.empty()) rec.name = f.name;
    rec.local = true;
    rec.last_used_ms = now;
    CS_RETURN_IF_ERROR(store::PutFileRecord(txn, rec));
  }
  return cs::Status::Ok();
}

// The timeline/outbox face of a resource: an ObjectRecord (Page) under the resource's id.
store::ObjectRecord ObjectFor(const store::ResourceRecord& r,
                              const store::ResourceVersionRecord& v) {
  store::ObjectRecord o;
  o.id = r.id;
  o.type = r.type;
  o.attributed_to = r.attributed_to;
  o.name = v.title;
  o.content_html = ResourceContentHtml(v);
  o.source_markdown = v.description_markdown;
  o.to = r.to;
  o.cc = r.cc;
  o.audience = r.audience;
  o.visibility = IsPublicResource(r) ? store::Visibility::kPublic : store::Visibility::kDirect;
  o.published_ms = r.created_ms;
  o.updated_ms = r.current_version > 1 ? r.updated_ms : 0;
  o.local = r.local;
  return o;
}

}  // namespace

cs::Result<std::string> CreateResource(store::Txn& txn, const Outbox& outbox, const Uris& uris,
                                       const cs::Clock& clock, std::string_view user,
                                       const ResourceInput& input,
                                       const std::vector<store::ResourceFile>& files) {
  CS_RETURN_IF_ERROR(ValidateResourceInput(input, true));
  if (files.empty()) return cs::Status::InvalidInput("a resource needs at least one --file");
  auto author = LocalTeacher(txn, user);
  if (!author.ok()) return author.status();
  int64_t now = clock.NowMillis();
  store::ResourceRecord r;
  r.id = author->id + "/resources/" + RandomId();
  r.type = "Page";
  r.attributed_to = author->id;
  r.audience = input.community;
  // In a community that is not public: to the group only (it announces to its members), as a
  // post in it; else public, to the author's followers and the community.
  const bool closed = IsClosedCommunity(txn, input.community);
  if (closed) {
    r.to = {input.community};
  } else {
    r.to = {kPublic};
    r.cc = {author->followers};
    if (!input.community.empty()) r.cc.push_back(input.community);
  }
  r.current_version = 1;
  r.created_ms = r.updated_ms = now;
  r.local = true;
  r.versions_url = VersionsUrl(r.id);

  store::ResourceVersionRecord v;
  v.resource_id = r.id;
  v.version = 1;
  v.version_id = VersionUrl(r.id, 1);
  v.title = *input.title;
  v.description_markdown = input.description.value_or("");
  v.description_html = v.description_markdown.empty() ? "" : RenderMarkdown(v.description_markdown);
  v.license =
      input.license ? *NormalizeLicense(*input.license) : DefaultLicenseFor(txn, input.community);
  v.language = input.language.value_or("");
  v.subjects = input.subjects.value_or(std::vector<std::string>{});
  v.levels = input.levels.value_or(std::vector<std::string>{});
  v.authors = {author->id};
  v.files = files;
  v.published_ms = now;

  store::ActivityRecord create;
  create.id = uris.NewActivity(author->preferred_username);
  create.type = "Create";
  create.actor = author->id;
  create.object_id = r.id;
  create.published_ms = now;
  create.visibility = closed ? store::Visibility::kDirect : store::Visibility::kPublic;
  v.activity_id = create.id;
  create.json =
      ActivityJsonWithContext(create.id, "Create", author->id, r.to, r.cc, now,
                              ResourceObjectJson(r, v, false, ""), uris.origin() + kContextPath);
  store::ObjectRecord o = ObjectFor(r, v);
  o.create_activity_id = create.id;
  CS_RETURN_IF_ERROR(store::PutResource(txn, r));
  CS_RETURN_IF_ERROR(store::PutResourceVersion(txn, v));
  CS_RETURN_IF_ERROR(RecordLocalFiles(txn, files, now));
  CS_RETURN_IF_ERROR(store::PutObject(txn, o));
  std::vector<std::string> extra;
  if (!input.community.empty()) extra.push_back(input.community);
  CS_RETURN_IF_ERROR(outbox.PublishActivity(txn, *author, create, extra, r.id, !closed));
  return r.id;
}

cs::Result<uint64_t> UpdateResource(store::Txn& txn, const Outbox& outbox, const Uris& uris,
                                    const cs::Clock& clock, std::string_view user,
                                    std::string_view resource_id, const ResourceInput& input,
                                    const std::optional<std::vector<store::ResourceFile>>& files) {
  CS_RETURN_IF_ERROR(ValidateResourceInput(input, false));
  auto author = LocalTeacher(txn, user);
  if (!author.ok()) return author.status();
  auto r = store::GetResource(txn, resource_id);
  if (!r.ok() || !r->local)
    return cs::Status::NotFound("no resource " + std::string(resource_id) + " here");
  if (r->attributed_to != author->id)
    return cs::Status::Forbidden(std::string(user) + " is not the author of " +
                                 std::string(resource_id));
  if (r->deleted_ms) return cs::Status::Gone("the resource was deleted");
  if (auto obj = store::GetObject(txn, r->id); obj.ok() && obj->deleted())
    return cs::Status::Gone("the resource was deleted");
  auto prev = store::GetCurrentVersion(txn, *r);
  if (!prev.ok()) return prev.status();
  if (files && files->empty())
    return cs::Status::InvalidInput("a resource needs at least one file");
  int64_t now = clock.NowMillis();
  store::ResourceVersionRecord v = *prev;
  v.version = r->current_version + 1;
  v.version_id = VersionUrl(r->id, v.version);
  if (input.title) v.title = *input.title;
  if (input.description) {
    v.description_markdown = *input.description;
    v.description_html =
        v.description_markdown.empty() ? "" : RenderMarkdown(v.description_markdown);
  }
  if (input.license) v.license = *NormalizeLicense(*input.license);
  if (input.language) v.language = *input.language;
  if (input.subjects) v.subjects = *input.subjects;
  if (input.levels) v.levels = *input.levels;
  if (files) v.files = *files;
  v.published_ms = now;
  r->current_version = v.version;
  r->updated_ms = now;

  store::ActivityRecord update;
  update.id = uris.NewActivity(author->preferred_username);
  update.type = "Update";
  update.actor = author->id;
  update.object_id = r->id;
  update.published_ms = now;
  const bool is_public = IsPublicResource(*r);
  update.visibility = is_public ? store::Visibility::kPublic : store::Visibility::kDirect;
  v.activity_id = update.id;
  update.json =
      ActivityJsonWithContext(update.id, "Update", author->id, r->to, r->cc, now,
                              ResourceObjectJson(*r, v, false, ""), uris.origin() + kContextPath);
  store::ObjectRecord o = ObjectFor(*r, v);
  if (auto existing = store::GetObject(txn, r->id); existing.ok())
    o.create_activity_id = existing->create_activity_id;
  CS_RETURN_IF_ERROR(store::PutResource(txn, *r));
  CS_RETURN_IF_ERROR(store::PutResourceVersion(txn, v));
  if (files) CS_RETURN_IF_ERROR(RecordLocalFiles(txn, *files, now));
  CS_RETURN_IF_ERROR(store::PutObject(txn, o));
  std::vector<std::string> extra;
  if (!r->audience.empty()) extra.push_back(r->audience);
  CS_RETURN_IF_ERROR(outbox.PublishActivity(txn, *author, update, extra, "", is_public));
  return v.version;
}

bool IsPublicResource(const store::ResourceRecord& r) {
  return std::find(r.to.begin(), r.to.end(), kPublic) != r.to.end() ||
         std::find(r.cc.begin(), r.cc.end(), kPublic) != r.cc.end();
}

// ---- Documents ----

std::string VersionsUrl(std::string_view id) { return std::string(id) + "/versions"; }
std::string VersionUrl(std::string_view id, uint64_t n) {
  return std::string(id) + "/versions/" + std::to_string(n);
}

std::string ResourceContentHtml(const store::ResourceVersionRecord& v) {
  std::string html = v.description_html;
  if (!v.files.empty()) {
    html += "<p>Files:</p><ul>";
    for (const auto& f : v.files)
      html += "<li><a href=\"" + EscapeHtml(f.url) + "\">" + EscapeHtml(f.name) + "</a> (" +
              EscapeHtml(store::HumanBytes(f.size)) + ")</li>";
    html += "</ul>";
  }
  if (!v.license.empty())
    html += "<p>License: <a href=\"" + EscapeHtml(v.license) + "\">" +
            EscapeHtml(LicenseLabel(v.license)) + "</a></p>";
  return html;
}

namespace {

void WriteResource(Writer& w, const store::ResourceRecord& r, const store::ResourceVersionRecord& v,
                   bool as_version, const std::string& context_url) {
  w.StartObject();
  if (!context_url.empty()) {
    w.Key("@context");
    w.StartArray();
    w.String(kAsContext);
    w.String(context_url.c_str());
    w.EndArray();
  }
  Str(w, "id", as_version ? v.version_id : r.id);
  Str(w, "type", r.type.empty() ? "Page" : r.type);
  Str(w, "attributedTo", r.attributed_to);
  Str(w, "name", v.title);
  Str(w, "content", ResourceContentHtml(v));
  Str(w, "mediaType", "text/html");
  if (!v.description_markdown.empty()) {
    w.Key("source");
    w.StartObject();
    Str(w, "content", v.description_markdown);
    Str(w, "mediaType", "text/markdown");
    w.EndObject();
  }
  Str(w, "url", as_version ? v.version_id : r.id);
  Str(w, "published", Time(r.created_ms));
  if (v.version > 1) Str(w, "updated", cs::FormatRfc3339Millis(v.published_ms));
  StrArray(w, "to", r.to);
  StrArray(w, "cc", r.cc);
  StrIf(w, "audience", r.audience);
  w.Key("attachment");
  w.StartArray();
  for (const auto& f : v.files) {
    w.StartObject();
    Str(w, "type", "Document");
    Str(w, "mediaType", f.media_type);
    Str(w, "url", f.url);
    Str(w, "name", f.name);
    Str(w, "digestMultibase", DigestMultibase(store::FromHex(f.sha256_hex)));
    w.Key("size");
    w.Uint64(f.size);
    w.EndObject();
  }
  w.EndArray();
  if (!v.subjects.empty()) {
    w.Key("tag");
    w.StartArray();
    for (const auto& s : v.subjects) {
      w.StartObject();
      Str(w, "type", "Hashtag");
      Str(w, "name", "#" + s);
      w.EndObject();
    }
    w.EndArray();
  }
  StrIf(w, "license", v.license);
  if (!v.levels.empty()) StrArray(w, "educationalLevel", v.levels);
  if (!v.subjects.empty()) StrArray(w, "about", v.subjects);
  StrIf(w, "inLanguage", v.language);
  w.Key("version");
  w.Uint64(v.version);
  Str(w, "versions", r.versions_url.empty() ? VersionsUrl(r.id) : r.versions_url);
  if (as_version)
    Str(w, "isVersionOf", r.id);
  else
    StrIf(w, "currentVersion", v.version_id);
  w.EndObject();
}

}  // namespace

std::string ResourceObjectJson(const store::ResourceRecord& r,
                               const store::ResourceVersionRecord& v, bool as_version,
                               const std::string& context_url) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  WriteResource(w, r, v, as_version, context_url);
  return buf.GetString();
}

std::string VersionsCollectionJson(const store::ResourceRecord& r,
                                   const std::vector<store::ResourceVersionRecord>& versions,
                                   const std::string& context_url) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("@context");
  w.StartArray();
  w.String(kAsContext);
  w.String(context_url.c_str());
  w.EndArray();
  Str(w, "id", VersionsUrl(r.id));
  Str(w, "type", "OrderedCollection");
  Str(w, "isVersionOf", r.id);
  w.Key("totalItems");
  w.Uint64(versions.size());
  w.Key("orderedItems");
  w.StartArray();
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) WriteResource(w, r, *it, true, "");
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

std::string ResourceHtmlPage(const store::ResourceRecord& r,
                             const store::ResourceVersionRecord& v) {
  std::string html = "<!doctype html><meta charset=utf-8><title>" + EscapeHtml(v.title) +
                     "</title><h1>" + EscapeHtml(v.title) + "</h1><p>Version " +
                     std::to_string(v.version) + ", by " + EscapeHtml(r.attributed_to) + "</p>" +
                     ResourceContentHtml(v);
  if (!v.levels.empty() || !v.subjects.empty()) {
    html += "<p>";
    for (const auto& l : v.levels) html += EscapeHtml(l) + " ";
    for (const auto& s : v.subjects) html += "#" + EscapeHtml(s) + " ";
    html += "</p>";
  }
  html += "<p><a href=\"" + EscapeHtml(VersionsUrl(r.id)) + "\">All versions</a></p>";
  return html;
}

// ---- Inbound ----

namespace {

std::vector<std::string> ReadTerms(const rapidjson::Value& obj, const char* key) {
  std::vector<std::string> out;
  const rapidjson::Value* v = Member(obj, key);
  if (v == nullptr) return out;
  auto take = [&](const rapidjson::Value& item) {
    std::optional<std::string> s = AsString(item);
    if (!s && item.IsObject()) {
      s = ReadString(item, "termCode");
      if (!s) s = ReadString(item, "name");
    }
    if (s && !s->empty() && out.size() < 20) out.push_back(CutUtf8(ValidUtf8(*s), 100));
  };
  if (v->IsArray()) {
    for (const auto& item : v->GetArray()) take(item);
  } else {
    take(*v);
  }
  return out;
}

bool IsMediaType(std::string_view t) {
  if (t.empty() || t.size() > 127) return false;
  auto slash = t.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == t.size()) return false;
  for (char c : t)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '+' ||
          c == '-' || c == '_'))
      return false;
  return true;
}

}  // namespace

bool LooksLikeResource(const rapidjson::Value& obj) {
  auto type = ReadString(obj, "type");
  if (!type || (*type != "Page" && *type != "Document")) return false;
  if (Member(obj, "currentVersion") || Member(obj, "isVersionOf")) return true;
  const rapidjson::Value* att = Member(obj, "attachment");
  if (att == nullptr) return false;
  auto has_digest = [](const rapidjson::Value& a) {
    return ReadString(a, "digestMultibase").has_value();
  };
  if (att->IsObject()) return has_digest(*att);
  if (att->IsArray())
    for (const auto& a : att->GetArray())
      if (has_digest(a)) return true;
  return false;
}

cs::Result<ResourceDoc> ParseResource(const rapidjson::Value& obj, int64_t now_ms) {
  auto base = ParseObject(obj);
  if (!base.ok()) return base.status();
  if (base->type != "Page" && base->type != "Document")
    return cs::Status::InvalidInput(base->type + " is not a resource (a Page or Document)");
  ResourceDoc d;
  d.id = base->id;
  d.type = base->type;
  d.attributed_to = base->attributed_to;
  d.audience = base->audience;
  d.to = base->to;
  d.cc = base->cc;
  int64_t published = base->published.empty() ? -1 : cs::ParseRfc3339Millis(base->published);
  int64_t updated = base->updated.empty() ? -1 : cs::ParseRfc3339Millis(base->updated);
  d.published_ms = published > 0 ? published : now_ms;
  d.updated_ms = updated > 0 ? updated : d.published_ms;
  d.current_version_id = ReadUrlRef(obj, "currentVersion");
  d.is_version_of = ReadUrlRef(obj, "isVersionOf");
  d.versions_url = ReadUrlRef(obj, "versions");
  store::ResourceVersionRecord& v = d.version;
  v.resource_id = d.is_version_of.empty() ? d.id : d.is_version_of;
  v.version_id = d.is_version_of.empty() ? d.current_version_id : d.id;
  auto n = ReadInt(obj, "version");
  if (!n) {
    if (auto s = ReadString(obj, "version")) n = std::atoll(s->c_str());
  }
  v.version = n && *n > 0 && *n < (int64_t{1} << 40) ? static_cast<uint64_t>(*n) : 0;
  v.title = CutUtf8(ValidUtf8(base->name), kMaxTitleBytes);
  if (Lower(base->source_media_type) == "text/markdown" && !base->source_content.empty()) {
    v.description_markdown = CutUtf8(ValidUtf8(base->source_content), kMaxDescriptionBytes);
    v.description_html = RenderMarkdown(v.description_markdown);
  } else {
    v.description_html = SanitizeHtml(base->content_html);
  }
  if (auto l = ReadString(obj, "license")) {
    auto norm = NormalizeLicense(*l);
    v.license = norm.ok() ? *norm : (IsHttpUrl(*l) ? *l : "");
  } else {
    v.license = ReadUrlRef(obj, "license");
  }
  auto lang = ReadString(obj, "inLanguage");
  if (lang && IsLanguageTag(*lang)) v.language = *lang;
  v.levels = ReadTerms(obj, "educationalLevel");
  v.subjects = ReadTerms(obj, "about");
  v.authors = base->attributed_to_all.empty() ? std::vector<std::string>{d.attributed_to}
                                              : base->attributed_to_all;
  v.published_ms = d.updated_ms;
  // Attachments: only those we can verify (a URL and a sha2-256 digest).
  std::set<std::string> names;
  const rapidjson::Value* att = Member(obj, "attachment");
  std::vector<const rapidjson::Value*> items;
  if (att && att->IsObject()) items.push_back(att);
  if (att && att->IsArray())
    for (const auto& a : att->GetArray())
      if (a.IsObject()) items.push_back(&a);
  for (const rapidjson::Value* a : items) {
    if (v.files.size() >= kMaxFilesPerResource) break;
    store::ResourceFile f;
    f.url = FirstHref(*a);
    auto digest = ParseDigestMultibase(ReadString(*a, "digestMultibase").value_or(""));
    if (f.url.empty() || !digest.ok()) continue;
    f.sha256_hex = store::ToHex(*digest);
    auto name = SanitizeFileName(ReadString(*a, "name").value_or(""));
    f.name = name.ok() ? *name : "file-" + std::to_string(v.files.size() + 1);
    while (!names.insert(Lower(f.name)).second) f.name = "_" + f.name;  // duplicates stay distinct
    std::string mt = Lower(ReadString(*a, "mediaType").value_or(""));
    f.media_type = IsMediaType(mt) ? mt : MediaTypeForName(f.name);
    auto size = ReadInt(*a, "size");
    f.size = size && *size > 0 ? static_cast<uint64_t>(*size) : 0;
    v.files.push_back(std::move(f));
  }
  return d;
}

namespace {

// Two versions say the same: title, description, license, language, vocabulary, authors, files.
bool SameContent(const store::ResourceVersionRecord& a, const store::ResourceVersionRecord& b) {
  auto digests = [](const store::ResourceVersionRecord& v) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& f : v.files) out.emplace_back(f.name, f.sha256_hex);
    return out;
  };
  return a.title == b.title && a.description_markdown == b.description_markdown &&
         a.description_html == b.description_html && a.license == b.license &&
         a.language == b.language && a.subjects == b.subjects && a.levels == b.levels &&
         a.authors == b.authors && digests(a) == digests(b);
}

}  // namespace

cs::Status StoreResourceDoc(store::Txn& txn, const ResourceDoc& doc, const std::string& activity_id,
                            int64_t now_ms) {
  const std::string& rid = doc.version.resource_id;
  if (!SameOrigin(rid, doc.attributed_to) || !SameOrigin(doc.id, doc.attributed_to))
    return cs::Status::Forbidden("resource " + rid + " is not on its author's origin");
  store::ResourceRecord r;
  auto existing = store::GetResource(txn, rid);
  if (existing.ok()) {
    if (existing->local) return cs::Status::Forbidden(rid + " is a resource of this node");
    if (existing->attributed_to != doc.attributed_to)
      return cs::Status::Forbidden(doc.attributed_to + " cannot change " + rid);
    r = *existing;
  } else {
    r.id = rid;
    r.type = doc.type;
    r.attributed_to = doc.attributed_to;
    r.created_ms = doc.published_ms;
    r.local = false;
  }
  store::ResourceVersionRecord v = doc.version;
  if (v.version == 0) {
    // A sender that does not number its versions: the same content again (a refetch, a repeated
    // Update) is the current version, not a new one.
    if (auto current = store::GetResourceVersion(txn, rid, r.current_version);
        current.ok() && SameContent(*current, v))
      return cs::Status::Ok();
    v.version = r.current_version + 1;
  }
  if (store::GetResourceVersion(txn, rid, v.version).ok()) return cs::Status::Ok();  // known
  v.activity_id = activity_id;
  CS_RETURN_IF_ERROR(store::PutResourceVersion(txn, v));
  if (doc.is_version_of.empty() || !existing.ok()) {
    // The current document (or the first we hear of it): addressing comes with it.
    r.audience = doc.audience;
    r.to = doc.to;
    r.cc = doc.cc;
    if (!doc.versions_url.empty() && SameOrigin(doc.versions_url, rid))
      r.versions_url = doc.versions_url;
  }
  if (v.version > r.current_version) {
    r.current_version = v.version;
    r.updated_ms = v.published_ms ? v.published_ms : now_ms;
  }
  return store::PutResource(txn, r);
}

cs::Status StoreRemoteResource(store::Txn& txn, const ActivityDoc& a, int64_t now_ms) {
  if ((a.type != "Create" && a.type != "Update") || !a.object || a.source_json.empty())
    return cs::Status::Ok();
  if (a.object->type != "Page" && a.object->type != "Document") return cs::Status::Ok();
  auto doc = ParseJson(a.source_json);
  if (!doc.ok()) return cs::Status::Ok();
  const rapidjson::Value* object = Member(*doc, "object");
  if (object == nullptr || !object->IsObject() || !LooksLikeResource(*object))
    return cs::Status::Ok();
  auto res = ParseResource(*object, now_ms);
  if (!res.ok()) return cs::Status::Ok();  // stored as a plain post already
  if (res->attributed_to != a.actor)
    return cs::Status::Forbidden("resource " + res->id + " is attributed to " + res->attributed_to +
                                 ", not to the sender " + a.actor);
  return StoreResourceDoc(txn, *res, a.id, now_ms);
}

cs::Status StoreFetchedResource(store::Txn& txn, const rapidjson::Value& object,
                                const std::string& author, int64_t now_ms) {
  if (!object.IsObject() || !LooksLikeResource(object)) return cs::Status::Ok();
  auto res = ParseResource(object, now_ms);
  if (!res.ok() || res->attributed_to != author) return cs::Status::Ok();  // a plain post then
  return StoreResourceDoc(txn, *res, "", now_ms);
}

}  // namespace federation
