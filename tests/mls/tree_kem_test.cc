// RFC 9420 §7.4-§7.6 TreeKEM against the official treekem.json vectors: every member's
// private view is checked against the tree, every UpdatePath in the vectors is merged and
// decrypted by every other member (path secret, commit_secret, tree_hash_after), and for each
// case a fresh UpdatePath from one member is processed by all the others.
#include "candor/mls/tree_kem.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "candor/crypto/constant_time.h"
#include "candor/mls/group_context.h"
#include "schedule_test_util.h"

namespace candor::mls {
namespace {

using testing::Hex;
using testing::json;
using testing::Same;

Bytes B(const SecretBytes& s) { return Bytes(s.view().begin(), s.view().end()); }

Bytes EncodedGroupContext(const CipherSuiteParams& cs, const json& c, ByteView tree_hash) {
  GroupContext gc;
  gc.cipher_suite = cs.suite;
  gc.group_id = Hex(c.at("group_id"));
  gc.epoch = c.at("epoch").get<uint64_t>();
  gc.tree_hash.assign(tree_hash.begin(), tree_hash.end());
  gc.confirmed_transcript_hash = Hex(c.at("confirmed_transcript_hash"));
  return tls::Encode(gc);
}

struct Member {
  LeafIndex index;
  TreeKEMPrivateKey private_key;
  Bytes signature_priv;
};

TEST(MlsTreeKemTest, OfficialVectors) {
  const json cases = testing::LoadVectors("treekem.json");
  testing::Tally tally("treekem.json");
  size_t num_decryptions = 0;
  size_t num_fresh_decryptions = 0;
  for (const json& c : cases) {
    const CipherSuiteParams* cs = testing::Suite(c);
    ASSERT_NE(cs, nullptr);
    const auto suite = static_cast<uint16_t>(cs->suite);
    SCOPED_TRACE("suite " + std::to_string(suite));
    auto rt = tls::DecodeExact<RatchetTree>(Hex(c.at("ratchet_tree")));
    ASSERT_TRUE(rt.ok());
    auto tree = PublicTree::FromRatchetTree(*cs, std::move(*rt));
    ASSERT_TRUE(tree.ok());
    const Bytes group_id = Hex(c.at("group_id"));
    bool ok = true;

    // Private views: each listed path secret must give the tree's public key.
    std::vector<Member> members;
    for (const json& lp : c.at("leaves_private")) {
      const LeafIndex index{lp.at("index").get<uint32_t>()};
      TreeKEMPrivateKey priv(index, SecretBytes(Hex(lp.at("encryption_priv"))));
      for (const json& ps : lp.at("path_secrets")) {
        Status s = priv.SetNodePathSecret(*tree, NodeIndex{ps.at("node").get<uint32_t>()},
                                          SecretBytes(Hex(ps.at("path_secret"))));
        EXPECT_TRUE(s.ok()) << "leaf " << index.value;
        ok = ok && s.ok();
      }
      Status consistent = priv.ConsistentWith(*tree);
      EXPECT_TRUE(consistent.ok());
      ok = ok && consistent.ok();
      members.push_back({index, std::move(priv), Hex(lp.at("signature_priv"))});
    }

    // The vector's UpdatePaths.
    for (const json& up : c.at("update_paths")) {
      const LeafIndex sender{up.at("sender").get<uint32_t>()};
      auto path = tls::DecodeExact<UpdatePath>(Hex(up.at("update_path")));
      ASSERT_TRUE(path.ok());
      auto merged = MergeUpdatePath(*tree, sender, *path, group_id);
      ASSERT_TRUE(merged.ok()) << merged.error().ToString();
      ok = Same(merged->TreeHash(), up.at("tree_hash_after"), "tree_hash_after") && ok;
      ok = merged->VerifyParentHashes().ok() && ok;
      const Bytes gc = EncodedGroupContext(*cs, c, merged->TreeHash());
      for (const Member& m : members) {
        if (m.index == sender) continue;
        auto processed = DecryptUpdatePath(*merged, m.private_key, sender, *path, gc, {});
        EXPECT_TRUE(processed.ok()) << "leaf " << m.index.value;
        if (!processed.ok()) {
          ok = false;
          continue;
        }
        const NodeIndex ancestor =
            CommonAncestor(NodeIndex{sender.value * 2}, NodeIndex{m.index.value * 2});
        const SecretBytes* ps = processed->private_key.path_secret(ancestor);
        EXPECT_NE(ps, nullptr);
        ok = ps != nullptr &&
             Same(ps->view(), up.at("path_secrets")[m.index.value], "path_secret") && ok;
        ok = Same(processed->commit_secret.view(), up.at("commit_secret"), "commit_secret") && ok;
        ok = processed->private_key.ConsistentWith(*merged).ok() && ok;
        ++num_decryptions;
      }
    }

    // A fresh UpdatePath from the first member, processed by all the others.
    const Member& s = members.front();
    auto sig = crypto::SignaturePrivateKey::FromBytes(cs->signature, s.signature_priv);
    ASSERT_TRUE(sig.ok());
    const LeafNode* old_leaf = tree->leaf_node(s.index);
    ASSERT_NE(old_leaf, nullptr);
    auto pending = CreateUpdatePath(*tree, s.index, *sig, group_id, *old_leaf);
    ASSERT_TRUE(pending.ok()) << pending.error().ToString();
    const Bytes gc = EncodedGroupContext(*cs, c, pending->tree.TreeHash());
    auto path = EncryptUpdatePath(*pending, gc, {});
    ASSERT_TRUE(path.ok()) << path.error().ToString();
    ok = pending->private_key.ConsistentWith(pending->tree).ok() && ok;
    ok = pending->tree.VerifyParentHashes().ok() && ok;
    auto merged = MergeUpdatePath(*tree, s.index, *path, group_id);
    ASSERT_TRUE(merged.ok()) << merged.error().ToString();
    ok = merged->TreeHash() == pending->tree.TreeHash() && ok;
    for (const Member& m : members) {
      if (m.index == s.index) continue;
      auto processed = DecryptUpdatePath(*merged, m.private_key, s.index, *path, gc, {});
      EXPECT_TRUE(processed.ok());
      if (!processed.ok()) {
        ok = false;
        continue;
      }
      ok = B(processed->commit_secret) == B(pending->commit_secret) && ok;
      ++num_fresh_decryptions;
    }
    // The wrong group context does not decrypt.
    if (members.size() > 1) {
      const Member& m = members[1];
      Bytes bad_gc = gc;
      bad_gc.back() ^= 1;
      auto bad = DecryptUpdatePath(*merged, m.private_key, s.index, *path, bad_gc, {});
      ok = !bad.ok() && bad.error().code == Errc::kVerifyFailed && ok;
    }
    EXPECT_TRUE(ok);
    tally.Add(suite, ok);
  }
  std::printf("treekem.json: %zu vector decryptions, %zu fresh-path decryptions\n", num_decryptions,
              num_fresh_decryptions);
  tally.Report();
  ASSERT_GT(tally.run(), 0u);
}

}  // namespace
}  // namespace candor::mls
