// proof_fuzz: VerifyInclusion and VerifyConsistency must never crash, and must accept exactly the
// proofs that a plain recursive reading of RFC 9162 §2.1.3 / §2.1.4 accepts (the library uses the
// iterative algorithms of §2.1.3.2 / §2.1.4.2). Then, for a small MemoryTree whose shape comes
// from the input, real proofs must verify and mutated ones must not.
//
// Input layout: uint64 index (old size), uint64 size (new size), both big-endian (missing bytes
// read as zero), then 32-byte hashes H0, H1, ... (a trailing partial hash is ignored). The
// inclusion check uses leaf H0, root H1; the consistency check old root H0, new root H1; both
// use H2... as the proof.
#include <algorithm>
#include <bit>
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "candor/tlog/merkle.h"
#include "fuzz/fuzz_target.h"

namespace {

using candor::ByteView;
using candor::Errc;
using candor::Hash32;
using candor::Status;
using candor::tlog::HashChildren;
using Proof = std::span<const Hash32>;

// ProofCursor hands out proof hashes in order.
struct ProofCursor {
  Proof proof;
  size_t pos = 0;
  const Hash32* Next() { return pos < proof.size() ? &proof[pos++] : nullptr; }
  bool done() const { return pos == proof.size(); }
};

// LargestPowerOfTwoBelow returns k, the largest power of two < n, for n >= 2 (RFC 9162 §2.1.1).
uint64_t Split(uint64_t n) { return std::bit_floor(n - 1); }

// RefPathRoot returns the root of the subtree [begin, end) implied by `leaf` at `index` and the
// PATH proof (RFC 9162 §2.1.3.1: deepest sibling first), or nullopt if the proof runs out.
std::optional<Hash32> RefPathRoot(uint64_t index, uint64_t begin, uint64_t end, const Hash32& leaf,
                                  ProofCursor& cur) {
  if (end - begin == 1) return leaf;
  const uint64_t k = Split(end - begin);
  if (index - begin < k) {
    std::optional<Hash32> left = RefPathRoot(index, begin, begin + k, leaf, cur);
    const Hash32* right = cur.Next();
    if (!left || right == nullptr) return std::nullopt;
    return HashChildren(*left, *right);
  }
  std::optional<Hash32> right = RefPathRoot(index, begin + k, end, leaf, cur);
  const Hash32* left = cur.Next();
  if (!right || left == nullptr) return std::nullopt;
  return HashChildren(*left, *right);
}

bool RefVerifyInclusion(uint64_t index, uint64_t size, const Hash32& leaf, Proof proof,
                        const Hash32& root) {
  if (index >= size) return false;
  ProofCursor cur{proof};
  std::optional<Hash32> got = RefPathRoot(index, 0, size, leaf, cur);
  return got && cur.done() && *got == root;
}

struct RootPair {
  Hash32 old_root;
  Hash32 new_root;
};

// RefSubproof returns the (old, new) subtree hashes implied by SUBPROOF(m, D[n], b) (RFC 9162
// §2.1.4.1, emitted deepest first), where `old_root` stands in for the node the verifier already
// knows when b is true; nullopt if the proof runs out.
std::optional<RootPair> RefSubproof(uint64_t m, uint64_t n, bool b, const Hash32& old_root,
                                    ProofCursor& cur) {
  if (m == n) {
    if (b) return RootPair{old_root, old_root};
    const Hash32* h = cur.Next();
    if (h == nullptr) return std::nullopt;
    return RootPair{*h, *h};
  }
  const uint64_t k = Split(n);
  if (m <= k) {
    std::optional<RootPair> left = RefSubproof(m, k, b, old_root, cur);
    const Hash32* right = cur.Next();
    if (!left || right == nullptr) return std::nullopt;
    return RootPair{left->old_root, HashChildren(left->new_root, *right)};
  }
  std::optional<RootPair> right = RefSubproof(m - k, n - k, false, old_root, cur);
  const Hash32* left = cur.Next();
  if (!right || left == nullptr) return std::nullopt;
  return RootPair{HashChildren(*left, right->old_root), HashChildren(*left, right->new_root)};
}

bool RefVerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash32& old_root,
                          const Hash32& new_root, Proof proof) {
  if (old_size == 0 || old_size > new_size) return false;
  ProofCursor cur{proof};
  std::optional<RootPair> got = RefSubproof(old_size, new_size, true, old_root, cur);
  return got && cur.done() && got->old_root == old_root && got->new_root == new_root;
}

// CheckInclusion runs VerifyInclusion, checks its error code, and returns whether it accepted;
// the reference must agree.
bool CheckInclusion(uint64_t index, uint64_t size, const Hash32& leaf, Proof proof,
                    const Hash32& root) {
  const Status st = candor::tlog::VerifyInclusion(index, size, leaf, proof, root);
  if (!st.ok()) {
    FUZZ_REQUIRE(st.error().code == (index >= size ? Errc::kInvalidArgument : Errc::kVerifyFailed));
  }
  FUZZ_REQUIRE(st.ok() == RefVerifyInclusion(index, size, leaf, proof, root));
  return st.ok();
}

