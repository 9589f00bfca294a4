// Runs the real `cloudschool` binary for CLI tests: stdout and stderr through files (no pipe
// deadlocks), CLOUDSCHOOL_DATA unset.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace clitest {

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

inline CliRun Cloudschool(const std::vector<std::string>& args, const std::string& scratch) {
  const std::string out_file = scratch + "/out", err_file = scratch + "/err";
  std::vector<std::string> argv = {CS_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> c;
    for (auto& a : argv) c.push_back(a.data());
    c.push_back(nullptr);
    if (!freopen(out_file.c_str(), "w", stdout) || !freopen(err_file.c_str(), "w", stderr))
      _exit(127);
    unsetenv("CLOUDSCHOOL_DATA");
    execv(c[0], c.data());
    _exit(127);
  }
  CliRun r;
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = testutil::ReadFile(out_file);
  r.err = testutil::ReadFile(err_file);
  return r;
}

inline size_t Lines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace clitest
