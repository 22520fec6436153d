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
#include "candor/mls/leaf_node_signature.h"
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

// A group built from scratch: fresh keys, key_package leaves added with AddLeaf.
struct TestMember {
  crypto::SignaturePrivateKey signature_key;
  SecretBytes leaf_private_key;
  LeafNode leaf_node;
};

TestMember MakeMember(const CipherSuiteParams& cs, uint32_t id) {
  auto sig = crypto::SignaturePrivateKey::Generate(cs.signature);
  crypto::HpkeKeyPair kp = crypto::GenerateKeyPair(cs.kem);
  LeafNode leaf;
  leaf.encryption_key = kp.public_key;
  leaf.signature_key = sig.public_key();
  leaf.credential.identity = {static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id)};
  leaf.capabilities.versions = {ProtocolVersion::mls10};
  leaf.capabilities.cipher_suites = {cs.suite};
  leaf.capabilities.credentials = {static_cast<uint16_t>(CredentialType::basic)};
  leaf.leaf_node_source = LeafNodeSource::key_package;
  leaf.lifetime = {0, ~uint64_t{0}};
  EXPECT_TRUE(SignLeafNode(cs, sig, {}, 0, leaf).ok());
  return {std::move(sig), std::move(kp.private_key), std::move(leaf)};
}

const CipherSuiteParams& Suite1() {
  return **GetCipherSuiteParams(CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519);
}

struct TestGroup {
  PublicTree tree{Suite1()};
  std::vector<TestMember> members;
  Bytes group_id = {7, 7, 7};
};

TestGroup MakeGroup(uint32_t n) {
  TestGroup g;
  for (uint32_t i = 0; i < n; ++i) {
    g.members.push_back(MakeMember(Suite1(), i));
    auto index = g.tree.AddLeaf(g.members.back().leaf_node);
    EXPECT_TRUE(index.ok() && index->value == i);
  }
  return g;
}

TEST(MlsTreeKemTest, TamperedUpdatePathIsRejected) {
  TestGroup g = MakeGroup(5);
  ASSERT_TRUE(g.tree.Validate(g.group_id).ok());
  const Bytes hash_before = g.tree.TreeHash();
  const LeafIndex sender{2};
  auto pending = CreateUpdatePath(g.tree, sender, g.members[2].signature_key, g.group_id,
                                  g.members[2].leaf_node);
  ASSERT_TRUE(pending.ok());
  ASSERT_TRUE(pending->tree.Validate(g.group_id).ok());
  const Bytes gc = {1, 2, 3};
  auto path = EncryptUpdatePath(*pending, gc, {});
  ASSERT_TRUE(path.ok());
  ASSERT_TRUE(MergeUpdatePath(g.tree, sender, *path, g.group_id).ok());

  UpdatePath bad = *path;  // a different path key breaks the leaf's parent hash
  bad.nodes.back().encryption_key = crypto::GenerateKeyPair(Suite1().kem).public_key;
  EXPECT_EQ(MergeUpdatePath(g.tree, sender, bad, g.group_id).error().code, Errc::kVerifyFailed);
  bad = *path;
  bad.leaf_node.signature.back() ^= 1;
  EXPECT_EQ(MergeUpdatePath(g.tree, sender, bad, g.group_id).error().code, Errc::kVerifyFailed);
  // As leaf 1's path it names leaf 2's signature key (kMalformed) and would not verify.
  EXPECT_FALSE(MergeUpdatePath(g.tree, LeafIndex{1}, *path, g.group_id).ok());
  bad = *path;  // a key already in the tree
  bad.nodes.front().encryption_key = g.members[1].leaf_node.encryption_key;
  EXPECT_EQ(MergeUpdatePath(g.tree, sender, bad, g.group_id).error().code, Errc::kMalformed);
  bad = *path;  // the committer's old leaf key
  bad.leaf_node.encryption_key = g.members[2].leaf_node.encryption_key;
  EXPECT_EQ(MergeUpdatePath(g.tree, sender, bad, g.group_id).error().code, Errc::kMalformed);
  bad = *path;  // another member's signature key
  bad.leaf_node.signature_key = g.members[0].leaf_node.signature_key;
  EXPECT_EQ(MergeUpdatePath(g.tree, sender, bad, g.group_id).error().code, Errc::kMalformed);
  bad = *path;
  bad.nodes.pop_back();
  EXPECT_EQ(MergeUpdatePath(g.tree, sender, bad, g.group_id).error().code, Errc::kMalformed);
  EXPECT_EQ(g.tree.TreeHash(), hash_before);

  auto merged = MergeUpdatePath(g.tree, sender, *path, g.group_id);
  ASSERT_TRUE(merged.ok());
  TreeKEMPrivateKey receiver(LeafIndex{0}, g.members[0].leaf_private_key.Clone());
  bad = *path;
  for (auto& node : bad.nodes) {
    for (auto& ct : node.encrypted_path_secret) ct.ciphertext.back() ^= 1;
  }
  EXPECT_EQ(DecryptUpdatePath(*merged, receiver, sender, bad, gc, {}).error().code,
            Errc::kVerifyFailed);
  auto ok = DecryptUpdatePath(*merged, receiver, sender, *path, gc, {});
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(crypto::ConstantTimeEqual(ok->commit_secret.view(), pending->commit_secret.view()));
  EXPECT_EQ(DecryptUpdatePath(*merged, receiver, LeafIndex{0}, *path, gc, {}).error().code,
            Errc::kInvalidArgument);
}

