// A community's description is Markdown, like everything teachers write: the Group's `summary`
// is its HTML (no raw HTML passed through) and `source` keeps the Markdown as text/markdown.
#include <gtest/gtest.h>

#include "federation/documents.h"
#include "federation/group.h"
#include "federation/json.h"

namespace federation {
namespace {

TEST(CommunityProfile, DescriptionIsMarkdownRenderedWithoutRawHtml) {
  EXPECT_EQ(CommunitySummaryHtml(""), "");
  EXPECT_EQ(CommunitySummaryHtml("Lesson ideas for **maths**"),
            "<p>Lesson ideas for <strong>maths</strong></p>");
  std::string hostile =
      CommunitySummaryHtml("Hi <script>alert(1)</script> [x](javascript:alert(1))");
  EXPECT_EQ(hostile.find("<script"), std::string::npos) << hostile;
  EXPECT_EQ(hostile.find("javascript:"), std::string::npos) << hostile;
}

TEST(CommunityProfile, GroupDocumentCarriesTheHtmlAndTheMarkdownSource) {
  store::ActorRecord a;
  a.id = "https://school.example/c/maths";
  a.type = "Group";
  a.preferred_username = "maths";
  a.summary_html = CommunitySummaryHtml("For **all** maths teachers");
  store::CommunityRecord c;
  c.id = a.id;
  c.name = "maths";
  c.description = "For **all** maths teachers";
  auto doc = ParseJson(GroupActorJson(a, c));
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(std::string((*doc)["summary"].GetString()),
            "<p>For <strong>all</strong> maths teachers</p>");
  EXPECT_EQ(std::string((*doc)["source"]["content"].GetString()), "For **all** maths teachers");
  EXPECT_EQ(std::string((*doc)["source"]["mediaType"].GetString()), "text/markdown");
}

}  // namespace
}  // namespace federation
