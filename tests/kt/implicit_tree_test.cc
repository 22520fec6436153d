#include "candor/kt/implicit_tree.h"

#include <gtest/gtest.h>

#include <bit>
#include <map>

namespace candor::kt {
namespace {

// RefTree builds the implicit binary search tree by its inductive definition (draft §"Implicit
// Binary Search Tree"): root 2^floor(log2(n)) - 1, left subtree of size i_root, right subtree of
// size n - i_root - 1 offset by i_root + 1. It records each node's children.
struct RefNode {
  std::optional<uint64_t> left;
  std::optional<uint64_t> right;
};

std::optional<uint64_t> BuildRef(uint64_t offset, uint64_t n, std::map<uint64_t, RefNode>& out) {
  if (n == 0) return std::nullopt;
  const uint64_t r = std::bit_floor(n) - 1;
  RefNode node;
  node.left = BuildRef(offset, r, out);
  node.right = BuildRef(offset + r + 1, n - r - 1, out);
  out[offset + r] = node;
  return offset + r;
}

TEST(ImplicitTreeTest, DraftExamples) {
  // A log with 50 entries: root 31, frontier 31, 47, 49.
  EXPECT_EQ(ImplicitRoot(50), 31u);
  EXPECT_EQ(ImplicitFrontier(50), (std::vector<uint64_t>{31, 47, 49}));
  // The worked example: 13 entries, root 7, frontier 7, 11, 12; direct path of 3 is [7].
  EXPECT_EQ(ImplicitFrontier(13), (std::vector<uint64_t>{7, 11, 12}));
  EXPECT_EQ(ImplicitDirectPath(3, 13), (std::vector<uint64_t>{7}));
  EXPECT_EQ(ImplicitRoot(1), 0u);
  EXPECT_EQ(ImplicitFrontier(1), (std::vector<uint64_t>{0}));
  EXPECT_TRUE(ImplicitDirectPath(0, 1).empty());
  EXPECT_EQ(ImplicitLevel(0), 0u);
  EXPECT_EQ(ImplicitLevel(7), 3u);
  EXPECT_EQ(ImplicitLevel(11), 2u);
  EXPECT_EQ(ImplicitLeft(0), std::nullopt);
  EXPECT_EQ(ImplicitLeft(7), 3u);
  EXPECT_EQ(ImplicitRight(12, 13), std::nullopt);
  EXPECT_EQ(ImplicitRight(7, 8), std::nullopt);  // x == n-1
  EXPECT_EQ(ImplicitRight(7, 9), 8u);
}

TEST(ImplicitTreeTest, MatchesInductiveDefinition) {
  int num_cases = 0;
  for (uint64_t n = 1; n <= 300; ++n) {
    std::map<uint64_t, RefNode> ref;
    const std::optional<uint64_t> root = BuildRef(0, n, ref);
    ASSERT_EQ(root, ImplicitRoot(n));
    ASSERT_EQ(ref.size(), n);
    for (uint64_t x = 0; x < n; ++x) {
      const RefNode& node = ref[x];
      if (node.left.has_value()) {
        ASSERT_EQ(ImplicitLeft(x), node.left) << "n=" << n << " x=" << x;
      }
      ASSERT_EQ(ImplicitRight(x, n), node.right) << "n=" << n << " x=" << x;
      // The direct path ends at x's parent and each step is a child of the previous one.
      const std::vector<uint64_t> path = ImplicitDirectPath(x, n);
      uint64_t cur = *root;
      for (size_t i = 0; i < path.size(); ++i) {
        ASSERT_EQ(path[i], cur);
        cur = x < cur ? *ref[cur].left : *ref[cur].right;
      }
      ASSERT_EQ(cur, x);
      ++num_cases;
    }
    // The frontier is the right spine.
    std::vector<uint64_t> spine{*root};
    while (ref[spine.back()].right.has_value()) spine.push_back(*ref[spine.back()].right);
    ASSERT_EQ(ImplicitFrontier(n), spine);
    ASSERT_EQ(spine.back(), n - 1);
  }
  ASSERT_GT(num_cases, 0);
}

TEST(ImplicitTreeTest, LargeSizes) {
  const uint64_t n = (uint64_t{1} << 40) + 12345;
  EXPECT_EQ(ImplicitRoot(n), (uint64_t{1} << 40) - 1);
  const std::vector<uint64_t> frontier = ImplicitFrontier(n);
  EXPECT_EQ(frontier.back(), n - 1);
  EXPECT_LE(frontier.size(), 42u);
  EXPECT_EQ(ImplicitDirectPath(n - 1, n),
            std::vector<uint64_t>(frontier.begin(), frontier.end() - 1));
}

}  // namespace
}  // namespace candor::kt
