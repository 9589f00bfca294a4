// Derived titles of untitled community posts (BR-19, federation/post_title.h): the first line of
// the text, cut at a word boundary to at most 80 code points with an ellipsis, never inside a
// character, an emoji sequence or a flag.
#include "federation/post_title.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using federation::DeriveTitle;
using federation::TitleOf;

size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Every multi-byte sequence complete: lead byte followed by exactly its continuation bytes.
bool ValidUtf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(DeriveTitleTest, FirstLineOfTheText) {
  // BR-19.1's content: the <br> ends the first line.
  EXPECT_EQ(DeriveTitle("<p>Worksheet on fractions<br>Link inside...</p>"),
            "Worksheet on fractions");
  EXPECT_EQ(DeriveTitle("<p>Worksheet on fractions<br/>Link inside</p>"), "Worksheet on fractions");
  // Paragraphs: the first one with text; whitespace collapsed and trimmed.
  EXPECT_EQ(DeriveTitle("<p></p><p>  First \t  paragraph\u00a0here </p><p>Second</p>"),
            "First paragraph here");
  EXPECT_EQ(DeriveTitle("<p>Line one</p>\n<p>Line two</p>"), "Line one");
  // A newline inside HTML text is a space (a Markdown soft break); in markup-free content it
  // ends the line.
  EXPECT_EQ(DeriveTitle("<p>Worksheet\non fractions</p>\n<p>More</p>"), "Worksheet on fractions");
  EXPECT_EQ(DeriveTitle("Plain text\nsecond line"), "Plain text");
  // Markup goes, entities are decoded: a title is plain text.
  EXPECT_EQ(DeriveTitle("<p><strong>Fractions</strong> &amp; <em>decimals</em> &lt;3</p>"),
            "Fractions & decimals <3");
  EXPECT_EQ(DeriveTitle("<p><a href=\"https://x.example/a\">A link</a> to read</p>"),
            "A link to read");
  // Nothing to derive from.
  EXPECT_EQ(DeriveTitle(""), "");
  EXPECT_EQ(DeriveTitle("<p> </p><p><br></p>"), "");
}

TEST(DeriveTitleTest, LeadingMentionsOfTheGroupAreNotTheTitle) {
  // How Mastodon writes a post into a community: the group mentioned first.
  EXPECT_EQ(DeriveTitle("<p><span class=\"h-card\"><a href=\"https://node-a.example.org/c/maths\" "
                        "class=\"u-url mention\">@<span>maths</span></a></span> Worksheet on "
                        "fractions</p>"),
            "Worksheet on fractions");
  EXPECT_EQ(DeriveTitle("<p>@maths@node-a.example.org @ann<br>Worksheet on fractions<br>more</p>"),
            "Worksheet on fractions");
  // A mention later in the line stays.
  EXPECT_EQ(DeriveTitle("<p>Thanks @ann for the worksheet</p>"), "Thanks @ann for the worksheet");
  // Only mentions: no title.
  EXPECT_EQ(DeriveTitle("<p>@maths@node-a.example.org</p>"), "");
}

TEST(DeriveTitleTest, LongLinesAreCutAtAWordBoundaryWithAnEllipsis) {
  const std::string long_line =
      "Who has a good worksheet on adding fractions with unlike denominators for year five "
      "pupils? Ours is too hard.";
  EXPECT_EQ(DeriveTitle("<p>" + long_line + "</p>"),
            "Who has a good worksheet on adding fractions with unlike denominators for year\u2026");
  // Exactly 80 code points: kept whole, no ellipsis.
  const std::string eighty = Repeat("abcdefghi ", 7) + "abcdefghij";
  ASSERT_EQ(eighty.size(), 80u);
  EXPECT_EQ(DeriveTitle(eighty), eighty);
  // 81: a space at the 80th code point ends a whole word.
  EXPECT_EQ(DeriveTitle(Repeat("abcdefghi ", 8) + "x"),
            Repeat("abcdefghi ", 7) + "abcdefghi\u2026");
  // No dangling comma before the ellipsis.
  EXPECT_EQ(DeriveTitle("Fractions, decimals and percentages: a complete unit plan for the first "
                        "term, with worksheets"),
            "Fractions, decimals and percentages: a complete unit plan for the first term\u2026");
  // Code points, not bytes: 96 characters of German (109 bytes) are cut at the same place a
  // reader counts.
  EXPECT_EQ(DeriveTitle("<p>Leçon über Brüche und Dezimalzahlen für die Klassen fünf und sechs an "
                        "unserer Schule im Frühling</p>"),
            "Leçon über Brüche und Dezimalzahlen für die Klassen fünf und sechs an unserer\u2026");
  for (const std::string& s : {long_line, Repeat("word ", 40), Repeat("ééé ", 40)}) {
    std::string t = DeriveTitle(s);
    EXPECT_LE(CodePoints(t), federation::kMaxDerivedTitle) << t;
    EXPECT_TRUE(ValidUtf8(t)) << t;
  }
}

