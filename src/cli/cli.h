#pragma once

namespace sellerbridge::cli {

// Runs the `sellerbridge` command line: `run`, `demo`, `check-config` and
// `version`. Returns the process exit code: 0 on success, 2 on bad input
// (with a message naming the file, line, key or field), 1 on other failure.
int RunCommandLine(int argc, char** argv);

}  // namespace sellerbridge::cli
