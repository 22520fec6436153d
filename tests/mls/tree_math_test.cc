// Tree math beyond the vectors: direct path, copath and common ancestor on small trees worked
// out by hand from RFC 9420 §4.1 figures, and nullopt (never an abort) on bad arguments.
#include "candor/mls/tree_math.h"

#include <gtest/gtest.h>

#include <vector>

namespace candor::mls {
namespace {

std::vector<uint32_t> Values(const std::vector<NodeIndex>& nodes) {
  std::vector<uint32_t> out;
  for (NodeIndex n : nodes) out.push_back(n.value);
  return out;
}

TEST(TreeMathTest, LevelAndLeafConversion) {
  EXPECT_EQ(Level(NodeIndex{0}), 0u);
  EXPECT_EQ(Level(NodeIndex{1}), 1u);
  EXPECT_EQ(Level(NodeIndex{3}), 2u);
  EXPECT_EQ(Level(NodeIndex{7}), 3u);
  EXPECT_EQ(Level(NodeIndex{5}), 1u);
  EXPECT_EQ(ToNodeIndex(LeafIndex{3}), NodeIndex{6});
  EXPECT_EQ(ToLeafIndex(NodeIndex{6}), LeafIndex{3});
  EXPECT_FALSE(ToLeafIndex(NodeIndex{5}).has_value());
  EXPECT_FALSE(ToNodeIndex(LeafIndex{kMaxLeaves}).has_value());
}

TEST(TreeMathTest, DirectPathAndCopathOfEightLeaves) {
  // RFC 9420 §4.1 figure: 8 leaves, root 7. Leaf A is node 0: direct path 1, 3, 7;
  // copath 2, 5, 11.
  EXPECT_EQ(Values(DirectPath(NodeIndex{0}, 8)), (std::vector<uint32_t>{1, 3, 7}));
  EXPECT_EQ(Values(Copath(NodeIndex{0}, 8)), (std::vector<uint32_t>{2, 5, 11}));
  EXPECT_EQ(Values(DirectPath(NodeIndex{10}, 8)), (std::vector<uint32_t>{9, 11, 7}));
  EXPECT_EQ(Values(Copath(NodeIndex{10}, 8)), (std::vector<uint32_t>{8, 13, 3}));
  EXPECT_TRUE(DirectPath(NodeIndex{7}, 8).empty());
  EXPECT_TRUE(Copath(NodeIndex{7}, 8).empty());
  EXPECT_TRUE(DirectPath(NodeIndex{0}, 1).empty());
}

TEST(TreeMathTest, CommonAncestor) {
  EXPECT_EQ(CommonAncestor(NodeIndex{0}, NodeIndex{2}), NodeIndex{1});
  EXPECT_EQ(CommonAncestor(NodeIndex{0}, NodeIndex{4}), NodeIndex{3});
  EXPECT_EQ(CommonAncestor(NodeIndex{0}, NodeIndex{14}), NodeIndex{7});
  EXPECT_EQ(CommonAncestor(NodeIndex{8}, NodeIndex{10}), NodeIndex{9});
  EXPECT_EQ(CommonAncestor(NodeIndex{4}, NodeIndex{3}), NodeIndex{3});
  EXPECT_EQ(CommonAncestor(NodeIndex{3}, NodeIndex{4}), NodeIndex{3});
  EXPECT_EQ(CommonAncestor(NodeIndex{6}, NodeIndex{6}), NodeIndex{6});
}

TEST(TreeMathTest, CommonAncestorMatchesSemanticDefinition) {
  // RFC 9420 Appendix C common_ancestor_semantic: the lowest-level node in both inclusive
  // direct paths. Checked for every pair of nodes of a 16-leaf tree.
  const uint32_t n = 16;
  for (uint32_t x = 0; x < 31; ++x) {
    for (uint32_t y = 0; y < 31; ++y) {
      std::vector<NodeIndex> px = DirectPath(NodeIndex{x}, n);
      px.insert(px.begin(), NodeIndex{x});
      std::vector<NodeIndex> py = DirectPath(NodeIndex{y}, n);
      py.insert(py.begin(), NodeIndex{y});
      std::optional<NodeIndex> want;
      for (NodeIndex a : px) {
        for (NodeIndex b : py) {
          if (a == b && (!want || Level(a) < Level(*want))) want = a;
        }
      }
      ASSERT_TRUE(want.has_value());
      EXPECT_EQ(CommonAncestor(NodeIndex{x}, NodeIndex{y}), *want) << x << " " << y;
    }
  }
}

TEST(TreeMathTest, BadArgumentsGiveNothing) {
  EXPECT_FALSE(Root(0).has_value());
  EXPECT_FALSE(Root(3).has_value());  // not a full tree
  EXPECT_FALSE(Root(kMaxLeaves + 1).has_value());
  EXPECT_FALSE(NodeWidth(kMaxLeaves + 1).has_value());
  EXPECT_EQ(NodeWidth(0), 0u);
  EXPECT_EQ(NodeWidth(kMaxLeaves), 0xffffffffu);
  EXPECT_FALSE(Parent(NodeIndex{7}, 4).has_value());  // outside the 7-node tree
  EXPECT_FALSE(Sibling(NodeIndex{7}, 4).has_value());
  EXPECT_TRUE(DirectPath(NodeIndex{100}, 4).empty());
  EXPECT_FALSE(Left(NodeIndex{0}).has_value());
  EXPECT_FALSE(Right(NodeIndex{0xffffffff}).has_value());  // level 32: outside every tree
  // The largest tree: the last leaf's direct path reaches the root in 31 steps.
  const NodeIndex last{0xfffffffe};
  const std::vector<NodeIndex> path = DirectPath(last, kMaxLeaves);
  ASSERT_EQ(path.size(), 31u);
  EXPECT_EQ(path.back(), *Root(kMaxLeaves));
  EXPECT_EQ(Copath(last, kMaxLeaves).size(), 31u);
}

}  // namespace
}  // namespace candor::mls
