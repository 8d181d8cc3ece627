#include "http/backoff.h"

#include <gtest/gtest.h>

#include <set>

namespace sellerbridge::http {
namespace {

using std::chrono::seconds;

TEST(BackoffTest, FirstAttemptWaitsNothing) {
  Backoff backoff(seconds{1}, seconds{60}, 7);
  EXPECT_EQ(backoff.Before(1), Duration::zero());
}

TEST(BackoffTest, CeilingDoublesPerAttemptWithinHalfAndWhole) {
  Backoff backoff(seconds{1}, seconds{60}, 7);
  for (int attempt = 2; attempt <= 7; ++attempt) {
    const Duration ceiling = seconds{1} * (1 << (attempt - 2));
    for (int draw = 0; draw < 50; ++draw) {
      const Duration wait = backoff.Before(attempt);
      EXPECT_GE(wait, ceiling / 2) << "attempt " << attempt;
      EXPECT_LE(wait, ceiling) << "attempt " << attempt;
    }
  }
}

TEST(BackoffTest, CappedAtTheMaximum) {
  Backoff backoff(seconds{1}, seconds{60}, 7);
  for (int draw = 0; draw < 100; ++draw) {
    const Duration wait = backoff.Before(40);
    EXPECT_GE(wait, seconds{30});
    EXPECT_LE(wait, seconds{60});
  }
}

TEST(BackoffTest, JitterSpreadsWaitsAndRepeatsForTheSameSeed) {
  Backoff first(seconds{8}, seconds{60}, 42);
  Backoff second(seconds{8}, seconds{60}, 42);
  std::set<Duration::rep> distinct;
  for (int draw = 0; draw < 20; ++draw) {
    const Duration wait = first.Before(3);
    EXPECT_EQ(wait, second.Before(3));
    distinct.insert(wait.count());
  }
  EXPECT_GT(distinct.size(), 10U);
}

}  // namespace
}  // namespace sellerbridge::http
