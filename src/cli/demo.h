#pragma once

namespace sellerbridge::cli {

struct DemoOptions {
  double duration_seconds = 0;  // 0: until SIGINT or SIGTERM.
  bool json = false;            // Print the summary as JSON instead of text.
};

// Runs `sellerbridge demo`: the daemon on a temporary SQLite store, logging
// what it does as it goes, until interrupted or the duration passes; then
// prints a summary of what flowed to standard output and removes the
// temporary store. Returns the process exit code.
int RunDemo(const DemoOptions& options);

}  // namespace sellerbridge::cli
