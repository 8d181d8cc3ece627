#include "cli/shutdown_signal.h"

#include <pthread.h>

#include <cerrno>
#include <csignal>
#include <ctime>

namespace sellerbridge::cli {
namespace {

sigset_t ShutdownSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

ShutdownSignal::ShutdownSignal() {
  const sigset_t set = ShutdownSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

ShutdownSignal::~ShutdownSignal() {
  const sigset_t set = ShutdownSet();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

int ShutdownSignal::Wait(std::optional<std::chrono::milliseconds> timeout) {
  const sigset_t set = ShutdownSet();
  while (true) {
    int signal_number = 0;
    if (!timeout) {
      if (sigwait(&set, &signal_number) == 0) {
        return signal_number;
      }
      continue;
    }
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(*timeout);
    const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(*timeout - seconds);
    const timespec wait{.tv_sec = static_cast<time_t>(seconds.count()),
                        .tv_nsec = static_cast<long>(nanos.count())};
    signal_number = sigtimedwait(&set, nullptr, &wait);
    if (signal_number > 0) {
      return signal_number;
    }
    if (errno == EAGAIN) {
      return 0;
    }
    // EINTR: another signal interrupted the wait. The remaining time is not
    // tracked precisely; a shutdown deadline a little late is harmless.
  }
}

}  // namespace sellerbridge::cli
