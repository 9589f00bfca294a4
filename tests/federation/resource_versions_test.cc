// Versions of another school's resource as we store them (StoreResourceDoc), on a real LMDB:
// a sender that does not number its versions gets a new version only when the content changed,
// so refetching or a repeated Update does not grow the history.
#include <gtest/gtest.h>

#include "federation/resource.h"
#include "store/resources.h"
#include "tests/federation/case_env.h"

namespace cases {
namespace {

federation::ResourceDoc Unnumbered(const std::string& title, const std::string& sha) {
  federation::ResourceDoc d;
  d.id = "https://other.example/pages/1";
  d.type = "Page";
  d.attributed_to = "https://other.example/users/kim";
  d.to = {kPublic};
  d.version.resource_id = d.id;
  d.version.version_id = d.id;
  d.version.title = title;
  d.version.files = {{.name = "sheet.pdf",
                      .media_type = "application/pdf",
                      .sha256_hex = sha,
                      .url = "https://other.example/f/sheet.pdf",
                      .size = 10}};
  return d;
}

TEST(ResourceVersions, AnUnnumberedSenderGetsANewVersionOnlyWhenTheContentChanged) {
  CaseNode node(NodeOptions{});
  const std::string sha_a(64, 'a'), sha_b(64, 'b');
  auto store = [&](const federation::ResourceDoc& d) {
    return node.Update(
        [&](store::Txn& txn) { return federation::StoreResourceDoc(txn, d, "", 1); });
  };
  ASSERT_TRUE(store(Unnumbered("Fractions", sha_a)).ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store(Unnumbered("Fractions", sha_a)).ok());  // refetches
  ASSERT_TRUE(store(Unnumbered("Fractions", sha_b)).ok());  // a new file: version 2
  ASSERT_TRUE(store(Unnumbered("Fractions", sha_b)).ok());
  ASSERT_TRUE(store(Unnumbered("Fractions 2", sha_b)).ok());  // a new title: version 3
  auto txn = node.store().BeginRead();
  auto r = store::GetResource(*txn, "https://other.example/pages/1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->current_version, 3u);
  EXPECT_EQ(store::ListResourceVersions(*txn, r->id).size(), 3u);
}

}  // namespace
}  // namespace cases
