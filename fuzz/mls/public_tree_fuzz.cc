// public_tree_fuzz: PublicTree (RFC 9420 §7) on an untrusted `ratchet_tree` body, suite 1.
// Building, hashing, resolutions, filtered paths, parent-hash checks and Validate must never
// crash; a built tree gives back exactly the input; failures carry the documented codes; and
// after RemoveLeaf the incrementally updated tree hash equals a from-scratch rebuild.
// Seeds (fuzz/corpus/public_tree_fuzz/): the suite-1 `tree` fields of
// tests/vectors/mls/tree-validation.json and the `tree_before` fields of tree-operations.json.
#include "candor/mls/ratchet_tree.h"
#include "fuzz/fuzz_target.h"

namespace {

using candor::Errc;
using candor::mls::LeafIndex;
using candor::mls::NodeIndex;
using candor::mls::PublicTree;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const candor::ByteView input(data, size);
  auto wire = candor::tls::DecodeExact<candor::mls::RatchetTree>(input);
  if (!wire.ok()) return 0;
  auto cs = candor::mls::GetCipherSuiteParams(
      candor::mls::CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519);
  FUZZ_REQUIRE(cs.ok());
  auto tree = PublicTree::FromRatchetTree(**cs, *wire);
  if (!tree.ok()) {
    FUZZ_REQUIRE(tree.error().code == Errc::kMalformed);
    return 0;
  }
  FUZZ_REQUIRE(candor::fuzz::SameBytes(candor::tls::Encode(tree->ToRatchetTree()), input));
  FUZZ_REQUIRE(tree->TreeHash().size() == (*cs)->nh);
  for (uint32_t i = 0; i < tree->num_nodes(); ++i) (void)tree->Resolution(NodeIndex{i});
  for (uint32_t l = 0; l < tree->num_leaves(); ++l) (void)tree->FilteredDirectPath(LeafIndex{l});
  candor::Status ph = tree->VerifyParentHashes();
  FUZZ_REQUIRE(ph.ok() || ph.error().code == Errc::kVerifyFailed);
  candor::Status valid = tree->Validate(candor::ByteView());
  FUZZ_REQUIRE(valid.ok() || valid.error().code == Errc::kVerifyFailed ||
               valid.error().code == Errc::kMalformed);
  for (uint32_t l = 0; l < tree->num_leaves(); ++l) {
    if (tree->leaf_node(LeafIndex{l}) == nullptr) continue;
    FUZZ_REQUIRE(tree->RemoveLeaf(LeafIndex{l}).ok());
    auto rebuilt_wire = tree->ToRatchetTree();
    if (rebuilt_wire.nodes.empty()) break;
    auto rebuilt = PublicTree::FromRatchetTree(**cs, std::move(rebuilt_wire));
    FUZZ_REQUIRE(rebuilt.ok());
    FUZZ_REQUIRE(rebuilt->TreeHash() == tree->TreeHash());
    break;
  }
  return 0;
}
