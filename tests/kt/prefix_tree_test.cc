#include "candor/kt/prefix_tree.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "candor/crypto/sha256.h"

namespace candor::kt {
namespace {

using Entries = std::map<Hash32, HashValue>;  // sorted by key = MSB-first bit order

bool Bit(const Hash32& key, unsigned i) { return ((key[i / 8] >> (7 - i % 8)) & 1) != 0; }

HashValue Parent(const HashValue& l, const HashValue& r) {
  uint8_t buf[65] = {0x03};
  std::copy(l.begin(), l.end(), buf + 1);
  std::copy(r.begin(), r.end(), buf + 33);
  return crypto::Sha256(ByteView(buf, sizeof(buf)));
}

// RefValue computes the prefix tree from scratch by the draft's definition and decision 2: the
// root (depth 0) is a parent, a lone key below it is a leaf, a missing child is 32 zero bytes.
HashValue RefValue(const std::vector<std::pair<Hash32, HashValue>>& e, unsigned depth) {
  if (e.empty() && depth > 0) return HashValue{};
  if (e.size() == 1 && depth > 0) {
    uint8_t buf[65] = {0x02};
    std::copy(e[0].first.begin(), e[0].first.end(), buf + 1);
    std::copy(e[0].second.begin(), e[0].second.end(), buf + 33);
    return crypto::Sha256(ByteView(buf, sizeof(buf)));
  }
  std::vector<std::pair<Hash32, HashValue>> sides[2];
  for (const auto& kv : e) sides[Bit(kv.first, depth) ? 1 : 0].push_back(kv);
  return Parent(RefValue(sides[0], depth + 1), RefValue(sides[1], depth + 1));
}

HashValue RefRoot(const Entries& entries) { return RefValue({entries.begin(), entries.end()}, 0); }

class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  Hash32 Hash() {
    Hash32 h;
    for (auto& b : h) b = static_cast<uint8_t>(gen_());
    return h;
  }
  size_t Below(size_t n) { return static_cast<size_t>(gen_() % n); }

 private:
  std::mt19937_64 gen_;
};

std::vector<PrefixLeaf> Batch(Rng& rng, size_t n, Entries& all) {
  std::vector<PrefixLeaf> out;
  for (size_t i = 0; i < n; ++i) {
    PrefixLeaf leaf{rng.Hash(), rng.Hash()};
    all[leaf.vrf_output] = leaf.commitment;
    out.push_back(leaf);
  }
  return out;
}

// CheckProof proves `keys` in `version`, evaluates the proof with the commitments the tree holds
// and checks the root, the inclusion flags and the encoding round trip. Returns the proof.
PrefixProof CheckProof(const PrefixTree& tree, uint64_t version, const std::vector<Hash32>& keys) {
  const PrefixProof proof = tree.Prove(version, keys);
  std::vector<std::optional<HashValue>> commitments;
  for (const Hash32& k : keys) commitments.push_back(tree.Lookup(version, k));
  auto eval = EvaluatePrefixProof(proof, keys, commitments);
  EXPECT_TRUE(eval.ok()) << eval.error().ToString();
  if (!eval.ok()) return proof;
  EXPECT_EQ(eval->root, tree.Root(version));
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(eval->included[i], commitments[i].has_value());
  }
  tls::Writer w;
  proof.Encode(w);
  auto decoded = tls::DecodeExact<PrefixProof>(w.bytes());
  EXPECT_TRUE(decoded.ok());
  if (decoded.ok()) {
    EXPECT_EQ(*decoded, proof);
  }
  return proof;
}

