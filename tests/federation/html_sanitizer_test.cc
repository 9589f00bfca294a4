// Unit tests of the allowlist HTML sanitizer (federation/html_sanitizer.h) on hostile input:
// scripts, event handlers, dangerous URL schemes (plain, mixed case, entity-encoded, with
// whitespace or control characters), frames, images, foreign content, comments, CDATA, broken
// and very deep markup, attribute injection and the class allowlist for Mastodon mentions.
#include "federation/html_sanitizer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace federation {
namespace {

constexpr const char* kRel = " rel=\"nofollow noopener noreferrer\"";

std::string Link(const std::string& href, const std::string& text, const std::string& cls = "") {
  return "<a href=\"" + href + "\"" + kRel + (cls.empty() ? "" : " class=\"" + cls + "\"") + ">" +
         text + "</a>";
}

// ---- allowed markup ----

TEST(SanitizeHtmlTest, KeepsAllowedFormatting) {
  EXPECT_EQ(SanitizeHtml(""), "");
  EXPECT_EQ(SanitizeHtml("plain"), "plain");
  EXPECT_EQ(SanitizeHtml("<p>Hello <strong>bold</strong> <em>em</em> <b>b</b> <i>i</i> <u>u</u> "
                         "<s>s</s> <del>del</del> <code>c</code> x<sup>2</sup> y<sub>1</sub></p>"),
            "<p>Hello <strong>bold</strong> <em>em</em> <b>b</b> <i>i</i> <u>u</u> <s>s</s> "
            "<del>del</del> <code>c</code> x<sup>2</sup> y<sub>1</sub></p>");
  EXPECT_EQ(SanitizeHtml("<p>a<br>b<br/>c</p><hr>"), "<p>a<br>b<br>c</p><hr>");
  EXPECT_EQ(SanitizeHtml("<blockquote><p>q</p></blockquote><pre><code>x</code></pre>"),
            "<blockquote><p>q</p></blockquote><pre><code>x</code></pre>");
  EXPECT_EQ(SanitizeHtml("<ul><li>a</li></ul><ol><li>b</li></ol>"),
            "<ul><li>a</li></ul><ol><li>b</li></ol>");
  // Headings become a bold paragraph (Mastodon does the same).
  EXPECT_EQ(SanitizeHtml("<h1>Title</h1><h6>small</h6>"),
            "<p><strong>Title</strong></p><p><strong>small</strong></p>");
  // The parser adds the implied <tbody>.
  EXPECT_EQ(SanitizeHtml("<table><tr><th>h</th></tr><tr><td>d</td></tr></table>"),
            "<table><tbody><tr><th>h</th></tr><tr><td>d</td></tr></tbody></table>");
}

TEST(SanitizeHtmlTest, EscapesTextAndDecodesEntitiesOnce) {
  EXPECT_EQ(SanitizeHtml("<p>a &lt; b &amp;&amp; \"c\" 'd' &gt;</p>"),
            "<p>a &lt; b &amp;&amp; &quot;c&quot; &#39;d&#39; &gt;</p>");
  EXPECT_EQ(SanitizeHtml("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_EQ(SanitizeHtml("caf&eacute; &#x1F600;"), "caf\xC3\xA9 \xF0\x9F\x98\x80");
  // A stray '<' that starts no tag stays text.
  EXPECT_EQ(SanitizeHtml("1 < 2"), "1 &lt; 2");
}

TEST(SanitizeHtmlTest, UnwrapsUnknownTagsAndKeepsTheirText) {
  EXPECT_EQ(SanitizeHtml("<div><section>in <custom-tag x=1>custom</custom-tag></section></div>"),
            "in custom");
  EXPECT_EQ(SanitizeHtml("<details open ontoggle=alert(1)><summary>s</summary>d</details>"), "sd");
  EXPECT_EQ(SanitizeHtml("<marquee onstart=alert(1)>m</marquee>"), "m");
  EXPECT_EQ(SanitizeHtml("<base href=\"https://evil.example/\"><meta http-equiv=refresh "
                         "content=\"0;url=javascript:alert(1)\"><link rel=stylesheet href=x>ok"),
            "ok");
}

// ---- scripts, styles and embedded documents ----

TEST(SanitizeHtmlTest, DropsScriptsAndStylesWithTheirContent) {
  EXPECT_EQ(SanitizeHtml("<p>Hello <script>alert(1)</script>world</p>"), "<p>Hello world</p>");
  EXPECT_EQ(SanitizeHtml("<SCRIPT SRC=https://evil.example/x.js></SCRIPT>ok"), "ok");
  EXPECT_EQ(SanitizeHtml("<script>document.write('<p>x</p>')</script>"), "");
  EXPECT_EQ(SanitizeHtml("<style>p{background:url(javascript:alert(1))}</style><p>x</p>"),
            "<p>x</p>");
  EXPECT_EQ(SanitizeHtml("<p style=\"color:red;background:url(javascript:x)\">x</p>"), "<p>x</p>");
  // An unclosed script swallows the rest of the document, which is dropped with it.
  EXPECT_EQ(SanitizeHtml("<p>a</p><script>alert(1)"), "<p>a</p>");
  // Split tag names do not reassemble into a tag ("scr<script" is an unknown tag).
  EXPECT_EQ(SanitizeHtml("<scr<script>ipt>alert(1)</script>"), "ipt&gt;alert(1)");
  // Gumbo parses noscript as with scripting off; the attribute cannot break out.
  EXPECT_EQ(SanitizeHtml("<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">"),
            "<p></p>");
  EXPECT_EQ(SanitizeHtml("<xmp><script>alert(1)</script></xmp>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_EQ(SanitizeHtml("<template><script>alert(1)</script></template>t"), "t");
}

TEST(SanitizeHtmlTest, DropsFramesFormsAndMedia) {
  EXPECT_EQ(SanitizeHtml("<iframe src=\"https://evil.example/\">fallback</iframe>x"), "x");
  EXPECT_EQ(SanitizeHtml("<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>"), "");
  EXPECT_EQ(SanitizeHtml("<object data=\"javascript:alert(1)\">o</object><embed src=x>e"), "e");
  EXPECT_EQ(SanitizeHtml("<form action=\"javascript:alert(1)\"><input value=v><button>b</button>"
                         "<textarea>t</textarea><select><option>o</select></form>after"),
            "after");
  EXPECT_EQ(SanitizeHtml("<frameset><frame src=x></frameset>"), "");
  // Images are not in the allowlist (remote media arrive as attachments).
  EXPECT_EQ(SanitizeHtml("<p><img src=x onerror=alert(1)>text</p>"), "<p>text</p>");
  EXPECT_EQ(SanitizeHtml("<img src=\"https://ok.example/a.png\" alt=\"a\">"), "");
  EXPECT_EQ(SanitizeHtml("<video src=x onerror=alert(1)>v</video><audio src=x>a</audio>"), "");
  EXPECT_EQ(SanitizeHtml("<canvas>c</canvas><applet>a</applet>z"), "z");
}

TEST(SanitizeHtmlTest, DropsSvgAndMathWithTheirContent) {
  EXPECT_EQ(SanitizeHtml("<svg onload=alert(1)><script>alert(1)</script><a href=x>s</a></svg>ok"),
            "ok");
  EXPECT_EQ(SanitizeHtml("<svg><foreignObject><p>f</p></foreignObject></svg>"), "");
  EXPECT_EQ(SanitizeHtml("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"), "");
  EXPECT_EQ(SanitizeHtml("<math href=\"javascript:alert(1)\">m</math>t"), "t");
}

TEST(SanitizeHtmlTest, DropsCommentsAndCdata) {
  EXPECT_EQ(SanitizeHtml("a<!-- <script>alert(1)</script> -->b"), "ab");
  EXPECT_EQ(SanitizeHtml("a<!--><script>alert(1)</script>-->b"), "a--&gt;b");
  // Outside foreign content CDATA is a bogus comment ending at the first '>'.
  EXPECT_EQ(SanitizeHtml("<![CDATA[<script>alert(1)</script>]]>c"), "alert(1)]]&gt;c");
  EXPECT_EQ(SanitizeHtml("<!DOCTYPE html><p>d</p>"), "<p>d</p>");
  EXPECT_EQ(SanitizeHtml("<?xml version=\"1.0\"?><p>x</p>"), "<p>x</p>");
}

// ---- attributes ----

TEST(SanitizeHtmlTest, DropsEventHandlersAndUnknownAttributes) {
  EXPECT_EQ(SanitizeHtml("<p onclick=\"alert(1)\" onmouseover=alert(2) ONLOAD='x' id=a title=t "
                         "data-x=1>hi</p>"),
            "<p>hi</p>");
  EXPECT_EQ(SanitizeHtml("<a href=\"https://ok.example/\" onclick=\"alert(1)\">x</a>"),
            Link("https://ok.example/", "x"));
  EXPECT_EQ(SanitizeHtml("<span/onmouseover=alert(1)>s</span>"), "<span>s</span>");
  EXPECT_EQ(SanitizeHtml("<strong title=\"\"onclick=alert(1)\">s</strong>"), "<strong>s</strong>");
}

TEST(SanitizeHtmlTest, LinksKeepHttpTargetsAndGetRel) {
  EXPECT_EQ(SanitizeHtml("<a href=\"https://ok.example/p?a=1&amp;b=2#f\">x</a>"),
            Link("https://ok.example/p?a=1&amp;b=2#f", "x"));
  EXPECT_EQ(SanitizeHtml("<a href=\"http://ok.example/\">x</a>"), Link("http://ok.example/", "x"));
  EXPECT_EQ(SanitizeHtml("<a href=\"HTTPS://OK.example/\">x</a>"),
            Link("HTTPS://OK.example/", "x"));
  // Surrounding whitespace is trimmed.
  EXPECT_EQ(SanitizeHtml("<a href=\"  https://ok.example/ \n\">x</a>"),
            Link("https://ok.example/", "x"));
  // target and the sender's rel are replaced by our rel.
  EXPECT_EQ(SanitizeHtml("<a href=\"https://ok.example/\" target=\"_blank\" rel=\"opener\">x</a>"),
            Link("https://ok.example/", "x"));
  EXPECT_EQ(SanitizeHtml("<a href=\"https://ok.example/it's\">x</a>"),
            Link("https://ok.example/it&#39;s", "x"));
  // The shortest http URL with a host.
  EXPECT_EQ(SanitizeHtml("<a href=\"http://a\">x</a>"), Link("http://a", "x"));
}

TEST(SanitizeHtmlTest, LinksLoseDangerousTargets) {
  const char* hostile[] = {
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      " javascript:alert(1)",
      "\njavascript:alert(1)",
      "jav&#x09;ascript:alert(1)",  // tab: ignored by URL parsers
      "jav&#x0A;ascript:alert(1)",
      "jav&#x0D;ascript:alert(1)",
      "jav&#9;ascript:alert(1)",
      "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)",
      "&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)",
      "javascript&colon;alert(1)",
      "&#0000106avascript:alert(1)",
      "java\x01script:alert(1)",
      "\x01javascript:alert(1)",
      "&#x00;javascript:alert(1)",
      "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
      "DATA:text/html,<script>alert(1)</script>",
      "vbscript:msgbox(1)",
      "VBScript:msgbox(1)",
      "file:///etc/passwd",
      "ftp://ok.example/",
      "//evil.example/",
      "/relative",
      "#frag",
      "https:evil.example",
      "http:/evil.example",
      "https://",
      "http://",
      "\xC2\xA0javascript:alert(1)",
      "https://ok.example/a b",
      "https://ok.example/a\tb",
      "https://ok.example/\" onmouseover=\"alert(1)",
      "https://ok.example/&quot;onmouseover=&quot;alert(1)",
      "https://ok.example/&gt;&lt;script&gt;",
      "https://ok.example\\@evil.example/",
      "",
  };
  for (const char* h : hostile) {
    std::string html = std::string("<a href='") + h + "'>x</a>";
    EXPECT_EQ(SanitizeHtml(html), "<a>x</a>") << html;
  }
  EXPECT_EQ(SanitizeHtml("<a>no href</a>"), "<a>no href</a>");
  // The parser turns control characters into U+FFFD: no longer a control character, harmless.
  EXPECT_EQ(SanitizeHtml("<a href='https://ok.example/\x01'>x</a>"),
            Link("https://ok.example/\xEF\xBF\xBD", "x"));
  EXPECT_EQ(SanitizeHtml("<a href=\"javascript:alert(1)\" href=\"https://ok.example/\">x</a>"),
            "<a>x</a>");
  // Only <a href> is a link: other URL attributes never survive.
  EXPECT_EQ(SanitizeHtml("<a xlink:href=\"javascript:alert(1)\" formaction=\"javascript:x\" "
                         "src=\"javascript:x\" action=\"javascript:x\">x</a>"),
            "<a>x</a>");
  EXPECT_EQ(SanitizeHtml("<p cite=\"javascript:x\" background=\"javascript:x\">x</p>"), "<p>x</p>");
}

TEST(SanitizeHtmlTest, KeepsOnlyMentionAndHashtagClasses) {
  // A Mastodon mention and hashtag survive unchanged apart from our rel.
  EXPECT_EQ(SanitizeHtml("<p><span class=\"h-card\" translate=\"no\"><a "
                         "href=\"https://b.example/@ann\" class=\"u-url mention\">@<span>ann</span>"
                         "</a></span> <a href=\"https://b.example/tags/maths\" class=\"mention "
                         "hashtag\" rel=\"tag\">#<span>maths</span></a></p>"),
            "<p><span class=\"h-card\">" +
                Link("https://b.example/@ann", "@<span>ann</span>", "u-url mention") + "</span> " +
                Link("https://b.example/tags/maths", "#<span>maths</span>", "mention hashtag") +
                "</p>");
  // Shortened links: invisible and ellipsis spans.
  EXPECT_EQ(SanitizeHtml("<a href=\"https://ok.example/long/path\"><span class=\"invisible\">"
                         "https://</span><span class=\"ellipsis\">ok.example/lo</span><span "
                         "class=\"invisible\">ng/path</span></a>"),
            Link("https://ok.example/long/path",
                 "<span class=\"invisible\">https://</span><span class=\"ellipsis\">ok.example/"
                 "lo</span><span class=\"invisible\">ng/path</span>"));
  // Unknown classes go, known ones stay in their order; classes are only kept on a and span.
  EXPECT_EQ(SanitizeHtml("<span class=\"evil mention  overlay hashtag\">s</span>"),
            "<span class=\"mention hashtag\">s</span>");
  EXPECT_EQ(SanitizeHtml("<span class=\"fullscreen-overlay\">s</span>"), "<span>s</span>");
  EXPECT_EQ(SanitizeHtml("<p class=\"mention\">p</p>"), "<p>p</p>");
  EXPECT_EQ(SanitizeHtml("<span class=\"MENTION\">s</span>"), "<span>s</span>");
  // Classes separated by any ASCII whitespace.
  EXPECT_EQ(SanitizeHtml("<span class=\"u-url\tmention\nhashtag\">s</span>"),
            "<span class=\"u-url mention hashtag\">s</span>");
  EXPECT_EQ(SanitizeHtml("<span class='mention\" onmouseover=\"alert(1)'>s</span>"),
            "<span>s</span>");
}

// ---- broken and hostile structure ----

TEST(SanitizeHtmlTest, RepairsNestingAndClosesUnclosedTags) {
  EXPECT_EQ(SanitizeHtml("<p><b>bold<i>both</p>after"),
            "<p><b>bold<i>both</i></b></p><b><i>after</i></b>");
  EXPECT_EQ(SanitizeHtml("<b><i>x</b></i>"), "<b><i>x</i></b>");
  EXPECT_EQ(SanitizeHtml("<p>open"), "<p>open</p>");
  EXPECT_EQ(SanitizeHtml("x</p></div></script>text"), "x<p></p>text");
  EXPECT_EQ(SanitizeHtml("<a href=\"https://a.example/\">1<a href=\"https://b.example/\">2</a>"),
            Link("https://a.example/", "1") + Link("https://b.example/", "2"));
  EXPECT_EQ(SanitizeHtml("<ul><li>a<li>b</ul>"), "<ul><li>a</li><li>b</li></ul>");
  EXPECT_EQ(SanitizeHtml("<p title=\"unterminated>x"), "");
  EXPECT_EQ(SanitizeHtml("<a href=\"https://ok.example/"), "");
}

TEST(SanitizeHtmlTest, DeeplyNestedInputDoesNotCrash) {
  constexpr int kDepth = 100000;
  auto start = std::chrono::steady_clock::now();
  std::string divs;
  for (int i = 0; i < kDepth; ++i) divs += "<div>";
  // Only the first 8192 '<' are parsed as markup; later tags become a space each.
  const std::string spaces(kDepth - 8192, ' ');
  EXPECT_EQ(SanitizeHtml(divs + "x"), spaces + "x");
  EXPECT_EQ(HtmlToText(divs + "x"), spaces + "x");

  std::string spans, closes;
  for (int i = 0; i < kDepth; ++i) spans += "<span>";
  std::string out = SanitizeHtml(spans + "y");
  EXPECT_NE(out.find('y'), std::string::npos);
  EXPECT_EQ(out.find("<span"), 0u);
  // Well-formed output: every span opened is closed.
  size_t opened = 0, closed = 0;
  for (size_t p = out.find("<span>"); p != std::string::npos; p = out.find("<span>", p + 1))
    ++opened;
  for (size_t p = out.find("</span>"); p != std::string::npos; p = out.find("</span>", p + 1))
    ++closed;
  EXPECT_EQ(opened, closed);

  std::string bs;
  for (int i = 0; i < kDepth; ++i) bs += "<b><i><a>";
  out = SanitizeHtml(bs + "z");
  EXPECT_NE(out.find('z'), std::string::npos);

  std::string tables;
  for (int i = 0; i < kDepth / 10; ++i) tables += "<table><tr><td>";
  EXPECT_NE(SanitizeHtml(tables + "t").find('t'), std::string::npos);

  // Linear-ish: all of the above in well under a minute even on a busy machine.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
}

TEST(SanitizeHtmlTest, HugeInputIsCutNotRejected) {
  std::string big = "<p>" + std::string(3 << 20, 'a') + "</p>";
  std::string out = SanitizeHtml(big);
  EXPECT_EQ(out.size(), size_t{2 << 20} - 3 + 7);  // 2 MiB of input, "<p>" ... "</p>"
  EXPECT_EQ(out.substr(0, 4), "<p>a");
}

// ---- EscapeHtml, HtmlToText, IsValidEmojiShortcode ----

TEST(EscapeHtmlTest, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(EscapeHtml(""), "");
  EXPECT_EQ(EscapeHtml("plain text"), "plain text");
  EXPECT_EQ(EscapeHtml("<a href=\"x\" title='y'>&amp;</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
  EXPECT_EQ(EscapeHtml("<img src=x onerror=alert(1)>"), "&lt;img src=x onerror=alert(1)&gt;");
  EXPECT_EQ(EscapeHtml("\xC3\xBC"), "\xC3\xBC");
}

TEST(HtmlToTextTest, DropsTagsAndBreaksBlocks) {
  EXPECT_EQ(HtmlToText(""), "");
  EXPECT_EQ(HtmlToText("<p>Hello <b>world</b></p><p>second<br>line</p>"),
            "Hello world\nsecond\nline");
  EXPECT_EQ(HtmlToText("<h2>Title</h2><ul><li>a</li><li>b</li></ul>"), "Title\na\nb");
  EXPECT_EQ(HtmlToText("<blockquote>q</blockquote><pre>code</pre>end"), "q\ncode\nend");
  EXPECT_EQ(HtmlToText("a &lt; b &amp; c &quot;d&quot;"), "a < b & c \"d\"");
  EXPECT_EQ(HtmlToText("<p>x<script>alert(1)</script><style>p{}</style>y</p>"), "xy");
  EXPECT_EQ(HtmlToText("<p>x<img src=x alt=pic>y<!-- c --></p>\n\n"), "xy");
  EXPECT_EQ(HtmlToText("<span class=\"h-card\"><a href=\"https://b.example/@ann\">@<span>ann</span>"
                       "</a></span> hi"),
            "@ann hi");
}

TEST(HtmlToTextTest, NoTerminalControlCharactersSurvive) {
  // Text for the command line must not carry escape sequences from remote content: the parser
  // turns raw control characters into U+FFFD and most C1 references into their windows-1252
  // meaning; control characters written as references are dropped.
  EXPECT_EQ(HtmlToText("<p>a\x1b]0;owned\x07"
                       "b\x1b[2Jc\rd\x7f"
                       "e</p>"),
            "a\xEF\xBF\xBD]0;owned\xEF\xBF\xBD"
            "b\xEF\xBF\xBD[2Jc\nd\xEF\xBF\xBD"
            "e");
  EXPECT_EQ(HtmlToText("&#x1b;[31mred&#x9b;1m"),
            "[31mred\xE2\x80\xBA"
            "1m");
  EXPECT_EQ(HtmlToText("a&#7;b&#127;c&#x81;d&#x8D;e&#x9D;f"), "abcdef");
  EXPECT_EQ(HtmlToText("&#x1b;]8;;https://evil.example/&#x1b;\\link"),
            "]8;;https://evil.example/\\link");
  EXPECT_EQ(HtmlToText("raw\xC2\x9B"
                       "1m"),
            "raw\xEF\xBF\xBD"
            "1m");
  EXPECT_EQ(HtmlToText("tab\there<br>line"), "tab\there\nline");
  EXPECT_EQ(HtmlToText("caf\xC3\xA9"), "caf\xC3\xA9");
}

TEST(EmojiShortcodeTest, AcceptsOnlyColonWrappedWordCharacters) {
  EXPECT_TRUE(IsValidEmojiShortcode(":wave:"));
  EXPECT_TRUE(IsValidEmojiShortcode(":a:"));
  EXPECT_TRUE(IsValidEmojiShortcode(":Blob_Cat_99:"));
  EXPECT_FALSE(IsValidEmojiShortcode(""));
  EXPECT_FALSE(IsValidEmojiShortcode(":"));
  EXPECT_FALSE(IsValidEmojiShortcode("::"));
  EXPECT_FALSE(IsValidEmojiShortcode("wave"));
  EXPECT_FALSE(IsValidEmojiShortcode(":wave"));
  EXPECT_FALSE(IsValidEmojiShortcode("wave:"));
  EXPECT_FALSE(IsValidEmojiShortcode(":wa ve:"));
  EXPECT_FALSE(IsValidEmojiShortcode(":wa-ve:"));
  EXPECT_FALSE(IsValidEmojiShortcode(":wa:ve:"));
  EXPECT_FALSE(IsValidEmojiShortcode(":wave:\" onerror=\"alert(1)"));
  EXPECT_FALSE(IsValidEmojiShortcode(":wave\" onerror=\"alert(1):"));
  EXPECT_FALSE(IsValidEmojiShortcode(":<script>:"));
  EXPECT_FALSE(IsValidEmojiShortcode(":w\xC3\xA4ve:"));
  EXPECT_FALSE(IsValidEmojiShortcode(std::string_view(":wa\0ve:", 7)));
}

}  // namespace
}  // namespace federation
