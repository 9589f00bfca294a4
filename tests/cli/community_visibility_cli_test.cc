// `post` into communities and their visibility, as a teacher meets it through the real binary:
// a post in a public community is public, so asking for followers-only there is refused (exit
// 2 for contradictory options, exit 3 when the group refuses a followers-only reply), and in a
// closed community --visibility followers is harmless (every post there goes to the group only).
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "tests/cli/cli_run.h"
#include "tests/test_util.h"

namespace {

using CliResult = clitest::CliRun;

class CommunityVisibilityCli : public ::testing::Test {
 protected:
  CliResult Do(std::vector<std::string> args) {
    args.insert(args.begin(), {"--data", data_});
    return clitest::Cloudschool(args, scratch_.str());
  }
  void SetUp() override {
    ASSERT_EQ(Do({"init", "--domain", "school.example:8443", "--http"}).exit_code, 0);
    for (const char* u : {"ann", "bob"}) ASSERT_EQ(Do({"user", "add", u}).exit_code, 0);
    ASSERT_EQ(Do({"community", "add", "maths", "--join", "open", "--moderator", "ann"}).exit_code, 0);
    ASSERT_EQ(Do({"community", "add", "staff", "--join", "open", "--visibility", "members",
                  "--moderator", "ann"})
                  .exit_code,
              0);
  }
  size_t CommunityPosts(const std::string& name) {
    CliResult r = Do({"community", "posts", name, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    rapidjson::Document d;
    d.Parse(r.out.c_str());
    return d.IsArray() ? d.Size() : 0;
  }

  testutil::TempDir dir_, scratch_;
  std::string data_ = dir_.str() + "/node";
};

TEST_F(CommunityVisibilityCli, FollowersOnlyIntoAPublicCommunityIsRefused) {
  CliResult r = Do({"post", "--as", "ann", "--community", "maths", "--visibility", "followers",
              "--title", "T", "secret"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("maths is a public community: its posts are public; leave out "
                       "--visibility followers"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(CommunityPosts("maths"), 0u);

  // A followers-only reply to a post in it: the group refuses it, nothing is stored.
  CliResult top = Do({"post", "--as", "ann", "--community", "maths", "--title", "Fractions", "Who?"});
  ASSERT_EQ(top.exit_code, 0) << top.err;
  std::string parent = top.out.substr(0, top.out.find('\n'));
  CliResult reply = Do({"post", "--as", "ann", "--reply-to", parent, "--visibility", "followers",
                  "only for my followers"});
  EXPECT_EQ(reply.exit_code, 3) << reply.out << reply.err;
  EXPECT_NE(reply.err.find("maths is a public community: its posts are public"),
            std::string::npos)
      << reply.err;
  CliResult tl = Do({"timeline", "--as", "ann", "--json"});
  EXPECT_EQ(tl.out.find("only for my followers"), std::string::npos) << tl.out;
  // A public reply is fine.
  EXPECT_EQ(Do({"post", "--as", "ann", "--reply-to", parent, "public reply"}).exit_code, 0);
}

TEST_F(CommunityVisibilityCli, FollowersOnlyIntoAMembersCommunityIsHarmless) {
  CliResult r = Do({"post", "--as", "ann", "--community", "staff", "--visibility", "followers",
              "--title", "Rota", "members only"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(CommunityPosts("staff"), 1u);
}

// Mentioning a community in an ordinary post is a link, not posting into it: the post is not
// addressed to the group, not listed, not announced, and a followers-only one stays so — also
// when its author is not a member (before, the whole post was refused as "not a member").
TEST_F(CommunityVisibilityCli, MentioningACommunityIsNotPostingIntoIt) {
  for (const char* vis : {"public", "followers"}) {
    CliResult r = Do({"post", "--as", "bob", "--visibility", vis, "Ideas for @maths this week"});
    ASSERT_EQ(r.exit_code, 0) << vis << ": " << r.err;
    const std::string id = r.out.substr(0, r.out.find('\n'));
    CliResult t = Do({"thread", id, "--json"});
    ASSERT_EQ(t.exit_code, 0) << t.err;
    EXPECT_NE(t.out.find("u-url mention"), std::string::npos) << t.out;  // still a link
  }
  EXPECT_EQ(CommunityPosts("maths"), 0u);
}

}  // namespace
