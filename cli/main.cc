#include <cstdio>
#include <exception>

#include "cli/app.h"

int main(int argc, char** argv) {
  try {
    return cli::RunCli(argc, argv);
  } catch (const std::exception& e) {  // the edge: one line, never a stack trace
    std::fprintf(stderr, "cloudschool: internal error: %s\n", e.what());
    return 1;
  }
}
