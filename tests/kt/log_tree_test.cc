#include "candor/kt/log_tree.h"

#include <gtest/gtest.h>

#include <bit>

#include "candor/crypto/sha256.h"

namespace candor::kt {
namespace {

// RefNodeValue computes a node of the left-balanced log tree straight from the draft's
// definition (independent of LogTree's level cache).
HashValue RefNodeValue(const std::vector<HashValue>& leaves, uint64_t start, uint64_t size) {
  if (size == 1) return leaves[start];
  const uint64_t k = std::bit_floor(size - 1);
  crypto::Sha256Hasher h;
  h.Update(static_cast<uint8_t>(k == 1 ? 0 : 1)).Update(RefNodeValue(leaves, start, k));
  h.Update(static_cast<uint8_t>(size - k == 1 ? 0 : 1))
      .Update(RefNodeValue(leaves, start + k, size - k));
  return h.Final();
}

std::vector<HashValue> MakeLeaves(uint64_t n) {
  std::vector<HashValue> out;
  for (uint64_t i = 0; i < n; ++i) {
    HashValue prefix_root{};
    prefix_root[0] = static_cast<uint8_t>(i);
    prefix_root[1] = static_cast<uint8_t>(i >> 8);
    out.push_back(LogEntryHash(1000 + i, prefix_root));
  }
  return out;
}

LogTree MakeTree(const std::vector<HashValue>& leaves) {
  LogTree tree;
  for (const HashValue& leaf : leaves) tree.Append(leaf);
  return tree;
}

TEST(LogTreeTest, LogEntryHash) {
  // SHA-256 of the 40-byte LogEntry: uint64 timestamp (big-endian) || prefix_tree.
  HashValue root{};
  root.fill(0xab);
  uint8_t entry[40] = {0, 0, 0, 0, 0, 0, 0x01, 0x02};
  for (size_t i = 8; i < 40; ++i) entry[i] = 0xab;
  EXPECT_EQ(LogEntryHash(0x0102, root), crypto::Sha256(ByteView(entry, sizeof(entry))));
}

TEST(LogTreeTest, FullSubtrees) {
  EXPECT_TRUE(FullSubtrees(0).empty());
  EXPECT_EQ(FullSubtrees(13), (std::vector<SubtreeRange>{{0, 8}, {8, 4}, {12, 1}}));
  EXPECT_EQ(FullSubtrees(16), (std::vector<SubtreeRange>{{0, 16}}));
}

TEST(LogTreeTest, RootsMatchDefinition) {
  const std::vector<HashValue> leaves = MakeLeaves(70);
  const LogTree tree = MakeTree(leaves);
  ASSERT_EQ(tree.size(), 70u);
  for (uint64_t n = 1; n <= 70; ++n) {
    ASSERT_EQ(tree.RootAt(n), RefNodeValue(leaves, 0, n)) << n;
    const std::vector<HashValue> heads = tree.FullSubtreeHeads(n);
    const std::vector<SubtreeRange> ranges = FullSubtrees(n);
    ASSERT_EQ(heads.size(), ranges.size());
    for (size_t i = 0; i < ranges.size(); ++i) {
      ASSERT_EQ(heads[i], RefNodeValue(leaves, ranges[i].start, ranges[i].size));
    }
  }
  EXPECT_EQ(tree.Root(), tree.RootAt(70));
  EXPECT_EQ(tree.Leaf(5), leaves[5]);
  // A single leaf is its own root.
  EXPECT_EQ(MakeTree({leaves[0]}).Root(), leaves[0]);
}

// The draft's appendix "CombinedTreeProof Implementation" worked example: n = 13, a user that
// retained size 4, leaves 7, 11 and 12 -> elements [4..5], [6], [8..9], [10].
TEST(LogTreeTest, WorkedExample) {
  const std::vector<HashValue> leaves = MakeLeaves(13);
  const LogTree tree = MakeTree(leaves);
  const InclusionProof proof = tree.Prove(13, 4, {12, 7, 11, 7});
  ASSERT_EQ(proof.elements.size(), 4u);
  EXPECT_EQ(proof.elements[0], RefNodeValue(leaves, 4, 2));
  EXPECT_EQ(proof.elements[1], leaves[6]);
  EXPECT_EQ(proof.elements[2], RefNodeValue(leaves, 8, 2));
  EXPECT_EQ(proof.elements[3], leaves[10]);

  const std::map<uint64_t, HashValue> known{{7, leaves[7]}, {11, leaves[11]}, {12, leaves[12]}};
  auto view = VerifyLogInclusion(13, 4, {RefNodeValue(leaves, 0, 4)}, known, proof);
  ASSERT_TRUE(view.ok()) << view.error().ToString();
  EXPECT_EQ(view->root, tree.Root());
  EXPECT_EQ(view->full_subtrees, (std::vector<HashValue>{RefNodeValue(leaves, 0, 8),
                                                         RefNodeValue(leaves, 8, 4), leaves[12]}));
  // A wrong retained head with no requested leaf below it changes the root.
  HashValue bad_head = RefNodeValue(leaves, 0, 4);
  bad_head[0] ^= 1;
  auto bad = VerifyLogInclusion(13, 4, {bad_head}, known, proof);
  ASSERT_TRUE(bad.ok());
  EXPECT_NE(bad->root, tree.Root());
}

TEST(LogTreeTest, RetainedSubtreeWithRequestedLeafMustMatch) {
  const std::vector<HashValue> leaves = MakeLeaves(13);
  const LogTree tree = MakeTree(leaves);
  const InclusionProof proof = tree.Prove(13, 4, {2});
  HashValue bad_head = RefNodeValue(leaves, 0, 4);
  bad_head[31] ^= 0x80;
  auto bad = VerifyLogInclusion(13, 4, {bad_head}, {{2, leaves[2]}}, proof);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::kVerifyFailed);
  auto good = VerifyLogInclusion(13, 4, {RefNodeValue(leaves, 0, 4)}, {{2, leaves[2]}}, proof);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->root, tree.Root());
  // A retained single-leaf subtree that is also requested must match too.
  const InclusionProof p5 = tree.Prove(13, 5, {4});
  auto bad5 =
      VerifyLogInclusion(13, 5, {RefNodeValue(leaves, 0, 4), leaves[3]}, {{4, leaves[4]}}, p5);
  ASSERT_FALSE(bad5.ok());
}

