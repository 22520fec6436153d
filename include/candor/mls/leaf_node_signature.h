// leaf_node_signature.h: signing and verifying a LeafNode over its LeafNodeTBS (RFC 9420 §7.2)
// with SignWithLabel / VerifyWithLabel("LeafNodeTBS"). Thread-safe; keeps no references.
#pragma once

#include <cstdint>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/crypto/signature.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/leaf_node.h"

namespace candor::mls {

// LeafNodeTBSBytes returns the encoded LeafNodeTBS of `leaf_node` (RFC 9420 §7.2): the leaf
// without its signature, followed by `group_id` and `leaf_index` only when leaf_node_source is
// update or commit (they are ignored for key_package).
Bytes LeafNodeTBSBytes(const LeafNode& leaf_node, ByteView group_id, uint32_t leaf_index);

// SignLeafNode sets `leaf_node.signature` to SignWithLabel(key, "LeafNodeTBS", LeafNodeTBS).
// `group_id` and `leaf_index` are used as LeafNodeTBSBytes uses them. Returns kInvalidArgument
// if `key` is not of the suite's signature scheme or its public key differs from
// `leaf_node.signature_key`; `leaf_node` is unchanged on failure.
Status SignLeafNode(const CipherSuiteParams& cs, const crypto::SignaturePrivateKey& key,
                    ByteView group_id, uint32_t leaf_index, LeafNode& leaf_node);

// VerifyLeafNode checks `leaf_node.signature` over its LeafNodeTBS under
// `leaf_node.signature_key` (RFC 9420 §7.2). Every failure is kVerifyFailed.
Status VerifyLeafNode(const CipherSuiteParams& cs, const LeafNode& leaf_node, ByteView group_id,
                      uint32_t leaf_index);

}  // namespace candor::mls
