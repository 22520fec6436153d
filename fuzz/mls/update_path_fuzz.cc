// update_path_fuzz: TreeKEM's receiver side on untrusted input, suite 1. The input is
// `uint8 sender; uint8 receiver; opaque group_id<V>; optional<Node> ratchet_tree<V>;
// UpdatePath path;`. MergeUpdatePath and MergeExternalUpdatePath must never crash and fail
// only with the documented codes; a merged tree must pass VerifyParentHashes and carry the
// path's leaf; DecryptUpdatePath with a key the fuzzer cannot know must fail cleanly.
// Seeds (fuzz/corpus/update_path_fuzz/): every suite-1 update path of
// tests/vectors/mls/treekem.json with its sender, a member, group_id and ratchet_tree.
#include "candor/mls/ratchet_tree.h"
#include "candor/mls/tree_kem.h"
#include "fuzz/fuzz_target.h"

namespace {

using candor::Errc;

bool Documented(const candor::Error& e) {
  return e.code == Errc::kMalformed || e.code == Errc::kVerifyFailed ||
         e.code == Errc::kInvalidArgument;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  candor::tls::Reader r(candor::ByteView(data, size));
  auto sender = r.U8();
  auto receiver = r.U8();
  auto group_id = r.OpaqueV();
  if (!sender.ok() || !receiver.ok() || !group_id.ok()) return 0;
  auto wire = candor::mls::RatchetTree::Decode(r);
  if (!wire.ok()) return 0;
  auto path = candor::mls::UpdatePath::Decode(r);
  if (!path.ok() || !r.ExpectEnd().ok()) return 0;
  auto cs = candor::mls::GetCipherSuiteParams(
      candor::mls::CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519);
  FUZZ_REQUIRE(cs.ok());
  auto tree = candor::mls::PublicTree::FromRatchetTree(**cs, std::move(*wire));
  if (!tree.ok()) return 0;
  const candor::mls::LeafIndex from{*sender};

  auto merged = candor::mls::MergeUpdatePath(*tree, from, *path, *group_id);
  if (!merged.ok()) {
    FUZZ_REQUIRE(Documented(merged.error()));
  } else {
    FUZZ_REQUIRE(merged->VerifyParentHashes().ok());
    FUZZ_REQUIRE(*merged->leaf_node(from) == path->leaf_node);
    const candor::mls::LeafIndex to{*receiver};
    if (to != from && merged->leaf_node(to) != nullptr) {
      candor::SecretBytes key(32);  // not the receiver's key: decryption must fail cleanly
      candor::mls::TreeKEMPrivateKey priv(to, std::move(key));
      auto processed =
          candor::mls::DecryptUpdatePath(*merged, priv, from, *path, candor::ByteView(), {});
      FUZZ_REQUIRE(!processed.ok() && Documented(processed.error()));
    }
  }
  auto external = candor::mls::MergeExternalUpdatePath(*tree, *path, *group_id);
  if (!external.ok()) {
    FUZZ_REQUIRE(Documented(external.error()));
  } else {
    FUZZ_REQUIRE(external->tree.VerifyParentHashes().ok());
  }
  return 0;
}
