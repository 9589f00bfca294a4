#pragma once

namespace cli {
// Parses the command line and runs the command; returns the exit code.
int RunCli(int argc, char** argv);
}  // namespace cli
