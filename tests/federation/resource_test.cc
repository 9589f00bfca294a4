// Shared resources on the wire (federation/resource.h): digestMultibase, the Page document and
// its round trip, what is refused or sanitized, file names, licenses, the vocabulary.
#include "federation/resource.h"

#include <gtest/gtest.h>

#include "federation/crypto.h"
#include "federation/json.h"

namespace federation {
namespace {

TEST(DigestMultibase, KnownVectors) {
  // Checked against an independent implementation (Python: base58btc of 0x12 0x20 || sha256).
  EXPECT_EQ(DigestMultibase(Sha256("")), "zQmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n");
  EXPECT_EQ(DigestMultibase(Sha256("abc")), "zQmatYkNGZnELf8cAGdyJpUca2PyY4szai3RHyyWofNY1pY");
  auto back = ParseDigestMultibase("zQmatYkNGZnELf8cAGdyJpUca2PyY4szai3RHyyWofNY1pY");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, Sha256("abc"));
}

TEST(DigestMultibase, RefusesOtherEncodingsAndHashes) {
  EXPECT_FALSE(ParseDigestMultibase("").ok());
  EXPECT_FALSE(
      ParseDigestMultibase("QmatYkNGZnELf8cAGdyJpUca2PyY4szai3RHyyWofNY1pY").ok());  // no 'z'
  EXPECT_FALSE(
      ParseDigestMultibase("zQmatYkNGZnELf8cAGdyJpUca2PyY4szai3RHyyWofNY1p0").ok());  // '0'
  std::string sha512_mh = std::string("\x13\x40", 2) + Sha512("abc");
  EXPECT_FALSE(ParseDigestMultibase("z" + Base58BtcEncode(sha512_mh)).ok());
  EXPECT_FALSE(
      ParseDigestMultibase("z" + Base58BtcEncode(std::string("\x12\x20", 2) + "short")).ok());
}

TEST(DigestMultibase, Base58RoundTripWithLeadingZeros) {
  for (std::string s : {std::string(), std::string("\0\0\x01", 3), std::string("\xff\x00\xfe", 3),
                        std::string(40, '\0')}) {
    auto back = Base58BtcDecode(Base58BtcEncode(s));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(Base58BtcEncode(std::string("\0\0", 2)), "11");
}

store::ResourceRecord Resource() {
  store::ResourceRecord r;
  r.id = "https://a.example/users/ann/resources/r1";
  r.type = "Page";
  r.attributed_to = "https://a.example/users/ann";
  r.audience = "https://a.example/c/rekenen";
  r.to = {kPublic};
  r.cc = {"https://a.example/users/ann/followers", r.audience};
  r.current_version = 2;
  r.created_ms = 1'700'000'000'000;
  r.updated_ms = 1'700'000'100'000;
  r.local = true;
  r.versions_url = VersionsUrl(r.id);
  return r;
}

store::ResourceVersionRecord Version(const store::ResourceRecord& r) {
  store::ResourceVersionRecord v;
  v.resource_id = r.id;
  v.version = 2;
  v.version_id = VersionUrl(r.id, 2);
  v.title = "Breuken <met> pizza";
  v.description_markdown = "Een les over *breuken*.";
  v.description_html = "<p>Een les over <em>breuken</em>.</p>";
  v.license = "https://creativecommons.org/licenses/by-sa/4.0/";
  v.language = "nl";
  v.subjects = {"mathematics"};
  v.levels = {"po", "so"};
  v.authors = {r.attributed_to};
  v.published_ms = r.updated_ms;
  Uris uris("https://a.example");
  for (std::string name : {"lesplan.md", "werkblad één.pdf"}) {
    store::ResourceFile f;
    f.name = name;
    f.media_type = MediaTypeForName(name);
    f.sha256_hex = store::ToHex(Sha256(name));
    f.size = 1000 + name.size();
    f.url = FileUrl(uris, f.sha256_hex, name);
    v.files.push_back(f);
  }
  return v;
}

TEST(ResourceDocument, RoundTrip) {
  auto r = Resource();
  auto v = Version(r);
  std::string json = ResourceObjectJson(r, v, false, "https://a.example/ns/cloudschool");
  auto doc = ParseJson(json);
  ASSERT_TRUE(doc.ok()) << json;
  EXPECT_EQ(ReadString(*doc, "type"), "Page");
  EXPECT_EQ(ReadString(*doc, "currentVersion"), r.id + "/versions/2");
  EXPECT_EQ(ReadString(*doc, "license"), v.license);
  // Mastodon shows the files: content links them.
  EXPECT_NE(ReadString(*doc, "content")->find(v.files[1].url), std::string::npos);
  ASSERT_TRUE(LooksLikeResource(*doc));
  auto parsed = ParseResource(*doc, 0);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->id, r.id);
  EXPECT_EQ(parsed->attributed_to, r.attributed_to);
  EXPECT_EQ(parsed->audience, r.audience);
  EXPECT_EQ(parsed->versions_url, r.versions_url);
  EXPECT_EQ(parsed->published_ms, r.created_ms);
  const auto& pv = parsed->version;
  EXPECT_EQ(pv.resource_id, r.id);
  EXPECT_EQ(pv.version_id, v.version_id);
  EXPECT_EQ(pv.version, 2u);
  EXPECT_EQ(pv.title, v.title);
  EXPECT_EQ(pv.description_markdown, v.description_markdown);
  EXPECT_EQ(pv.description_html, v.description_html);
  EXPECT_EQ(pv.license, v.license);
  EXPECT_EQ(pv.language, "nl");
  EXPECT_EQ(pv.subjects, v.subjects);
  EXPECT_EQ(pv.levels, v.levels);
  EXPECT_EQ(pv.published_ms, v.published_ms);
  ASSERT_EQ(pv.files.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(pv.files[i].name, v.files[i].name);
    EXPECT_EQ(pv.files[i].sha256_hex, v.files[i].sha256_hex);
    EXPECT_EQ(pv.files[i].size, v.files[i].size);
    EXPECT_EQ(pv.files[i].media_type, v.files[i].media_type);
    EXPECT_EQ(pv.files[i].url, v.files[i].url);
  }
  EXPECT_NE(v.files[1].url.find("werkblad%20%C3%A9%C3%A9n.pdf"), std::string::npos)
      << v.files[1].url;

  // The document of one version names what it is a version of.
  auto vdoc = ParseJson(ResourceObjectJson(r, v, true, ""));
  ASSERT_TRUE(vdoc.ok());
  auto vparsed = ParseResource(*vdoc, 0);
  ASSERT_TRUE(vparsed.ok());
  EXPECT_EQ(vparsed->id, v.version_id);
  EXPECT_EQ(vparsed->version.resource_id, r.id);
  EXPECT_EQ(vparsed->version.version_id, v.version_id);
}

TEST(ResourceDocument, RemoteHtmlIsSanitizedAndUnusableAttachmentsSkipped) {
  std::string digest = DigestMultibase(Sha256("x"));
  std::string json =
      R"J({"id":"https://b.example/r/1","type":"Document","attributedTo":"https://b.example/u/bo",
    "name":"T","content":"<p>a<script>alert(1)</script><a href=\"javascript:alert(1)\">x</a><img src=x onerror=alert(1)></p>",
    "inLanguage":"not a language!","educationalLevel":[{"type":"DefinedTerm","termCode":"vo"},"hbo",3],
    "attachment":[{"type":"Document","url":"https://b.example/f/1","name":".hidden/../../x.pdf","digestMultibase":"DIGEST","size":-5},
                  {"type":"Document","url":"javascript:alert(1)","name":"y","digestMultibase":"DIGEST"},
                  {"type":"Document","url":"https://b.example/f/2","name":"z","digestMultibase":"md5-nope"},
                  {"type":"Document","url":"https://b.example/f/3","name":"x.pdf","digestMultibase":"DIGEST"}]})J";
  for (size_t p = json.find("DIGEST"); p != std::string::npos; p = json.find("DIGEST"))
    json.replace(p, 6, digest);
  auto doc = ParseJson(json);
  ASSERT_TRUE(doc.ok());
  ASSERT_TRUE(LooksLikeResource(*doc));
  auto r = ParseResource(*doc, 5000);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto& v = r->version;
  EXPECT_EQ(v.description_html.find("script"), std::string::npos) << v.description_html;
  EXPECT_EQ(v.description_html.find("javascript"), std::string::npos) << v.description_html;
  EXPECT_EQ(v.description_html.find("onerror"), std::string::npos) << v.description_html;
  EXPECT_EQ(v.language, "");
  EXPECT_EQ(v.levels, (std::vector<std::string>{"vo", "hbo"}));
  EXPECT_EQ(v.version, 0u);  // unnumbered: the store numbers it
  ASSERT_EQ(v.files.size(), 2u);
  EXPECT_EQ(v.files[0].name, "x.pdf");   // path and leading dots gone
  EXPECT_EQ(v.files[0].size, 0u);        // a negative size is no size
  EXPECT_EQ(v.files[1].name, "_x.pdf");  // duplicate names stay distinct
  EXPECT_EQ(r->published_ms, 5000);
  // A Note with such an attachment is not a resource.
  auto note = ParseJson(
      R"({"id":"https://b.example/n/1","type":"Note","attachment":{"digestMultibase":"z"}})");
  EXPECT_FALSE(LooksLikeResource(*note));
}