TEST(MlsTreeKemTest, NewMembersAreExcludedAndJoinWithPathSecret) {
  TestGroup g = MakeGroup(3);
  g.members.push_back(MakeMember(Suite1(), 3));
  auto added = g.tree.AddLeaf(g.members[3].leaf_node);
  ASSERT_TRUE(added.ok());
  const LeafIndex sender{0};
  auto pending = CreateUpdatePath(g.tree, sender, g.members[0].signature_key, g.group_id,
                                  g.members[0].leaf_node);
  ASSERT_TRUE(pending.ok());
  const Bytes gc = {4, 5, 6};
  const std::vector<LeafIndex> excluded = {*added};
  auto path = EncryptUpdatePath(*pending, gc, excluded);
  ASSERT_TRUE(path.ok());
  size_t num_cts = 0;
  for (const auto& n : path->nodes) num_cts += n.encrypted_path_secret.size();
  EXPECT_EQ(num_cts, 2u);  // leaves 1 and 2 only
  auto merged = MergeUpdatePath(g.tree, sender, *path, g.group_id);
  ASSERT_TRUE(merged.ok());
  for (uint32_t i = 1; i < 3; ++i) {
    TreeKEMPrivateKey priv(LeafIndex{i}, g.members[i].leaf_private_key.Clone());
    auto r = DecryptUpdatePath(*merged, priv, sender, *path, gc, excluded);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(crypto::ConstantTimeEqual(r->commit_secret.view(), pending->commit_secret.view()));
  }
  TreeKEMPrivateKey joiner(*added, g.members[3].leaf_private_key.Clone());
  EXPECT_EQ(DecryptUpdatePath(*merged, joiner, sender, *path, gc, excluded).error().code,
            Errc::kInvalidArgument);
  // The Welcome gives the joiner the path secret of its common ancestor with the sender.
  const NodeIndex ancestor = CommonAncestor(NodeIndex{0}, NodeIndex{added->value * 2});
  const SecretBytes* secret = pending->private_key.path_secret(ancestor);
  ASSERT_NE(secret, nullptr);
  ASSERT_TRUE(joiner.SetPathSecret(*merged, ancestor, secret->Clone()).ok());
  EXPECT_TRUE(joiner.ConsistentWith(*merged).ok());
  EXPECT_NE(joiner.private_key(ancestor), nullptr);
  SecretBytes wrong(Suite1().nh);
  EXPECT_EQ(joiner.SetPathSecret(*merged, ancestor, std::move(wrong)).error().code,
            Errc::kVerifyFailed);
  EXPECT_TRUE(joiner.ConsistentWith(*merged).ok());
}

