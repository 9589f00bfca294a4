// Unit tests of RenderMarkdown (federation/markdown.h): GitHub-flavoured Markdown to the HTML we
// send, with raw HTML never passed through and dangerous link targets removed.
#include "federation/markdown.h"

#include <gtest/gtest.h>

#include <string>

namespace federation {
namespace {

constexpr const char* kRel = " rel=\"nofollow noopener noreferrer\"";

std::string Link(const std::string& href, const std::string& text) {
  return "<a href=\"" + href + "\"" + kRel + ">" + text + "</a>";
}

TEST(MarkdownTest, ParagraphsEmphasisAndHeadings) {
  EXPECT_EQ(RenderMarkdown(""), "");
  EXPECT_EQ(RenderMarkdown("Hello"), "<p>Hello</p>");
  EXPECT_EQ(RenderMarkdown("*em* _em_ **strong** __strong__"),
            "<p><em>em</em> <em>em</em> <strong>strong</strong> <strong>strong</strong></p>");
  EXPECT_EQ(RenderMarkdown("one\n\ntwo"), "<p>one</p>\n<p>two</p>");
  EXPECT_EQ(RenderMarkdown("line one  \nline two"), "<p>line one<br>\nline two</p>");
  // Headings are rendered as a bold paragraph by the sanitizer.
  EXPECT_EQ(RenderMarkdown("# Fractions"), "<p><strong>Fractions</strong></p>");
  EXPECT_EQ(RenderMarkdown("Title\n====="), "<p><strong>Title</strong></p>");
  EXPECT_EQ(RenderMarkdown("###### small"), "<p><strong>small</strong></p>");
}

TEST(MarkdownTest, ListsQuotesAndCode) {
  EXPECT_EQ(RenderMarkdown("- a\n- b"), "<ul>\n<li>a</li>\n<li>b</li>\n</ul>");
  EXPECT_EQ(RenderMarkdown("1. a\n2. b"), "<ol>\n<li>a</li>\n<li>b</li>\n</ol>");
  EXPECT_EQ(RenderMarkdown("> quoted"), "<blockquote>\n<p>quoted</p>\n</blockquote>");
  EXPECT_EQ(RenderMarkdown("`<b>` & x"), "<p><code>&lt;b&gt;</code> &amp; x</p>");
  EXPECT_EQ(RenderMarkdown("```\n<script>alert(1)</script>\n```"),
            "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>");
  EXPECT_EQ(RenderMarkdown("---"), "<hr>");
  EXPECT_EQ(RenderMarkdown("AT&T \"quoted\""), "<p>AT&amp;T &quot;quoted&quot;</p>");
}

TEST(MarkdownTest, LinksKeepHttpTargets) {
  EXPECT_EQ(RenderMarkdown("[worksheet](https://node-a.example.org/w?a=1&b=2)"),
            "<p>" + Link("https://node-a.example.org/w?a=1&amp;b=2", "worksheet") + "</p>");
  // Titles are not in the allowlist.
  EXPECT_EQ(RenderMarkdown("[x](https://ok.example/ \"title\")"),
            "<p>" + Link("https://ok.example/", "x") + "</p>");
  EXPECT_EQ(RenderMarkdown("<https://ok.example/a>"),
            "<p>" + Link("https://ok.example/a", "https://ok.example/a") + "</p>");
}

TEST(MarkdownTest, GfmAutolinks) {
  EXPECT_EQ(RenderMarkdown("see https://ok.example/x for more"),
            "<p>see " + Link("https://ok.example/x", "https://ok.example/x") + " for more</p>");
  EXPECT_EQ(RenderMarkdown("www.ok.example"),
            "<p>" + Link("http://www.ok.example", "www.ok.example") + "</p>");
  // An e-mail address becomes a mailto: link, which the sanitizer does not keep.
  EXPECT_EQ(RenderMarkdown("ann@ok.example"), "<p><a>ann@ok.example</a></p>");
}

TEST(MarkdownTest, DangerousLinkTargetsDoNotSurvive) {
  for (const char* md :
       {"[x](javascript:alert(1))", "[x](JavaScript:alert(1))", "[x](javascript&#58;alert(1))",
        "[x](java%0Ascript:alert(1))", "[x](<javascript:alert(1)>)", "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)", "[x](file:///etc/passwd)",
        "[x](//evil.example/)", "[x](/relative)"}) {
    EXPECT_EQ(RenderMarkdown(md), "<p><a>x</a></p>") << md;
  }
  EXPECT_EQ(RenderMarkdown("<javascript:alert(1)>"), "<p><a>javascript:alert(1)</a></p>");
  EXPECT_EQ(RenderMarkdown("[x]: javascript:alert(1)\n\n[x]"), "<p><a>x</a></p>");
  // An image is not in the allowlist at all.
  EXPECT_EQ(RenderMarkdown("![pic](javascript:alert(1))"), "<p></p>");
  // Attribute injection through the URL is percent-encoded, not executed.
  EXPECT_EQ(RenderMarkdown("[x](https://ok.example/\"onmouseover=\"alert(1))"),
            "<p>" + Link("https://ok.example/%22onmouseover=%22alert(1)", "x") + "</p>");
}

TEST(MarkdownTest, RawHtmlIsNeverPassedThrough) {
  EXPECT_EQ(RenderMarkdown("<script>alert(1)</script>"), "");
  EXPECT_EQ(RenderMarkdown("a <b onclick=\"alert(1)\">b</b> c"), "<p>a b c</p>");
  EXPECT_EQ(RenderMarkdown("<img src=x onerror=alert(1)>"), "");
  EXPECT_EQ(RenderMarkdown("<iframe src=\"https://evil.example/\"></iframe>"), "");
  EXPECT_EQ(RenderMarkdown("text <!-- comment --> more"), "<p>text  more</p>");
  EXPECT_EQ(RenderMarkdown("<a href=\"https://ok.example/\">x</a>"), "<p>x</p>");
  EXPECT_EQ(RenderMarkdown("<div>\n*md*\n</div>"), "");
  // Escaped HTML shows as text.
  EXPECT_EQ(RenderMarkdown("\\<script\\>"), "<p>&lt;script&gt;</p>");
}

TEST(MarkdownTest, StrikethroughAndTables) {
  EXPECT_EQ(RenderMarkdown("~~gone~~"), "<p><del>gone</del></p>");
  // Only the double tilde strikes through.
  EXPECT_EQ(RenderMarkdown("~one~"), "<p>~one~</p>");
  EXPECT_EQ(RenderMarkdown("| a | b |\n|---|---|\n| 1 | 2 |"),
            "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n"
            "<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>");
  EXPECT_EQ(RenderMarkdown("| <script>alert(1)</script> |\n|---|\n| [x](javascript:y) |"),
            // inline raw HTML is omitted tag by tag: the text between stays, as text
            "<table>\n<thead>\n<tr>\n<th>alert(1)</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n"
            "<td><a>x</a></td>\n</tr>\n</tbody>\n</table>");
}

}  // namespace
}  // namespace federation
