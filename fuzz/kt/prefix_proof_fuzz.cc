// prefix_proof_fuzz: PrefixProof decoding and EvaluatePrefixProof must never crash; a decoded
// proof must re-encode to the consumed bytes, and an accepted evaluation must be coherent. Then
// a real prefix tree built from the input's keys must prove its lookups, and a proof with one
// flipped element must fail or imply another root.
//
// Input layout: byte 0 = number of keys k (mod 9); byte 1 = mask (bit i: key i has a
// commitment, the bytes of key i inverted); then k 32-byte keys (missing bytes read as zero);
// the rest is the PrefixProof wire encoding. The seeds in fuzz/corpus/prefix_proof_fuzz/ were
// written by hand in this layout (hashes from Python's hashlib): valid proofs for two-leaf trees
// (inclusion, nonInclusionLeaf, nonInclusionParent, a shared terminal leaf), the empty tree, no
// keys, and bad type / depth 0 / truncated / trailing-byte encodings.
#include <algorithm>
#include <cstddef>
#include <optional>
#include <set>
#include <vector>

#include "candor/base/tls.h"
#include "candor/kt/prefix_tree.h"
#include "fuzz/fuzz_target.h"

namespace {

using candor::ByteView;
using candor::Hash32;
using candor::kt::EvaluatePrefixProof;
using candor::kt::HashValue;
using candor::kt::PrefixLeaf;
using candor::kt::PrefixProof;
using candor::kt::PrefixSearchResultType;
using candor::kt::PrefixTree;

HashValue CommitmentFor(const Hash32& key) {
  HashValue c;
  for (size_t i = 0; i < c.size(); ++i) c[i] = static_cast<uint8_t>(~key[i]);
  return c;
}

// CheckRealTree inserts the usable keys (distinct, no two equal in their first 255 bits: their
// lookups would end at depth 256, which Prove refuses) in two batches, proves every key against the
// newest version and checks the evaluation.
void CheckRealTree(const std::vector<Hash32>& keys, uint8_t mask) {
  std::vector<PrefixLeaf> usable;
  std::set<Hash32> seen;
  for (const Hash32& key : keys) {
    Hash32 twin = key;
    twin[31] ^= 1;
    if (seen.count(key) != 0 || seen.count(twin) != 0) continue;
    seen.insert(key);
    usable.push_back(PrefixLeaf{key, CommitmentFor(key)});
  }
  PrefixTree tree;
  const size_t half = usable.size() / 2;
  FUZZ_REQUIRE(tree.Insert({usable.begin(), usable.begin() + static_cast<ptrdiff_t>(half)}).ok());
  FUZZ_REQUIRE(tree.Insert({usable.begin() + static_cast<ptrdiff_t>(half), usable.end()}).ok());
  // Look up every key, some of them absent from version 1.
  for (uint64_t version = 1; version <= 2; ++version) {
    const PrefixProof proof = tree.Prove(version, keys);
    std::vector<std::optional<HashValue>> commitments;
    for (const Hash32& key : keys) commitments.push_back(tree.Lookup(version, key));
    auto eval = EvaluatePrefixProof(proof, keys, commitments);
    FUZZ_REQUIRE(eval.ok());
    FUZZ_REQUIRE(eval->root == tree.Root(version));
    if (!proof.elements.empty()) {
      PrefixProof bad = proof;
      bad.elements[mask % bad.elements.size()][mask % 32] ^= 0x10;
      auto bad_eval = EvaluatePrefixProof(bad, keys, commitments);
      FUZZ_REQUIRE(!bad_eval.ok() || bad_eval->root != tree.Root(version));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteView input(data, size);
  const size_t num_keys = input.empty() ? 0 : input[0] % 9;
  const uint8_t mask = input.size() > 1 ? input[1] : 0;
  std::vector<Hash32> keys(num_keys);
  size_t pos = 2;
  for (Hash32& key : keys) {
    for (uint8_t& b : key) b = pos < input.size() ? input[pos++] : 0;
  }
  const ByteView wire = pos < input.size() ? input.subspan(pos) : ByteView();

  std::vector<std::optional<HashValue>> commitments;
  for (size_t i = 0; i < keys.size(); ++i) {
    if ((mask >> i) & 1) {
      commitments.emplace_back(CommitmentFor(keys[i]));
    } else {
      commitments.emplace_back(std::nullopt);
    }
  }

  auto proof = candor::tls::DecodeExact<PrefixProof>(wire);
  if (proof.ok()) {
    candor::tls::Writer w;
    proof->Encode(w);
    FUZZ_REQUIRE(candor::fuzz::SameBytes(w.bytes(), wire));
    auto eval = EvaluatePrefixProof(*proof, keys, commitments);
    if (eval.ok()) {
      FUZZ_REQUIRE(eval->included.size() == keys.size());
      for (size_t i = 0; i < keys.size(); ++i) {
        const bool inclusion = proof->results[i].result_type == PrefixSearchResultType::inclusion;
        FUZZ_REQUIRE(eval->included[i] == inclusion);
        FUZZ_REQUIRE(!inclusion || commitments[i].has_value());
      }
    } else {
      FUZZ_REQUIRE(eval.error().code == candor::Errc::kVerifyFailed);
    }
  }
  CheckRealTree(keys, mask);
  return 0;
}
