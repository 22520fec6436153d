// RFC 9420 §7 ratchet tree (PublicTree) against the official tree-validation.json (per-node
// tree hashes and resolutions, parent hashes, leaf signatures) and tree-operations.json (Add,
// Update, Remove) vectors, plus negative validation tests and leaf signature round trips.
#include "candor/mls/ratchet_tree.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "candor/mls/leaf_node_signature.h"
#include "candor/mls/proposals.h"
#include "schedule_test_util.h"

namespace candor::mls {
namespace {

using testing::Hex;
using testing::json;
using testing::Same;

Result<PublicTree> LoadTree(const CipherSuiteParams& cs, const json& field) {
  const Bytes wire = Hex(field);
  CANDOR_ASSIGN_OR_RETURN(RatchetTree rt, tls::DecodeExact<RatchetTree>(wire));
  return PublicTree::FromRatchetTree(cs, std::move(rt));
}

TEST(MlsRatchetTreeTest, TreeValidationVectors) {
  const json cases = testing::LoadVectors("tree-validation.json");
  testing::Tally tally("tree-validation.json");
  size_t num_node_checks = 0;
  for (const json& c : cases) {
    const CipherSuiteParams* cs = testing::Suite(c);
    ASSERT_NE(cs, nullptr);
    auto tree = LoadTree(*cs, c.at("tree"));
    ASSERT_TRUE(tree.ok()) << tree.error().ToString();
    bool ok = true;
    const json& hashes = c.at("tree_hashes");
    const json& resolutions = c.at("resolutions");
    ok = hashes.size() == tree->num_nodes() && resolutions.size() == tree->num_nodes() && ok;
    for (uint32_t i = 0; i < hashes.size() && i < tree->num_nodes(); ++i) {
      ok =
          Same(tree->NodeTreeHash(NodeIndex{i}), hashes[i], "tree hash " + std::to_string(i)) && ok;
      std::vector<uint32_t> want = resolutions[i].get<std::vector<uint32_t>>();
      std::vector<uint32_t> got;
      for (NodeIndex n : tree->Resolution(NodeIndex{i})) got.push_back(n.value);
      EXPECT_EQ(got, want) << "resolution " << i;
      ok = got == want && ok;
      ++num_node_checks;
    }
    Status parent_hashes = tree->VerifyParentHashes();
    EXPECT_TRUE(parent_hashes.ok());
    Status valid = tree->Validate(Hex(c.at("group_id")));
    EXPECT_TRUE(valid.ok()) << valid.error().ToString();
    ok = ok && parent_hashes.ok() && valid.ok();
    // Round trip through the extension body.
    ok = tls::Encode(tree->ToRatchetTree()) == Hex(c.at("tree")) && ok;
    tally.Add(static_cast<uint16_t>(cs->suite), ok);
  }
  std::printf("tree-validation.json: %zu node hash/resolution checks\n", num_node_checks);
  tally.Report();
  ASSERT_GT(tally.run(), 0u);
}

TEST(MlsRatchetTreeTest, TreeOperationsVectors) {
  const json cases = testing::LoadVectors("tree-operations.json");
  testing::Tally tally("tree-operations.json");
  for (const json& c : cases) {
    const CipherSuiteParams* cs = testing::Suite(c);
    ASSERT_NE(cs, nullptr);
    auto tree = LoadTree(*cs, c.at("tree_before"));
    ASSERT_TRUE(tree.ok()) << tree.error().ToString();
    bool ok = Same(tree->TreeHash(), c.at("tree_hash_before"), "tree_hash_before");
    auto proposal = tls::DecodeExact<Proposal>(Hex(c.at("proposal")));
    ASSERT_TRUE(proposal.ok()) << proposal.error().ToString();
    const auto sender = c.at("proposal_sender").get<uint32_t>();
    Status applied = OkStatus();
    if (auto* add = std::get_if<Add>(&proposal->proposal)) {
      auto index = tree->AddLeaf(add->key_package.leaf_node);
      applied = index.ok() ? OkStatus() : Status(index.error());
    } else if (auto* update = std::get_if<Update>(&proposal->proposal)) {
      applied = tree->UpdateLeaf(LeafIndex{sender}, update->leaf_node);
    } else if (auto* remove = std::get_if<Remove>(&proposal->proposal)) {
      applied = tree->RemoveLeaf(LeafIndex{remove->removed});
    } else {
      ADD_FAILURE() << "unexpected proposal type";
    }
    EXPECT_TRUE(applied.ok());
    ok = ok && applied.ok();
    ok = Same(tree->TreeHash(), c.at("tree_hash_after"), "tree_hash_after") && ok;
    ok = Same(tls::Encode(tree->ToRatchetTree()), c.at("tree_after"), "tree_after") && ok;
    tally.Add(static_cast<uint16_t>(cs->suite), ok);
  }
  tally.Report();
  ASSERT_GT(tally.run(), 0u);
}

// A valid suite-1 tree from the vectors, with at least one non-blank parent node.
struct Fixture {
  const CipherSuiteParams* cs = nullptr;
  RatchetTree wire;
  Bytes group_id;
};

Fixture ValidTreeWithParents() {
  const json cases = testing::LoadVectors("tree-validation.json");
  for (const json& c : cases) {
    if (c.at("cipher_suite").get<uint16_t>() != 1) continue;
    auto rt = tls::DecodeExact<RatchetTree>(Hex(c.at("tree")));
    if (!rt.ok()) continue;
    size_t num_parents = 0;
    size_t num_unmerged = 0;
    for (const auto& n : rt->nodes) {
      if (n && n->node_type() == NodeType::parent) {
        ++num_parents;
        num_unmerged += std::get<ParentNode>(n->node).unmerged_leaves.size();
      }
    }
    if (num_parents >= 2 && num_unmerged >= 2) {
      return {testing::Suite(c), std::move(*rt), Hex(c.at("group_id"))};
    }
  }
  return {};
}

// ExpectRejected builds the tree from `wire` and checks Validate fails with `code`, and that
// the tree is unchanged by the failed validation.
void ExpectRejected(const Fixture& f, const RatchetTree& wire, Errc code) {
  auto tree = PublicTree::FromRatchetTree(*f.cs, wire);
  ASSERT_TRUE(tree.ok());
  const Bytes hash_before = tree->TreeHash();
  Status s = tree->Validate(f.group_id);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, code) << s.error().ToString();
  EXPECT_EQ(tree->TreeHash(), hash_before);
  EXPECT_EQ(tree->ToRatchetTree(), wire);
}

TEST(MlsRatchetTreeTest, ValidateRejectsBrokenTrees) {
  const Fixture f = ValidTreeWithParents();
  ASSERT_NE(f.cs, nullptr) << "no suite-1 tree with parents and unmerged leaves in the vectors";
  {
    auto tree = PublicTree::FromRatchetTree(*f.cs, f.wire);
    ASSERT_TRUE(tree.ok());
    ASSERT_TRUE(tree->Validate(f.group_id).ok());
  }
  size_t first_parent = 0;
  size_t first_leaf = 0;
  size_t second_leaf = 0;
  size_t parent_with_unmerged = 0;
  for (size_t i = 0; i < f.wire.nodes.size(); ++i) {
    const auto& n = f.wire.nodes[i];
    if (!n) continue;
    if (n->node_type() == NodeType::parent) {
      if (first_parent == 0) first_parent = i;
      if (parent_with_unmerged == 0 && !std::get<ParentNode>(n->node).unmerged_leaves.empty()) {
        parent_with_unmerged = i;
      }
    } else if (i != first_leaf && second_leaf == 0) {
      second_leaf = i;
    }
  }
  ASSERT_NE(first_parent, 0u);
  ASSERT_NE(second_leaf, 0u);
  ASSERT_TRUE(f.wire.nodes[first_leaf].has_value());

  // Broken parent hash.
  RatchetTree t = f.wire;
  std::get<ParentNode>(t.nodes[first_parent]->node).parent_hash.push_back(0);
  ExpectRejected(f, t, Errc::kVerifyFailed);

  // Bad leaf signature.
  t = f.wire;
  std::get<LeafNode>(t.nodes[first_leaf]->node).signature.back() ^= 1;
  ExpectRejected(f, t, Errc::kVerifyFailed);

  // Duplicate encryption key (leaf 2's key copied into the other leaf; the signature would
  // also fail, but the structural check comes first).
  t = f.wire;
  std::get<LeafNode>(t.nodes[second_leaf]->node).encryption_key =
      std::get<LeafNode>(t.nodes[first_leaf]->node).encryption_key;
  ExpectRejected(f, t, Errc::kMalformed);

  // Duplicate signature key.
  t = f.wire;
  std::get<LeafNode>(t.nodes[second_leaf]->node).signature_key =
      std::get<LeafNode>(t.nodes[first_leaf]->node).signature_key;
  ExpectRejected(f, t, Errc::kMalformed);

  if (parent_with_unmerged != 0) {
    auto& unmerged = std::get<ParentNode>(f.wire.nodes[parent_with_unmerged]->node).unmerged_leaves;
    // Unsorted (duplicated) unmerged leaves.
    t = f.wire;
    auto& u = std::get<ParentNode>(t.nodes[parent_with_unmerged]->node).unmerged_leaves;
    u.push_back(unmerged.front());
    ExpectRejected(f, t, Errc::kMalformed);
    // A leaf outside the subtree.
    t = f.wire;
    std::get<ParentNode>(t.nodes[parent_with_unmerged]->node).unmerged_leaves = {
        static_cast<uint32_t>(f.wire.nodes.size())};
    ExpectRejected(f, t, Errc::kMalformed);
    // A missing unmerged leaf changes the resolution, so the parent hash chain breaks.
    t = f.wire;
    std::get<ParentNode>(t.nodes[parent_with_unmerged]->node).unmerged_leaves.clear();
    auto tree = PublicTree::FromRatchetTree(*f.cs, t);
    ASSERT_TRUE(tree.ok());
    EXPECT_FALSE(tree->Validate(f.group_id).ok());
  }
}

TEST(MlsRatchetTreeTest, FromRatchetTreeRejectsBadStructure) {
  const Fixture f = ValidTreeWithParents();
  ASSERT_NE(f.cs, nullptr);
  RatchetTree t = f.wire;
  t.nodes.push_back(std::nullopt);  // even count
  EXPECT_EQ(PublicTree::FromRatchetTree(*f.cs, t).error().code, Errc::kMalformed);
  t.nodes.push_back(std::nullopt);  // odd count, blank last node
  EXPECT_EQ(PublicTree::FromRatchetTree(*f.cs, t).error().code, Errc::kMalformed);
  t = f.wire;
  std::swap(t.nodes[0], t.nodes[1]);  // a parent at a leaf index
  if (t.nodes[0] && t.nodes[0]->node_type() == NodeType::parent) {
    EXPECT_EQ(PublicTree::FromRatchetTree(*f.cs, t).error().code, Errc::kMalformed);
  }
  EXPECT_EQ(PublicTree::FromRatchetTree(*f.cs, RatchetTree{}).error().code, Errc::kMalformed);
}

TEST(MlsRatchetTreeTest, AddUpdateRemoveKeepsHashesConsistent) {
  const Fixture f = ValidTreeWithParents();
  ASSERT_NE(f.cs, nullptr);
  auto tree = PublicTree::FromRatchetTree(*f.cs, f.wire);
  ASSERT_TRUE(tree.ok());
  const LeafNode* leaf0 = tree->leaf_node(LeafIndex{0});
  ASSERT_NE(leaf0, nullptr);
  LeafNode copy = *leaf0;
  PublicTree before = *tree;
  auto added = tree->AddLeaf(copy);
  ASSERT_TRUE(added.ok());
  // The incrementally maintained hash equals a from-scratch hash.
  auto rebuilt = PublicTree::FromRatchetTree(*f.cs, tree->ToRatchetTree());
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ(rebuilt->TreeHash(), tree->TreeHash());
  ASSERT_TRUE(tree->RemoveLeaf(*added).ok());
  EXPECT_EQ(before.num_leaves(), tree->num_leaves());
  EXPECT_FALSE(tree->RemoveLeaf(*added).ok());
  EXPECT_EQ(tree->UpdateLeaf(LeafIndex{tree->num_leaves()}, copy).error().code,
            Errc::kInvalidArgument);
}

TEST(MlsLeafNodeSignatureTest, SignVerifyRoundTrip) {
  const CipherSuiteParams* cs =
      *GetCipherSuiteParams(CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519);
  auto key = crypto::SignaturePrivateKey::Generate(cs->signature);
  LeafNode leaf;
  leaf.signature_key = key.public_key();
  leaf.leaf_node_source = LeafNodeSource::update;
  const Bytes group_id = {1, 2, 3};
  ASSERT_TRUE(SignLeafNode(*cs, key, group_id, 5, leaf).ok());
  EXPECT_TRUE(VerifyLeafNode(*cs, leaf, group_id, 5).ok());
  EXPECT_EQ(VerifyLeafNode(*cs, leaf, group_id, 4).error().code, Errc::kVerifyFailed);
  EXPECT_EQ(VerifyLeafNode(*cs, leaf, Bytes{1, 2}, 5).error().code, Errc::kVerifyFailed);
  auto other = crypto::SignaturePrivateKey::Generate(cs->signature);
  EXPECT_EQ(SignLeafNode(*cs, other, group_id, 5, leaf).error().code, Errc::kInvalidArgument);
}

}  // namespace
}  // namespace candor::mls
