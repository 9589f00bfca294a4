// The content-addressed blob store (store/files.h) and the resource records (store/resources.h).
#include "store/files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <utime.h>

#include <filesystem>
#include <fstream>

#include "store/resources.h"
#include "tests/test_util.h"

namespace store {
namespace {

constexpr const char* kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

std::string Write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

size_t FilesUnder(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec))
    if (it->is_regular_file()) ++n;
  return n;
}

TEST(BlobStore, StoresUnderTheSha256AndReadsBack) {
  testutil::TempDir dir;
  BlobStore blobs(dir.str() + "/media");
  auto info = blobs.PutBytes("abc");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->sha256_hex, kAbc);
  EXPECT_EQ(info->size, 3u);
  EXPECT_EQ(blobs.PathFor(kAbc), dir.str() + "/media/sha256/ba/" + std::string(kAbc).substr(2));
  EXPECT_TRUE(std::filesystem::exists(blobs.PathFor(kAbc)));
  EXPECT_TRUE(blobs.Has(kAbc));
  EXPECT_EQ(blobs.Read(kAbc).value(), "abc");
  // The same content from a file lands under the same name; a second copy changes nothing.
  auto from_file = blobs.PutFile(Write(dir.str() + "/abc.txt", "abc"));
  ASSERT_TRUE(from_file.ok());
  EXPECT_EQ(from_file->sha256_hex, kAbc);
  EXPECT_EQ(FilesUnder(dir.str() + "/media/sha256"), 1u);
  // Binary content, larger than one read buffer.
  std::string big(200000, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  auto b = blobs.PutFile(Write(dir.str() + "/big.bin", big));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(blobs.Read(b->sha256_hex).value(), big);
  EXPECT_TRUE(blobs.Remove(b->sha256_hex).ok());
  EXPECT_FALSE(blobs.Has(b->sha256_hex));
  EXPECT_TRUE(blobs.Read(b->sha256_hex).status().Is(cs::Status::Code::kNotFound));
}

TEST(BlobStore, OnlyDigestsBecomePaths) {
  testutil::TempDir dir;
  BlobStore blobs(dir.str());
  for (const char* bad :
       {"", "../../etc/passwd", "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a/"}) {
    EXPECT_EQ(blobs.PathFor(bad), "") << bad;
    EXPECT_FALSE(blobs.Has(bad));
    EXPECT_TRUE(blobs.Read(bad).status().Is(cs::Status::Code::kInvalidInput)) << bad;
  }
}

TEST(BlobStore, RefusesOversizedFilesAndKeepsNothing) {
  testutil::TempDir dir;
  BlobStore blobs(dir.str() + "/media", 10);
  auto r = blobs.PutFile(Write(dir.str() + "/eleven", "01234567890"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(cs::Status::Code::kTooLarge));
  EXPECT_NE(r.status().message().find("limited to 10 bytes"), std::string::npos)
      << r.status().message();
  EXPECT_TRUE(blobs.PutBytes("01234567890").status().Is(cs::Status::Code::kTooLarge));
  EXPECT_EQ(FilesUnder(dir.str() + "/media"), 0u);
  EXPECT_TRUE(blobs.PutBytes("0123456789").ok());  // exactly the limit
  // Not a regular file, or missing.
  EXPECT_TRUE(blobs.PutFile(dir.str()).status().Is(cs::Status::Code::kInvalidInput));
  EXPECT_TRUE(blobs.PutFile(dir.str() + "/missing").status().Is(cs::Status::Code::kNotFound));
}

TEST(BlobStore, TemporaryFilesAreNeverVisibleAndOldOnesAreCleaned) {
  testutil::TempDir dir;
  BlobStore blobs(dir.str() + "/media");
  ASSERT_TRUE(blobs.PutBytes("abc").ok());
  // A successful write leaves no temporary file.
  EXPECT_EQ(FilesUnder(dir.str() + "/media/tmp"), 0u);
  // A crashed writer's partial file (here: the first byte of "abc") is not a blob under any name.
  std::string partial = dir.str() + "/media/tmp/crashed.part";
  Write(partial, "a");
  std::string fresh = Write(dir.str() + "/media/tmp/writing.part", "ab");
  EXPECT_EQ(FilesUnder(dir.str() + "/media/sha256"), 1u);
  EXPECT_EQ(blobs.Read(kAbc).value(), "abc");
  // CleanTemp removes old leftovers only (a fresh one may belong to a writer that is running).
  struct utimbuf old {
    1000, 1000
  };
  ASSERT_EQ(::utime(partial.c_str(), &old), 0);
  blobs.CleanTemp(3600);
  EXPECT_FALSE(std::filesystem::exists(partial));
  EXPECT_TRUE(std::filesystem::exists(fresh));
}

TEST(BlobStore, HumanBytes) {
  EXPECT_EQ(HumanBytes(1), "1 byte");
  EXPECT_EQ(HumanBytes(1023), "1023 bytes");
  EXPECT_EQ(HumanBytes(1536), "1.5 KiB");
  EXPECT_EQ(HumanBytes(50ull << 20), "50 MiB");
}

TEST(ResourceRecords, VersionsRoundTripAndListInOrder) {
  testutil::TempDir dir;
  auto s = Store::Open(dir.str(), {.create = true});
  ASSERT_TRUE(s.ok());
  ResourceRecord r;
  r.id = "https://a.example/users/ann/resources/1";
  r.type = "Page";
  r.attributed_to = "https://a.example/users/ann";
  r.to = {"https://www.w3.org/ns/activitystreams#Public"};
  r.current_version = 2;
  r.local = true;
  ASSERT_TRUE((*s)->Update([&](Txn& t) -> cs::Status {
                    CS_RETURN_IF_ERROR(PutResource(t, r));
                    for (uint64_t n : {2, 1, 10}) {  // stored out of order
                      ResourceVersionRecord v;
                      v.resource_id = r.id;
                      v.version = n;
                      v.title = "v" + std::to_string(n);
                      v.subjects = {"mathematics"};
                      v.files = {{.name = "a.pdf",
                                  .media_type = "application/pdf",
                                  .sha256_hex = kAbc,
                                  .url = "u",
                                  .size = 3},
                                 {.name = "b.txt",
                                  .media_type = "text/plain",
                                  .sha256_hex = kAbc,
                                  .url = "v",
                                  .size = 4}};
                      CS_RETURN_IF_ERROR(PutResourceVersion(t, v));
                    }
                    // Another resource whose id extends this one's must not show up in its list.
                    ResourceVersionRecord other;
                    other.resource_id = r.id + "0";
                    other.version = 1;
                    return PutResourceVersion(t, other);
                  })
                  .ok());
  auto txn = (*s)->BeginRead();
  ASSERT_TRUE(txn.ok());
  auto got = GetResource(*txn, r.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->current_version, 2u);
  EXPECT_TRUE(got->local);
  auto versions = ListResourceVersions(*txn, r.id);
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_EQ(versions[0].version, 1u);
  EXPECT_EQ(versions[1].version, 2u);
  EXPECT_EQ(versions[2].version, 10u);
  ASSERT_EQ(versions[2].files.size(), 2u);
  EXPECT_EQ(versions[2].files[1].name, "b.txt");
  EXPECT_EQ(versions[2].files[1].size, 4u);
  EXPECT_EQ(GetCurrentVersion(*txn, *got)->title, "v2");
  EXPECT_FALSE(ResourceVersionRecord::Decode("garbage\xff\xff").has_value());
}

}  // namespace
}  // namespace store