TEST(PrefixTreeTest, EmptyAndSingleEntry) {
  PrefixTree tree;
  EXPECT_EQ(tree.latest_version(), 0u);
  const HashValue empty_root = Parent(HashValue{}, HashValue{});
  EXPECT_EQ(tree.Root(0), empty_root);

  PrefixLeaf leaf;
  leaf.vrf_output.fill(0xff);  // first bit 1: the leaf is the root's right child
  leaf.commitment.fill(0x11);
  auto v1 = tree.Insert({leaf});
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(*v1, 1u);
  EXPECT_EQ(tree.Root(1), Parent(HashValue{}, PrefixLeafHash(leaf.vrf_output, leaf.commitment)));
  EXPECT_EQ(tree.Root(0), empty_root);  // old versions stay queryable
  EXPECT_EQ(tree.Lookup(1, leaf.vrf_output), leaf.commitment);
  EXPECT_EQ(tree.Lookup(0, leaf.vrf_output), std::nullopt);

  // A lookup in the empty tree: nonInclusionParent at depth 1, the other child listed as zeros.
  Hash32 key{};
  const PrefixProof p0 = CheckProof(tree, 0, {key});
  ASSERT_EQ(p0.results.size(), 1u);
  EXPECT_EQ(p0.results[0].result_type, PrefixSearchResultType::nonInclusionParent);
  EXPECT_EQ(p0.results[0].depth, 1);
  EXPECT_EQ(p0.elements, std::vector<HashValue>{HashValue{}});
  // In version 1: the same key ends at the missing left child; the listed sibling is the leaf.
  const PrefixProof p1 = CheckProof(tree, 1, {key, leaf.vrf_output});
  EXPECT_EQ(p1.results[0].result_type, PrefixSearchResultType::nonInclusionParent);
  EXPECT_EQ(p1.results[1].result_type, PrefixSearchResultType::inclusion);
  EXPECT_TRUE(p1.elements.empty());
  // No keys: the proof is the root alone.
  const PrefixProof none = CheckProof(tree, 1, {});
  EXPECT_EQ(none.elements, std::vector<HashValue>{tree.Root(1)});
}