TEST(DeriveTitleTest, AWordLongerThanATitleIsCutBetweenWholeCharacters) {
  // One 100-character word of two-byte characters: 79 of them and the ellipsis, valid UTF-8.
  EXPECT_EQ(DeriveTitle(Repeat("é", 100)), Repeat("é", 79) + "\u2026");
  EXPECT_EQ(DeriveTitle("https://example.org/" + Repeat("x", 100)),
            "https://example.org/" + Repeat("x", 59) + "\u2026");
  // Four-byte emoji: never half of one.
  EXPECT_EQ(DeriveTitle(Repeat("\U0001F600", 90)), Repeat("\U0001F600", 79) + "\u2026");
  // A ZWJ sequence (woman teacher: U+1F469 U+200D U+1F3EB) across the cut stays whole or goes.
  const std::string a78 = Repeat("a", 78);
  EXPECT_EQ(DeriveTitle(a78 + "\U0001F469\u200D\U0001F3EB" + Repeat("b", 10)), a78 + "\u2026");
  // A flag is two regional indicators: not split.
  EXPECT_EQ(DeriveTitle(a78 + "\U0001F1F3\U0001F1F1" + Repeat("b", 10)), a78 + "\u2026");
  // A base letter and its combining accent: not split.
  EXPECT_EQ(DeriveTitle(a78 + "e\u0301" + Repeat("b", 10)), a78 + "\u2026");
  // A skin tone belongs to the emoji before it.
  EXPECT_EQ(DeriveTitle(a78 + "\U0001F44D\U0001F3FD" + Repeat("b", 10)), a78 + "\u2026");
  // The sequence fits whole before the cut: kept.
  const std::string a77 = Repeat("a", 77);
  EXPECT_EQ(DeriveTitle(a77 + "\U0001F1F3\U0001F1F1" + Repeat("b", 10)),
            a77 + "\U0001F1F3\U0001F1F1\u2026");
}

store::ObjectRecord Post(std::string content, std::string audience = "https://a.example/c/maths") {
  store::ObjectRecord o;
  o.id = "https://b.example/notes/1";
  o.type = "Note";
  o.content_html = std::move(content);
  o.audience = std::move(audience);
  return o;
}

TEST(TitleOfTest, TheAuthorsNameElseDerivedForTopLevelCommunityPostsOnly) {
  auto titled = Post("<p>Body</p>");
  titled.name = "Fractions";
  EXPECT_EQ(TitleOf(titled).text, "Fractions");
  EXPECT_FALSE(TitleOf(titled).derived);

  auto untitled = Post("<p>Worksheet on fractions<br>Link inside...</p>");
  EXPECT_EQ(TitleOf(untitled).text, "Worksheet on fractions");
  EXPECT_TRUE(TitleOf(untitled).derived);
  EXPECT_EQ(untitled.name, "") << "the author's object is not changed";

  auto reply = untitled;
  reply.in_reply_to = "https://a.example/c/maths/posts/1";
  EXPECT_EQ(TitleOf(reply).text, "");
  EXPECT_FALSE(TitleOf(reply).derived);

  auto outside = Post("<p>Just a note</p>", "");
  EXPECT_EQ(TitleOf(outside).text, "") << "not in a community: no title";

  // Behind a content warning: the title comes from the warning, not the hidden text.
  auto warned = Post("<p>Spoiler: the answer is 3/4</p>");
  warned.summary = "Answers to worksheet 3\nfor teachers";
  EXPECT_EQ(TitleOf(warned).text, "Answers to worksheet 3");
  EXPECT_TRUE(TitleOf(warned).derived);

  EXPECT_EQ(TitleOf(Post("<p><img src=\"https://b.example/x.png\"></p>")).text, "");
}

}  // namespace