TEST(LogTreeTest, VerifyRejectsMisuse) {
  const std::vector<HashValue> leaves = MakeLeaves(8);
  const LogTree tree = MakeTree(leaves);
  const InclusionProof proof = tree.Prove(8, 0, {3});
  EXPECT_EQ(VerifyLogInclusion(0, 0, {}, {}, proof).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(VerifyLogInclusion(8, 9, {}, {}, proof).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(VerifyLogInclusion(8, 3, {}, {}, proof).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(VerifyLogInclusion(8, 0, {}, {{8, leaves[3]}}, proof).error().code,
            Errc::kVerifyFailed);
}

// Every proof for n <= 32, every old size m <= n and every leaf subset of size <= 3 verifies to
// the right root and full subtrees; flipping any element changes the root; dropping or adding an
// element fails. Subsets of size <= 2 are exhaustive for every n; subsets of size 3 are
// exhaustive for n <= 16 and every 25th one above; for n > 12 proofs of 2 or 3 leaves get one
// flipped element each (rotating), the others get every element flipped. This bounds
// the run time under the sanitizers.
TEST(LogTreeTest, ExhaustiveSmallTrees) {
  const std::vector<HashValue> leaves = MakeLeaves(32);
  const LogTree tree = MakeTree(leaves);
  int num_cases = 0;
  int num_passed = 0;
  for (uint64_t n = 1; n <= 32; ++n) {
    const HashValue root = tree.RootAt(n);
    const std::vector<HashValue> new_heads = tree.FullSubtreeHeads(n);
    std::vector<std::vector<uint64_t>> subsets{{}};
    uint64_t triple_counter = 0;
    for (uint64_t a = 0; a < n; ++a) {
      subsets.push_back({a});
      for (uint64_t b = a + 1; b < n; ++b) {
        subsets.push_back({b, a});
        for (uint64_t c = b + 1; c < n; ++c) {
          if (n > 16 && triple_counter++ % 25 != 0) continue;
          subsets.push_back({a, c, b});
        }
      }
    }
    for (uint64_t m = 0; m <= n; ++m) {
      const std::vector<HashValue> retained = tree.FullSubtreeHeads(m);
      for (const std::vector<uint64_t>& subset : subsets) {
        ++num_cases;
        std::map<uint64_t, HashValue> known;
        for (const uint64_t i : subset) known[i] = leaves[i];
        const InclusionProof proof = tree.Prove(n, m, subset);
        auto view = VerifyLogInclusion(n, m, retained, known, proof);
        ASSERT_TRUE(view.ok()) << "n=" << n << " m=" << m;
        ASSERT_EQ(view->root, root) << "n=" << n << " m=" << m;
        ASSERT_EQ(view->full_subtrees, new_heads);
        // Flip every element, or one (rotating) for the larger subsets of the larger trees.
        const bool every = n <= 12 || subset.size() <= 1;
        for (size_t e = 0; e < proof.elements.size(); ++e) {
          if (!every && e != static_cast<size_t>(num_cases) % proof.elements.size()) continue;
          InclusionProof bad = proof;
          bad.elements[e][e % 32] ^= 0x01;
          auto v = VerifyLogInclusion(n, m, retained, known, bad);
          ASSERT_TRUE(!v.ok() || v->root != root) << "n=" << n << " m=" << m << " e=" << e;
        }
        if (!proof.elements.empty()) {
          InclusionProof dropped = proof;
          dropped.elements.pop_back();
          ASSERT_FALSE(VerifyLogInclusion(n, m, retained, known, dropped).ok());
          dropped = proof;
          dropped.elements.erase(dropped.elements.begin());
          ASSERT_FALSE(VerifyLogInclusion(n, m, retained, known, dropped).ok());
        }
        InclusionProof added = proof;
        added.elements.push_back(root);
        ASSERT_FALSE(VerifyLogInclusion(n, m, retained, known, added).ok());
        if (!subset.empty()) {
          std::map<uint64_t, HashValue> wrong = known;
          wrong.begin()->second[0] ^= 0x40;
          auto v = VerifyLogInclusion(n, m, retained, wrong, proof);
          ASSERT_TRUE(!v.ok() || v->root != root);
        }
        ++num_passed;
      }
    }
  }
  std::printf("LogTreeTest.ExhaustiveSmallTrees: %d cases run / %d passed\n", num_cases,
              num_passed);
  ASSERT_GT(num_cases, 0);
  ASSERT_EQ(num_cases, num_passed);
}

// Proofs that also give the root at an auditor's tree size a (draft §"Combining Proofs": the
// inclusion field must let the user compute the root of the tree with AuditorTreeHead.tree_size
// leaves). For every n <= 16, m <= n, 1 <= a <= n and leaf sets of size <= 1 (pairs too for
// n <= 10): both roots come out right; a = n adds nothing to the proof; every element is needed
// (flipping it changes the root or the auditor root); a dropped or extra element fails.
TEST(LogTreeTest, AuditorSizeProofs) {
  const std::vector<HashValue> leaves = MakeLeaves(16);
  const LogTree tree = MakeTree(leaves);
  int num_cases = 0;
  int num_passed = 0;
  for (uint64_t n = 1; n <= 16; ++n) {
    std::vector<std::vector<uint64_t>> subsets{{}};
    for (uint64_t i = 0; i < n; ++i) {
      subsets.push_back({i});
      for (uint64_t j = i + 1; n <= 10 && j < n; ++j) subsets.push_back({j, i});
    }
    for (uint64_t m = 0; m <= n; ++m) {
      const std::vector<HashValue> retained = tree.FullSubtreeHeads(m);
      for (uint64_t a = 1; a <= n; ++a) {
        for (const std::vector<uint64_t>& subset : subsets) {
          ++num_cases;
          std::map<uint64_t, HashValue> known;
          for (const uint64_t i : subset) known[i] = leaves[i];
          const InclusionProof proof = tree.Prove(n, m, subset, a);
          if (a == n) ASSERT_EQ(proof.elements, tree.Prove(n, m, subset).elements);
          auto view = VerifyLogInclusion(n, m, retained, known, proof, a);
          ASSERT_TRUE(view.ok()) << "n=" << n << " m=" << m << " a=" << a;
          ASSERT_EQ(view->root, tree.RootAt(n));
          ASSERT_EQ(view->auditor_root, tree.RootAt(a)) << "n=" << n << " m=" << m << " a=" << a;
          ASSERT_EQ(view->full_subtrees, tree.FullSubtreeHeads(n));
          for (size_t e = 0; e < proof.elements.size(); ++e) {
            InclusionProof bad = proof;
            bad.elements[e][0] ^= 0x01;
            auto v = VerifyLogInclusion(n, m, retained, known, bad, a);
            ASSERT_TRUE(!v.ok() || v->root != view->root || v->auditor_root != view->auditor_root)
                << "redundant element " << e << " n=" << n << " m=" << m << " a=" << a;
          }
          InclusionProof added = proof;
          added.elements.push_back(view->root);
          ASSERT_FALSE(VerifyLogInclusion(n, m, retained, known, added, a).ok());
          if (!proof.elements.empty()) {
            InclusionProof dropped = proof;
            dropped.elements.pop_back();
            ASSERT_FALSE(VerifyLogInclusion(n, m, retained, known, dropped, a).ok());
          }
          ++num_passed;
        }
      }
    }
  }
  std::printf("LogTreeTest.AuditorSizeProofs: %d cases run / %d passed\n", num_cases, num_passed);
  ASSERT_GT(num_cases, 0);
  ASSERT_EQ(num_cases, num_passed);
  // Without an auditor size there is no auditor root; a size beyond the tree is misuse.
  EXPECT_FALSE(VerifyLogInclusion(8, 0, {}, {{3, leaves[3]}}, tree.Prove(8, 0, {3}))
                   ->auditor_root.has_value());
  EXPECT_EQ(VerifyLogInclusion(8, 0, {}, {}, tree.Prove(8, 0, {}), 9).error().code,
            Errc::kInvalidArgument);
}

TEST(LogTreeTest, MillionLeafTreeIsCheap) {
  LogTree tree;
  HashValue leaf{};
  for (uint64_t i = 0; i < 100000; ++i) {
    leaf[0] = static_cast<uint8_t>(i);
    leaf[1] = static_cast<uint8_t>(i >> 8);
    leaf[2] = static_cast<uint8_t>(i >> 16);
    tree.Append(leaf);
  }
  const uint64_t n = tree.size();
  const InclusionProof proof = tree.Prove(n, 65537, {3, 65536, 99999});
  std::map<uint64_t, HashValue> known{
      {3, tree.Leaf(3)}, {65536, tree.Leaf(65536)}, {99999, tree.Leaf(99999)}};
  auto view = VerifyLogInclusion(n, 65537, tree.FullSubtreeHeads(65537), known, proof);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->root, tree.Root());
  EXPECT_LT(proof.elements.size(), 60u);
}

}  // namespace
}  // namespace candor::kt