TEST(ResourceInput, DescriptionsThatCarryScriptsAreRefused) {
  EXPECT_TRUE(CheckDescription(
                  "Gewoon *Markdown* met [een link](https://example.org) en `<script>` in code.")
                  .ok());
  EXPECT_TRUE(CheckDescription("```\n<script>alert(1)</script>\n```\n").ok());  // a code block
  EXPECT_TRUE(CheckDescription("[mail](mailto:ann@example.org)").ok());
  for (const char* bad :
       {"<script>alert(1)</script>", "x <SCRIPT src=//evil>", "<iframe src=x>",
        "[a](javascript:alert(1))", "[a]( JaVaScRiPt:alert(1))", "![i](data:text/html,x)",
        "<javascript:alert(1)>", "<img src=x onerror=alert(1)>", "<a href=\"javascript:x\">a</a>",
        "[a][r]\n\n[r]: vbscript:msgbox"}) {
    cs::Status st = CheckDescription(bad);
    EXPECT_TRUE(st.Is(cs::Status::Code::kInvalidInput)) << bad;
  }
  EXPECT_TRUE(
      CheckDescription(std::string(kMaxDescriptionBytes + 1, 'x')).Is(cs::Status::Code::kTooLarge));
}

TEST(ResourceInput, FileNamesLicensesLanguagesVocabulary) {
  EXPECT_EQ(SanitizeFileName("/home/ann/Werkblad 1.pdf").value(), "Werkblad 1.pdf");
  EXPECT_EQ(SanitizeFileName("..\\..\\evil.exe").value(), "evil.exe");
  EXPECT_EQ(SanitizeFileName("...hidden").value(), "hidden");
  EXPECT_EQ(SanitizeFileName("a\nb\x01.txt").value(), "ab.txt");
  EXPECT_EQ(SanitizeFileName("bad\xff.txt").value(), "bad_.txt");
  EXPECT_EQ(SanitizeFileName("één.pdf").value(), "één.pdf");
  EXPECT_FALSE(SanitizeFileName("..").ok());
  EXPECT_FALSE(SanitizeFileName("dir/").ok());
  EXPECT_EQ(SanitizeFileName(std::string(300, 'a')).value().size(), 200u);
  EXPECT_EQ(MediaTypeForName("x.PDF"), "application/pdf");
  for (const char* runnable : {"x.html", "x.htm", "x.svg", "x.js", "x.xhtml", "noext"})
    EXPECT_EQ(MediaTypeForName(runnable), "application/octet-stream") << runnable;
  EXPECT_EQ(NormalizeLicense("http://creativecommons.org/licenses/by-sa/4.0").value(),
            "https://creativecommons.org/licenses/by-sa/4.0/");
  EXPECT_EQ(NormalizeLicense("https://creativecommons.org/publicdomain/zero/1.0/").value(),
            "https://creativecommons.org/publicdomain/zero/1.0/");
  EXPECT_EQ(NormalizeLicense("https://creativecommons.org/licenses/by/3.0/nl/").value(),
            "https://creativecommons.org/licenses/by/3.0/nl/");
  for (const char* bad :
       {"https://example.org/licenses/by/4.0/", "https://creativecommons.org/licenses/mine/4.0/",
        "CC-BY", "https://creativecommons.org/", "javascript:alert(1)"})
    EXPECT_FALSE(NormalizeLicense(bad).ok()) << bad;
  EXPECT_EQ(LicenseLabel("https://creativecommons.org/licenses/by-nc-sa/4.0/"), "CC BY-NC-SA 4.0");
  EXPECT_EQ(LicenseLabel("https://creativecommons.org/publicdomain/zero/1.0/"), "CC0 1.0");
  EXPECT_TRUE(IsLanguageTag("nl"));
  EXPECT_TRUE(IsLanguageTag("en-GB"));
  EXPECT_FALSE(IsLanguageTag("n"));
  EXPECT_FALSE(IsLanguageTag("nl_NL"));
  for (const char* level : {"po", "vo", "mbo", "hbo"}) EXPECT_TRUE(IsSchoolLevel(level)) << level;
  EXPECT_FALSE(IsSchoolLevel("PO"));
  EXPECT_TRUE(IsSubject("mathematics"));
  // What teachers type: Dutch names and any case become the codes; the rest stays as typed.
  EXPECT_EQ(SubjectCode("Wiskunde"), "mathematics");
  EXPECT_EQ(SubjectCode("rekenen"), "mathematics");
  EXPECT_EQ(SubjectCode("Nederlands"), "dutch");
  EXPECT_EQ(SubjectCode("lichamelijke opvoeding"), "physical-education");
  EXPECT_EQ(SubjectCode("History"), "history");
  EXPECT_EQ(SubjectCode("astrology"), "astrology");
  EXPECT_EQ(SubjectCode("wiskunde,rekenen"), "wiskunde,rekenen");
  EXPECT_EQ(SchoolLevelCode("PO"), "po");
  EXPECT_EQ(SchoolLevelCode("Havo"), "havo");
  EXPECT_EQ(SchoolLevelCode("vavo"), "volwassenenonderwijs");
  EXPECT_EQ(SchoolLevelCode("Primair onderwijs"), "po");
  EXPECT_EQ(SchoolLevelCode("basisonderwijs"), "po");
  EXPECT_EQ(SchoolLevelCode("mavo"), "vmbo");
  EXPECT_EQ(SchoolLevelCode("kindergarten"), "kindergarten");
  for (const auto& t : Subjects()) EXPECT_EQ(SubjectCode(t.code), t.code);
  ResourceInput in;
  EXPECT_TRUE(ValidateResourceInput(in, true).Is(cs::Status::Code::kInvalidInput));  // no title
  in.title = "x";
  EXPECT_TRUE(ValidateResourceInput(in, true).ok());
  in.subjects = std::vector<std::string>{"astrology"};
  EXPECT_TRUE(ValidateResourceInput(in, true).Is(cs::Status::Code::kInvalidInput));
}

TEST(ResourceContext, IsValidJsonWithTheReusedTerms) {
  auto ctx = ParseJson(ContextDocument());
  ASSERT_TRUE(ctx.ok());
  const rapidjson::Value* c = Member(*ctx, "@context");
  ASSERT_NE(c, nullptr);
  for (const char* term : {"license", "educationalLevel", "about", "inLanguage", "version",
                           "isVersionOf", "digestMultibase", "versions", "currentVersion", "size"})
    EXPECT_NE(Member(*c, term), nullptr) << term;
  EXPECT_EQ(ReadString(*c, "cloudschool"), kCloudschoolNs);
}

}  // namespace
}  // namespace federation
