#include "candor/tlog/merkle.h"

#include <gtest/gtest.h>

#include <string>

namespace candor::tlog {
namespace {

// ReferenceRoot computes MTH(D[begin:end]) straight from the RFC 9162 definition.
Hash32 ReferenceRoot(const std::vector<Hash32>& leaves, size_t begin, size_t end) {
  if (end - begin == 1) return leaves[begin];
  size_t k = 1;
  while (k * 2 < end - begin) k *= 2;
  return HashChildren(ReferenceRoot(leaves, begin, begin + k),
                      ReferenceRoot(leaves, begin + k, end));
}

MemoryTree BuildTree(size_t n, std::vector<Hash32>* leaves) {
  MemoryTree tree;
  for (size_t i = 0; i < n; ++i) {
    Hash32 h = HashLeaf(AsBytes("leaf-" + std::to_string(i)));
    leaves->push_back(h);
    tree.AppendLeafHash(h);
  }
  return tree;
}

TEST(MerkleTest, RootsMatchDefinition) {
  std::vector<Hash32> leaves;
  MemoryTree tree = BuildTree(70, &leaves);
  EXPECT_EQ(*TreeRoot(0, tree), EmptyRoot());
  for (size_t n = 1; n <= leaves.size(); ++n) {
    EXPECT_EQ(*TreeRoot(n, tree), ReferenceRoot(leaves, 0, n)) << n;
  }
}

TEST(MerkleTest, AllInclusionProofsVerifyAndTamperingFails) {
  std::vector<Hash32> leaves;
  MemoryTree tree = BuildTree(40, &leaves);
  for (uint64_t n = 1; n <= 40; ++n) {
    const Hash32 root = *TreeRoot(n, tree);
    for (uint64_t i = 0; i < n; ++i) {
      auto proof = ProveInclusion(i, n, tree);
      ASSERT_TRUE(proof.ok());
      ASSERT_TRUE(VerifyInclusion(i, n, leaves[i], *proof, root).ok()) << i << "/" << n;
      if (!proof->empty()) {
        auto bad = *proof;
        bad.back()[0] ^= 1;
        EXPECT_EQ(VerifyInclusion(i, n, leaves[i], bad, root).error().code, Errc::kVerifyFailed);
        bad = *proof;
        bad.pop_back();
        EXPECT_FALSE(VerifyInclusion(i, n, leaves[i], bad, root).ok());
      }
      auto extended = *proof;
      extended.push_back(root);
      EXPECT_FALSE(VerifyInclusion(i, n, leaves[i], extended, root).ok());
    }
  }
  EXPECT_EQ(ProveInclusion(5, 5, tree).error().code, Errc::kInvalidArgument);
}

TEST(MerkleTest, AllConsistencyProofsVerifyAndTamperingFails) {
  std::vector<Hash32> leaves;
  MemoryTree tree = BuildTree(40, &leaves);
  for (uint64_t n = 1; n <= 40; ++n) {
    const Hash32 new_root = *TreeRoot(n, tree);
    for (uint64_t m = 1; m <= n; ++m) {
      const Hash32 old_root = *TreeRoot(m, tree);
      auto proof = ProveConsistency(m, n, tree);
      ASSERT_TRUE(proof.ok());
      ASSERT_TRUE(VerifyConsistency(m, n, old_root, new_root, *proof).ok()) << m << "->" << n;
      if (!proof->empty()) {
        auto bad = *proof;
        bad[0][31] ^= 0x80;
        EXPECT_EQ(VerifyConsistency(m, n, old_root, new_root, bad).error().code,
                  Errc::kVerifyFailed);
      }
      if (m < n) {
        Hash32 wrong_old = old_root;
        wrong_old[0] ^= 1;
        EXPECT_FALSE(VerifyConsistency(m, n, wrong_old, new_root, *proof).ok());
      }
    }
  }
  EXPECT_EQ(ProveConsistency(0, 3, tree).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(ProveConsistency(4, 3, tree).error().code, Errc::kInvalidArgument);
}

}  // namespace
}  // namespace candor::tlog
