// The admission policy alone: caps in all and per client, and which connection is evicted.
#include "src/net/connection_table.h"

#include <gtest/gtest.h>

#include <vector>

namespace candor::net {
namespace {

using Clock = ConnectionTable::Clock;

class ConnectionTableTest : public ::testing::Test {
 protected:
  // Add admits a connection from `peer` whose abort records its id.
  Admit Add(ConnectionTable& t, const std::string& peer, uint64_t* id, Clock::time_point now) {
    auto slot = std::make_shared<uint64_t>(0);
    const Admit a = t.Add(
        peer, [this, slot] { aborted_.push_back(*slot); }, now, id);
    *slot = *id;
    return a;
  }
  std::vector<uint64_t> aborted_;
  Clock::time_point t0_ = Clock::now();
};

TEST_F(ConnectionTableTest, EvictsTheLongestWaitingThenTheLongestReading) {
  ConnectionTable t(3, 10);
  uint64_t a = 0, b = 0, c = 0, d = 0, e = 0;
  ASSERT_EQ(Add(t, "p", &a, t0_), Admit::kAdmitted);
  ASSERT_EQ(Add(t, "p", &b, t0_), Admit::kAdmitted);
  ASSERT_EQ(Add(t, "q", &c, t0_), Admit::kAdmitted);
  t.SetState(a, ConnState::kBusy, t0_);
  t.SetState(b, ConnState::kReadingHeader, t0_ + std::chrono::seconds(1));
  t.SetState(c, ConnState::kWaiting, t0_ + std::chrono::seconds(2));
  // Full: the waiting connection goes first although it waited less than b has been reading.
  EXPECT_EQ(Add(t, "r", &d, t0_ + std::chrono::seconds(3)), Admit::kAdmittedByEviction);
  ASSERT_EQ(aborted_.size(), 1u);
  EXPECT_EQ(aborted_[0], c);
  // c is evicting (not counted, not picked again) until it removes itself.
  t.SetState(d, ConnState::kBusy, t0_);
  EXPECT_EQ(Add(t, "r", &e, t0_ + std::chrono::seconds(4)), Admit::kAdmittedByEviction);
  EXPECT_EQ(aborted_.back(), b);
  t.Remove(c);
  t.Remove(b);
  EXPECT_EQ(t.size(), 3u);
}

TEST_F(ConnectionTableTest, RefusesWhenEveryConnectionIsBusyOrThePeerIsAtItsCap) {
  ConnectionTable t(2, 1);
  uint64_t a = 0, b = 0, x = 0;
  ASSERT_EQ(Add(t, "p", &a, t0_), Admit::kAdmitted);
  EXPECT_EQ(Add(t, "p", &x, t0_), Admit::kRefusedPeer);
  ASSERT_EQ(Add(t, "q", &b, t0_), Admit::kAdmitted);
  t.SetState(a, ConnState::kBusy, t0_);
  t.SetState(b, ConnState::kBusy, t0_);
  EXPECT_EQ(Add(t, "r", &x, t0_), Admit::kRefusedFull);
  EXPECT_TRUE(aborted_.empty());
  EXPECT_FALSE(t.EvictOne());
  // Leaving frees the peer's slot.
  t.Remove(a);
  EXPECT_EQ(Add(t, "p", &x, t0_), Admit::kAdmitted);
}

TEST_F(ConnectionTableTest, AbortAllReachesTheChosenState) {
  ConnectionTable t(10, 10);
  uint64_t a = 0, b = 0;
  ASSERT_EQ(Add(t, "p", &a, t0_), Admit::kAdmitted);
  ASSERT_EQ(Add(t, "p", &b, t0_), Admit::kAdmitted);
  t.SetState(b, ConnState::kBusy, t0_);
  t.AbortAll(false, ConnState::kWaiting);
  EXPECT_EQ(aborted_, std::vector<uint64_t>{a});
  t.AbortAll(true, ConnState::kWaiting);
  EXPECT_EQ(aborted_.size(), 3u);
}

}  // namespace
}  // namespace candor::net
