// ProofCache: bounded by its capacity, least recently used entry dropped first.
#include "candor/kt/proof_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace candor::kt {
namespace {

Bytes B(const std::string& s) { return Bytes(s.begin(), s.end()); }

TEST(ProofCacheTest, FindsWhatItHoldsAndNeverGrowsPastItsCapacity) {
  ProofCache cache(3);
  EXPECT_FALSE(cache.Find(B("alice"), 0).has_value());
  cache.Insert(B("alice"), 0, B("p-a0"));
  cache.Insert(B("alice"), 1, B("p-a1"));
  cache.Insert(B("bob"), 0, B("p-b0"));
  EXPECT_EQ(cache.Find(B("alice"), 1), B("p-a1"));
  EXPECT_FALSE(cache.Find(B("bob"), 1).has_value());
  for (int i = 0; i < 1000; ++i) {
    cache.Insert(B("label" + std::to_string(i)), 0, B("p"));
    ASSERT_LE(cache.size(), 3u);
  }
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.Find(B("label999"), 0), B("p"));
}

TEST(ProofCacheTest, DropsTheLeastRecentlyUsed) {
  ProofCache cache(2);
  cache.Insert(B("a"), 0, B("pa"));
  cache.Insert(B("b"), 0, B("pb"));
  ASSERT_TRUE(cache.Find(B("a"), 0).has_value());  // "b" is now the least recently used
  cache.Insert(B("c"), 0, B("pc"));
  EXPECT_TRUE(cache.Find(B("a"), 0).has_value());
  EXPECT_FALSE(cache.Find(B("b"), 0).has_value());
  EXPECT_TRUE(cache.Find(B("c"), 0).has_value());
  cache.Insert(B("a"), 0, B("pa2"));  // replacing keeps one entry
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.Find(B("a"), 0), B("pa2"));
}

}  // namespace
}  // namespace candor::kt
