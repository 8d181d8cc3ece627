#include "store/store.h"

#include <gtest/gtest.h>

namespace sellerbridge::store {
namespace {

const TimePoint kNow = std::chrono::sys_days{std::chrono::year{2026} / 11 / 27};

TEST(OpenStoreTest, UnknownSchemeIsInvalidArgumentNamingUrlWithPasswordMasked) {
  VirtualClock clock(kNow);
  const auto store = OpenStore("mysql://sb:hunter22@db.example/sb", &clock);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(store.status().message().find("mysql://sb:[redacted]@db.example/sb"), std::string::npos)
      << store.status();
  EXPECT_EQ(store.status().message().find("hunter22"), std::string::npos);
}

TEST(OpenStoreTest, PostgresqlIsNotBuiltYet) {
  VirtualClock clock(kNow);
  const auto store = OpenStore("postgresql://sb:hunter22@db.example:5432/sb", &clock);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("the PostgreSQL backend is not built yet"),
            std::string::npos);
  EXPECT_EQ(store.status().message().find("hunter22"), std::string::npos);
}

TEST(OpenStoreTest, SqliteUrlWithHostIsInvalidArgument) {
  VirtualClock clock(kNow);
  const auto store = OpenStore("sqlite://host/store.db", &clock);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
}

TEST(OpenStoreTest, SqliteUrlWithoutFileIsInvalidArgument) {
  VirtualClock clock(kNow);
  EXPECT_EQ(OpenStore("sqlite:", &clock).status().code(), StatusCode::kInvalidArgument);
}

TEST(OpenStoreTest, MemoryUrlOpensEmptyStore) {
  VirtualClock clock(kNow);
  auto store = OpenStore("sqlite::memory:", &clock);
  ASSERT_TRUE(store.ok()) << store.status();
  auto tx = (*store)->Begin();
  ASSERT_TRUE(tx.ok()) << tx.status();
  const auto orders = (*tx)->ListOrders({});
  ASSERT_TRUE(orders.ok()) << orders.status();
  EXPECT_TRUE(orders->empty());
}

TEST(MaskUrlPasswordTest, MasksOnlyThePassword) {
  EXPECT_EQ(MaskUrlPassword("postgresql://u:p%40ss@h:5432/db?x=1"),
            "postgresql://u:[redacted]@h:5432/db?x=1");
  EXPECT_EQ(MaskUrlPassword("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(MaskUrlPassword("postgresql://h/db@x"), "postgresql://h/db@x");
  EXPECT_EQ(MaskUrlPassword("sqlite:///var/lib/sb.db"), "sqlite:///var/lib/sb.db");
}

TEST(StoreEnumTest, StateNamesRoundTrip) {
  for (const auto state :
       {SyncState::kNew, SyncState::kHeld, SyncState::kSentToClarus, SyncState::kUpdatePending,
        SyncState::kCancelled, SyncState::kDispatched, SyncState::kClosed}) {
    EXPECT_EQ(ParseSyncState(SyncStateName(state)).value(), state);
  }
  for (const auto state :
       {ConfirmationState::kPending, ConfirmationState::kSending, ConfirmationState::kAccepted,
        ConfirmationState::kVerified, ConfirmationState::kFailed}) {
    EXPECT_EQ(ParseConfirmationState(ConfirmationStateName(state)).value(), state);
  }
  for (const auto state : {LabelState::kBuying, LabelState::kBought, LabelState::kAttached}) {
    EXPECT_EQ(ParseLabelState(LabelStateName(state)).value(), state);
  }
  EXPECT_EQ(ParseSyncState("Shipped").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseLabelState("Printed").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sellerbridge::store