bool CheckConsistency(uint64_t old_size, uint64_t new_size, const Hash32& old_root,
                      const Hash32& new_root, Proof proof) {
  const Status st = candor::tlog::VerifyConsistency(old_size, new_size, old_root, new_root, proof);
  if (!st.ok()) {
    const bool bad_sizes = old_size == 0 || old_size > new_size;
    FUZZ_REQUIRE(st.error().code == (bad_sizes ? Errc::kInvalidArgument : Errc::kVerifyFailed));
  }
  FUZZ_REQUIRE(st.ok() == RefVerifyConsistency(old_size, new_size, old_root, new_root, proof));
  return st.ok();
}

Hash32 FlipBit(Hash32 h, uint64_t bit) {
  h[static_cast<size_t>(bit / 8 % 32)] ^= static_cast<uint8_t>(1u << (bit % 8));
  return h;
}

// CheckRealTree builds a tree of 1..100 distinct leaves, proves inclusion of one leaf and
// consistency with one earlier size, and checks that the proofs verify and that flipping a bit
// of any proof hash or root, or adding or dropping a proof hash, makes them fail.
void CheckRealTree(uint64_t a, uint64_t b) {
  const uint64_t size = 1 + b % 100;
  const uint64_t index = a % size;
  const uint64_t old_size = 1 + (a >> 8) % size;
  const uint64_t pick = b >> 8;
  const uint64_t bit = pick >> 8;

  candor::tlog::MemoryTree tree;
  std::vector<Hash32> leaves;
  for (uint64_t i = 0; i < size; ++i) {
    // Entry i is a salt byte from the input followed by i (big-endian): distinct leaves.
    uint8_t entry[9] = {static_cast<uint8_t>(b >> 56)};
    for (size_t j = 0; j < 8; ++j) entry[1 + j] = static_cast<uint8_t>(i >> (56 - 8 * j));
    leaves.push_back(candor::tlog::HashLeaf(ByteView(entry, sizeof(entry))));
    tree.AppendLeafHash(leaves.back());
  }
  auto root = candor::tlog::TreeRoot(size, tree);
  auto old_root = candor::tlog::TreeRoot(old_size, tree);
  FUZZ_REQUIRE(root.ok() && old_root.ok());

  // Inclusion.
  auto path = candor::tlog::ProveInclusion(index, size, tree);
  FUZZ_REQUIRE(path.ok());
  std::vector<Hash32> proof = *path;
  const Hash32& leaf = leaves[static_cast<size_t>(index)];
  FUZZ_REQUIRE(CheckInclusion(index, size, leaf, proof, *root));
  FUZZ_REQUIRE(!CheckInclusion(index, size, FlipBit(leaf, bit), proof, *root));
  FUZZ_REQUIRE(!CheckInclusion(index, size, leaf, proof, FlipBit(*root, bit)));
  if (!proof.empty()) {
    std::vector<Hash32> bad = proof;
    const size_t i = static_cast<size_t>(pick % bad.size());
    bad[i] = FlipBit(bad[i], bit);
    FUZZ_REQUIRE(!CheckInclusion(index, size, leaf, bad, *root));
    bad = proof;
    bad.pop_back();
    FUZZ_REQUIRE(!CheckInclusion(index, size, leaf, bad, *root));
  }
  proof.push_back(leaf);
  FUZZ_REQUIRE(!CheckInclusion(index, size, leaf, proof, *root));

  // Consistency.
  auto cons = candor::tlog::ProveConsistency(old_size, size, tree);
  FUZZ_REQUIRE(cons.ok());
  proof = *cons;
  FUZZ_REQUIRE(CheckConsistency(old_size, size, *old_root, *root, proof));
  FUZZ_REQUIRE(!CheckConsistency(old_size, size, FlipBit(*old_root, bit), *root, proof));
  FUZZ_REQUIRE(!CheckConsistency(old_size, size, *old_root, FlipBit(*root, bit), proof));
  if (!proof.empty()) {
    std::vector<Hash32> bad = proof;
    const size_t i = static_cast<size_t>(pick % bad.size());
    bad[i] = FlipBit(bad[i], bit);
    FUZZ_REQUIRE(!CheckConsistency(old_size, size, *old_root, *root, bad));
    bad = proof;
    bad.pop_back();
    FUZZ_REQUIRE(!CheckConsistency(old_size, size, *old_root, *root, bad));
  }
  proof.push_back(*root);
  FUZZ_REQUIRE(!CheckConsistency(old_size, size, *old_root, *root, proof));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteView input(data, size);
  uint64_t a = 0;
  uint64_t b = 0;
  for (size_t i = 0; i < 8; ++i) {
    a = (a << 8) | (i < input.size() ? input[i] : 0);
    b = (b << 8) | (8 + i < input.size() ? input[8 + i] : 0);
  }
  std::vector<Hash32> hashes;
  for (size_t off = 16; off + 32 <= input.size(); off += 32) {
    Hash32 h;
    std::copy_n(input.begin() + static_cast<ptrdiff_t>(off), 32, h.begin());
    hashes.push_back(h);
  }
  const Hash32 h0 = hashes.size() > 0 ? hashes[0] : Hash32{};
  const Hash32 h1 = hashes.size() > 1 ? hashes[1] : Hash32{};
  const Proof proof = hashes.size() > 2 ? Proof(hashes).subspan(2) : Proof();

  (void)CheckInclusion(a, b, h0, proof, h1);
  (void)CheckConsistency(a, b, h0, h1, proof);
  CheckRealTree(a, b);
  return 0;
}
