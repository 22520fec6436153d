#include "candor/kt/binary_ladder.h"

#include <gtest/gtest.h>

namespace candor::kt {
namespace {

using V = std::vector<uint32_t>;

TEST(BinaryLadderTest, BaseLadder) {
  // Draft §"Binary Ladder": greatest version 6 -> 0, 1, 3, 7, then 5 and 6.
  EXPECT_EQ(BaseBinaryLadder(6), (V{0, 1, 3, 7, 5, 6}));
  EXPECT_EQ(BaseBinaryLadder(0), (V{0, 1}));
  EXPECT_EQ(BaseBinaryLadder(1), (V{0, 1, 3, 2}));
  EXPECT_EQ(BaseBinaryLadder(2), (V{0, 1, 3, 2}));
  EXPECT_EQ(BaseBinaryLadder(3), (V{0, 1, 3, 7, 5, 4}));
  EXPECT_EQ(BaseBinaryLadder(7), (V{0, 1, 3, 7, 15, 11, 9, 8}));
  // The greatest version 2^32-1: 0, 1, 3, ..., 2^32-1; the rest is above the version range.
  const V top = BaseBinaryLadder(0xffffffffu);
  ASSERT_EQ(top.size(), 33u);
  EXPECT_EQ(top.back(), 0xffffffffu);
  const V near_top = BaseBinaryLadder(0xfffffffeu);
  EXPECT_EQ(near_top[32], 0xffffffffu);
  EXPECT_EQ(near_top.back(), 0xfffffffeu);
}

TEST(BinaryLadderTest, SearchLadder) {
  // The appendix worked example: target 2, greatest 2 -> 0, 1, 3, 2.
  EXPECT_EQ(SearchBinaryLadder(2, 2), (V{0, 1, 3, 2}));
  // Entry 12 of the example: 0, 1, 2 were proven included to the left.
  EXPECT_EQ(SearchBinaryLadder(2, 2, {0, 1, 2}), (V{3}));
  // Non-inclusion of 3 proven to the right may be omitted too.
  EXPECT_EQ(SearchBinaryLadder(2, 2, {0, 1, 2}, {3}), V{});
  // Stops after the first inclusion above the target.
  EXPECT_EQ(SearchBinaryLadder(0, 6), (V{0, 1}));
  // Stops after the first non-inclusion at or below the target.
  EXPECT_EQ(SearchBinaryLadder(6, 4), (V{0, 1, 3, 7, 5}));
  // Continues after inclusion of the target itself.
  EXPECT_EQ(SearchBinaryLadder(6, 6), (V{0, 1, 3, 7, 5, 6}));
  // Absent label (n = -1): the lookup of version 0 is a non-inclusion and ends the ladder.
  EXPECT_EQ(SearchBinaryLadder(0, std::nullopt), (V{0}));
  EXPECT_EQ(SearchBinaryLadder(5, std::nullopt), (V{0}));
  EXPECT_EQ(SearchBinaryLadder(5, std::nullopt, {}, {0}), V{});
}

TEST(BinaryLadderTest, MonitoringLadder) {
  EXPECT_EQ(MonitoringBinaryLadder(6), (V{0, 1, 3, 5, 6}));
  EXPECT_EQ(MonitoringBinaryLadder(0), (V{0}));
  EXPECT_EQ(MonitoringBinaryLadder(7), (V{0, 1, 3, 7}));
}

// For every greatest version n, the base ladder determines n: running the lookups against the
// predicate "v <= n" leaves exactly n as the greatest included version below the least excluded.
TEST(BinaryLadderTest, BaseLadderDeterminesGreatestVersion) {
  int num_cases = 0;
  for (uint32_t n = 0; n < 5000; ++n) {
    const V ladder = BaseBinaryLadder(n);
    int64_t greatest_in = -1;
    int64_t least_out = int64_t{1} << 32;
    for (const uint32_t v : ladder) {
      if (v <= n) {
        greatest_in = std::max<int64_t>(greatest_in, v);
      } else {
        least_out = std::min<int64_t>(least_out, v);
      }
    }
    ASSERT_EQ(greatest_in, n);
    ASSERT_EQ(least_out, int64_t{n} + 1) << n;
    ++num_cases;
  }
  ASSERT_GT(num_cases, 0);
}

}  // namespace
}  // namespace candor::kt