TEST(MlsTreeKemTest, LargeBlankTreeUsesBothThreads) {
  // 100 leaves and blank parents: the path secrets go to 99 leaves, above the threshold.
  TestGroup g = MakeGroup(100);
  {  // Validate checks the 100 leaf signatures on two threads; a bad one in either half fails.
    ASSERT_TRUE(g.tree.Validate(g.group_id).ok());
    for (uint32_t bad_leaf : {10U, 80U}) {
      PublicTree copy = g.tree;
      LeafNode leaf = *copy.leaf_node(LeafIndex{bad_leaf});
      leaf.signature.back() ^= 1;
      ASSERT_TRUE(copy.SetLeaf(LeafIndex{bad_leaf}, std::move(leaf)).ok());
      EXPECT_EQ(copy.Validate(g.group_id).error().code, Errc::kVerifyFailed);
    }
  }
  auto pending = CreateUpdatePath(g.tree, LeafIndex{0}, g.members[0].signature_key, g.group_id,
                                  g.members[0].leaf_node);
  ASSERT_TRUE(pending.ok());
  const Bytes gc = {9};
  auto path = EncryptUpdatePath(*pending, gc, {});
  ASSERT_TRUE(path.ok());
  size_t num_cts = 0;
  for (const auto& n : path->nodes) num_cts += n.encrypted_path_secret.size();
  EXPECT_EQ(num_cts, 99u);
  auto merged = MergeUpdatePath(g.tree, LeafIndex{0}, *path, g.group_id);
  ASSERT_TRUE(merged.ok());
  EXPECT_TRUE(merged->Validate(g.group_id).ok());
  for (uint32_t i : {1U, 50U, 63U, 64U, 99U}) {
    TreeKEMPrivateKey priv(LeafIndex{i}, g.members[i].leaf_private_key.Clone());
    auto r = DecryptUpdatePath(*merged, priv, LeafIndex{0}, *path, gc, {});
    ASSERT_TRUE(r.ok()) << i;
    EXPECT_TRUE(crypto::ConstantTimeEqual(r->commit_secret.view(), pending->commit_secret.view()));
  }
}

TEST(MlsTreeKemTest, ExternalCommitJoinsAtLeftmostBlankLeaf) {
  TestGroup g = MakeGroup(4);
  ASSERT_TRUE(g.tree.RemoveLeaf(LeafIndex{1}).ok());
  TestMember joiner = MakeMember(Suite1(), 99);
  // The joiner's view: its leaf added to the tree from the GroupInfo, then a path from it.
  PublicTree joiner_tree = g.tree;
  auto index = joiner_tree.AddLeaf(joiner.leaf_node);
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(index->value, 1u);
  auto pending =
      CreateUpdatePath(joiner_tree, *index, joiner.signature_key, g.group_id, joiner.leaf_node);
  ASSERT_TRUE(pending.ok());
  const Bytes gc = {3, 1, 4};
  auto path = EncryptUpdatePath(*pending, gc, {});
  ASSERT_TRUE(path.ok());
  auto merged = MergeExternalUpdatePath(g.tree, *path, g.group_id);
  ASSERT_TRUE(merged.ok()) << merged.error().ToString();
  EXPECT_EQ(merged->sender, *index);
  EXPECT_EQ(merged->tree.TreeHash(), pending->tree.TreeHash());
  EXPECT_TRUE(merged->tree.Validate(g.group_id).ok());
  for (uint32_t i : {0U, 2U, 3U}) {
    TreeKEMPrivateKey priv(LeafIndex{i}, g.members[i].leaf_private_key.Clone());
    auto r = DecryptUpdatePath(merged->tree, priv, merged->sender, *path, gc, {});
    ASSERT_TRUE(r.ok()) << i;
    EXPECT_TRUE(crypto::ConstantTimeEqual(r->commit_secret.view(), pending->commit_secret.view()));
  }
  // The two-step form: AddLeaf of the path's leaf, then MergeUpdatePath from it.
  PublicTree two_step = g.tree;
  ASSERT_TRUE(two_step.AddLeaf(path->leaf_node).ok());
  auto merged2 = MergeUpdatePath(two_step, *index, *path, g.group_id);
  ASSERT_TRUE(merged2.ok()) << merged2.error().ToString();
  EXPECT_EQ(merged2->TreeHash(), merged->tree.TreeHash());
  UpdatePath bad = *path;
  bad.leaf_node.signature.back() ^= 1;
  EXPECT_EQ(MergeExternalUpdatePath(g.tree, bad, g.group_id).error().code, Errc::kVerifyFailed);
}

}  // namespace
}  // namespace candor::mls
