#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sellerbridge::testing {

// A loopback TCP port free at the time of the call, for a child process to
// listen on (0 if none could be found).
int FreePort();

// A child process of the test, with its standard output and error on pipes.
class Subprocess {
 public:
  // Starts `argv[0]` with `argv`, and `env` added to the environment.
  Subprocess(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});
  ~Subprocess();

  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  // Reads standard error until `text` has appeared in it or the stream ends.
  // Returns whether it appeared.
  bool WaitForStderr(std::string_view text);

  void Signal(int signal_number);

  // Waits for the process to end, reading both streams to their end; returns
  // its exit code (128 + signal if it was killed).
  int Wait();

  const std::string& Stdout() const { return stdout_; }
  const std::string& Stderr() const { return stderr_; }

 private:
  int pid_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  std::string stdout_;
  std::string stderr_;
  int exit_code_ = -1;
};

struct ProcessResult {
  int exit_code;
  std::string out;
  std::string err;
};

// Runs a command to its end.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env = {});

}  // namespace sellerbridge::testing