TEST(PrefixTreeTest, InsertRejectsBadBatchesAndChangesNothing) {
  Rng rng(1);
  PrefixTree tree;
  Entries all;
  const std::vector<PrefixLeaf> batch = Batch(rng, 10, all);
  ASSERT_TRUE(tree.Insert(batch).ok());
  const uint64_t nodes = tree.store().num_leaves() + tree.store().num_parents();
  // A key already present.
  std::vector<PrefixLeaf> again{PrefixLeaf{rng.Hash(), rng.Hash()}, batch[3]};
  EXPECT_EQ(tree.Insert(again).error().code, Errc::kInvalidArgument);
  // A duplicate within the batch.
  PrefixLeaf fresh{rng.Hash(), rng.Hash()};
  EXPECT_EQ(tree.Insert({fresh, fresh}).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(tree.latest_version(), 1u);
  EXPECT_EQ(tree.store().num_leaves() + tree.store().num_parents(), nodes);
  EXPECT_EQ(tree.Root(1), RefRoot(all));
  // An empty batch makes a new version with the same root.
  auto v2 = tree.Insert({});
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(tree.Root(*v2), tree.Root(1));
}

TEST(PrefixTreeTest, VersionsMatchDefinition) {
  Rng rng(2);
  PrefixTree tree;
  Entries all;
  std::vector<Entries> snapshots{all};
  for (size_t round = 0; round < 12; ++round) {
    auto v = tree.Insert(Batch(rng, 1 + rng.Below(40), all));
    ASSERT_TRUE(v.ok());
    ASSERT_EQ(*v, round + 1);
    snapshots.push_back(all);
  }
  for (uint64_t v = 0; v < snapshots.size(); ++v) {
    ASSERT_EQ(tree.Root(v), RefRoot(snapshots[v])) << v;
    for (const auto& [key, commitment] : snapshots.back()) {
      const std::optional<HashValue> got = tree.Lookup(v, key);
      if (snapshots[v].count(key) != 0) {
        ASSERT_EQ(got, commitment);
      } else {
        ASSERT_EQ(got, std::nullopt);
      }
    }
  }
}

TEST(PrefixTreeTest, DeepKeys) {
  // Keys equal in their first 254 bits meet at depth 255, the deepest a proof can name.
  PrefixTree tree;
  Entries all;
  PrefixLeaf a;
  a.vrf_output.fill(0x5a);
  a.vrf_output[31] = 0x58;  // ...000
  PrefixLeaf b = a;
  b.vrf_output[31] = 0x5a;  // ...010: differs from a in bit 254 only
  PrefixLeaf c = a;
  c.vrf_output[0] = 0x00;  // differs at bit 1
  a.commitment.fill(1);
  b.commitment.fill(2);
  c.commitment.fill(3);
  for (const PrefixLeaf& l : {a, b, c}) all[l.vrf_output] = l.commitment;
  ASSERT_TRUE(tree.Insert({a, b}).ok());
  ASSERT_TRUE(tree.Insert({c}).ok());
  EXPECT_EQ(tree.Root(2), RefRoot(all));
  Hash32 absent = a.vrf_output;
  absent[31] = 0x59;  // shares 255 bits with a: nonInclusionLeaf at depth 255
  Hash32 absent2 = a.vrf_output;
  absent2[31] = 0x5c;  // diverges at bit 253: nonInclusionParent at depth 254
  const PrefixProof p =
      CheckProof(tree, 2, {a.vrf_output, b.vrf_output, absent, absent2, c.vrf_output});
  EXPECT_EQ(p.results[0].depth, 255);
  EXPECT_EQ(p.results[1].depth, 255);
  EXPECT_EQ(p.results[2].result_type, PrefixSearchResultType::nonInclusionLeaf);
  EXPECT_EQ(p.results[2].depth, 255);
  EXPECT_EQ(p.results[3].result_type, PrefixSearchResultType::nonInclusionParent);
  EXPECT_EQ(p.results[3].depth, 254);
  EXPECT_EQ(p.results[4].depth, 2);

  // Keys differing only in the last bit: leaves at depth 256 (stored and hashed, not provable).
  PrefixLeaf d = c;
  d.vrf_output[31] ^= 1;
  d.commitment.fill(4);
  all[d.vrf_output] = d.commitment;
  ASSERT_TRUE(tree.Insert({d}).ok());
  EXPECT_EQ(tree.Root(3), RefRoot(all));
  EXPECT_EQ(tree.Lookup(3, d.vrf_output), d.commitment);
  EXPECT_EQ(tree.Lookup(3, c.vrf_output), c.commitment);
  EXPECT_EQ(tree.Lookup(2, d.vrf_output), std::nullopt);
  // Lookups that stop above depth 256 still prove fine in that version.
  CheckProof(tree, 3, {a.vrf_output, absent2});
}

// ExpectRejected: a tampered proof must fail or imply another root.
void ExpectRejected(const PrefixProof& proof, const std::vector<Hash32>& keys,
                    const std::vector<std::optional<HashValue>>& commitments, const HashValue& root,
                    const char* what) {
  auto eval = EvaluatePrefixProof(proof, keys, commitments);
  if (eval.ok()) {
    EXPECT_NE(eval->root, root) << what;
  } else {
    EXPECT_EQ(eval.error().code, Errc::kVerifyFailed) << what;
  }
}

TEST(PrefixTreeTest, RandomProofsAndTampering) {
  Rng rng(3);
  PrefixTree tree;
  Entries all;
  for (int round = 0; round < 6; ++round) ASSERT_TRUE(tree.Insert(Batch(rng, 50, all)).ok());
  std::vector<Hash32> present;
  for (const auto& kv : all) present.push_back(kv.first);
  int num_cases = 0;
  int num_passed = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const uint64_t version = 1 + rng.Below(tree.latest_version());
    std::vector<Hash32> keys;
    const size_t num_keys = 1 + rng.Below(8);
    for (size_t i = 0; i < num_keys; ++i) {
      switch (rng.Below(4)) {
        case 0:
          keys.push_back(rng.Hash());  // absent
          break;
        case 1: {
          // Absent, but sharing a long prefix with a present key (ends at its leaf or a parent).
          Hash32 k = present[rng.Below(present.size())];
          k[1 + rng.Below(31)] ^= static_cast<uint8_t>(1u << rng.Below(8));
          keys.push_back(k);
          break;
        }
        case 2:
          keys.push_back(keys.empty() ? rng.Hash() : keys[rng.Below(keys.size())]);  // repeat
          break;
        default:
          keys.push_back(present[rng.Below(present.size())]);
      }
    }
    ++num_cases;
    const PrefixProof proof = CheckProof(tree, version, keys);
    std::vector<std::optional<HashValue>> commitments;
    for (const Hash32& k : keys) commitments.push_back(tree.Lookup(version, k));
    const HashValue root = tree.Root(version);

    for (size_t e = 0; e < proof.elements.size(); ++e) {
      PrefixProof bad = proof;
      bad.elements[e][rng.Below(32)] ^= static_cast<uint8_t>(1u << rng.Below(8));
      ExpectRejected(bad, keys, commitments, root, "flipped element");
    }
    if (!proof.elements.empty()) {
      PrefixProof bad = proof;
      bad.elements.pop_back();
      EXPECT_FALSE(EvaluatePrefixProof(bad, keys, commitments).ok());
    }
    PrefixProof added = proof;
    added.elements.push_back(HashValue{});
    EXPECT_FALSE(EvaluatePrefixProof(added, keys, commitments).ok());
    PrefixProof fewer = proof;
    fewer.results.pop_back();
    EXPECT_FALSE(EvaluatePrefixProof(fewer, keys, commitments).ok());
    for (size_t i = 0; i < keys.size(); ++i) {
      PrefixProof bad = proof;
      bad.results[i].depth = static_cast<uint8_t>(bad.results[i].depth + 1);
      ExpectRejected(bad, keys, commitments, root, "depth + 1");
      bad = proof;
      bad.results[i].depth = static_cast<uint8_t>(bad.results[i].depth - 1);
      ExpectRejected(bad, keys, commitments, root, "depth - 1");
      bad = proof;
      bad.results[i].result_type = PrefixSearchResultType::nonInclusionParent;
      if (proof.results[i].result_type != PrefixSearchResultType::nonInclusionParent) {
        ExpectRejected(bad, keys, commitments, root, "claimed nonInclusionParent");
      }
      if (commitments[i].has_value()) {
        std::vector<std::optional<HashValue>> wrong = commitments;
        (*wrong[i])[0] ^= 1;
        ExpectRejected(proof, keys, wrong, root, "wrong commitment");
        wrong[i].reset();
        ExpectRejected(proof, keys, wrong, root, "missing commitment");
        // Claiming the key's own leaf as a non-inclusion leaf fails.
        bad = proof;
        bad.results[i].result_type = PrefixSearchResultType::nonInclusionLeaf;
        bad.results[i].leaf = PrefixLeaf{keys[i], *commitments[i]};
        ExpectRejected(bad, keys, commitments, root, "own leaf as nonInclusionLeaf");
      }
    }
    ++num_passed;
  }
  std::printf("PrefixTreeTest.RandomProofsAndTampering: %d cases run / %d passed\n", num_cases,
              num_passed);
  ASSERT_GT(num_cases, 0);
}

