#include "candor/mls/leaf_node_signature.h"

#include <utility>

namespace candor::mls {
namespace {

constexpr std::string_view kLeafNodeTBSLabel = "LeafNodeTBS";

}  // namespace

Bytes LeafNodeTBSBytes(const LeafNode& leaf_node, ByteView group_id, uint32_t leaf_index) {
  LeafNodeTBS tbs;
  tbs.leaf_node = leaf_node;
  tbs.leaf_node.signature.clear();
  if (leaf_node.leaf_node_source != LeafNodeSource::key_package) {
    tbs.group_id.assign(group_id.begin(), group_id.end());
    tbs.leaf_index = leaf_index;
  }
  return tls::Encode(tbs);
}

Status SignLeafNode(const CipherSuiteParams& cs, const crypto::SignaturePrivateKey& key,
                    ByteView group_id, uint32_t leaf_index, LeafNode& leaf_node) {
  if (key.public_key() != leaf_node.signature_key) {
    return MakeError(Errc::kInvalidArgument,
                     "SignLeafNode: key does not match LeafNode.signature_key");
  }
  Bytes tbs = LeafNodeTBSBytes(leaf_node, group_id, leaf_index);
  CANDOR_ASSIGN_OR_RETURN(Bytes signature, SignWithLabel(cs, key, kLeafNodeTBSLabel, tbs));
  leaf_node.signature = std::move(signature);
  return OkStatus();
}

Status VerifyLeafNode(const CipherSuiteParams& cs, const LeafNode& leaf_node, ByteView group_id,
                      uint32_t leaf_index) {
  Bytes tbs = LeafNodeTBSBytes(leaf_node, group_id, leaf_index);
  return VerifyWithLabel(cs, leaf_node.signature_key, kLeafNodeTBSLabel, tbs, leaf_node.signature);
}

}  // namespace candor::mls
