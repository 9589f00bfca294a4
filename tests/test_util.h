// Helpers shared by the test binaries: temp dirs that clean up, fixture paths, file reading.
#pragma once

#include <filesystem>
#include <string>

namespace testutil {

// A fresh directory under the system temp dir, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// Absolute path of a file under tests/fixtures.
std::string Fixture(const std::string& relative);
// Whole file as a string; fails the current test (and returns "") when unreadable.
std::string ReadFile(const std::string& path);

}  // namespace testutil