TEST(PrefixTreeTest, SharedLeafLookupsMustAgree) {
  // Inclusion of A and nonInclusionLeaf of B ending at A's leaf describe the same node.
  PrefixTree tree;
  PrefixLeaf a;
  a.vrf_output.fill(0x00);
  a.commitment.fill(0x77);
  PrefixLeaf far;
  far.vrf_output.fill(0xff);
  far.commitment.fill(0x66);
  ASSERT_TRUE(tree.Insert({a, far}).ok());
  Hash32 b = a.vrf_output;
  b[20] = 0x01;
  const PrefixProof proof = CheckProof(tree, 1, {a.vrf_output, b});
  ASSERT_EQ(proof.results[1].result_type, PrefixSearchResultType::nonInclusionLeaf);
  EXPECT_EQ(proof.results[0].depth, proof.results[1].depth);
  // A different (made-up) leaf for B at the same node must not be accepted.
  PrefixProof bad = proof;
  bad.results[1].leaf.commitment[0] ^= 1;
  EXPECT_FALSE(EvaluatePrefixProof(bad, {a.vrf_output, b}, {a.commitment, std::nullopt}).ok());
  // Commitment count mismatch is API misuse.
  EXPECT_EQ(EvaluatePrefixProof(proof, {a.vrf_output, b}, {a.commitment}).error().code,
            Errc::kInvalidArgument);
  // Depth 0 is never a terminal.
  bad = proof;
  bad.results[0].depth = 0;
  EXPECT_FALSE(EvaluatePrefixProof(bad, {a.vrf_output, b}, {a.commitment, std::nullopt}).ok());
}

TEST(PrefixTreeTest, StructuralSharingBetweenVersions) {
  Rng rng(4);
  PrefixTree tree;
  Entries all;
  ASSERT_TRUE(tree.Insert(Batch(rng, 2000, all)).ok());
  const uint64_t before = tree.store().num_leaves() + tree.store().num_parents();
  ASSERT_TRUE(tree.Insert(Batch(rng, 1, all)).ok());
  const uint64_t added = tree.store().num_leaves() + tree.store().num_parents() - before;
  // One new leaf plus the new parents along its path (about log2(2000) + 2).
  EXPECT_LE(added, 20u);
  EXPECT_EQ(tree.Root(2), RefRoot(all));
}

}  // namespace
}  // namespace candor::kt
