// leaf_node.h: RFC 9420 §7.2 LeafNode with its Capabilities and Lifetime, and the LeafNodeTBS
// signed over it. Encoding only: signatures are neither made nor checked here.
#pragma once

#include <cstdint>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/credential.h"
#include "candor/mls/extensions.h"

namespace candor::mls {

// HPKEPublicKey and SignaturePublicKey are RFC 9420 §5.1.1 `opaque ...<V>`.
using HPKEPublicKey = Bytes;
using SignaturePublicKey = Bytes;

// RFC 9420 §7.2: enum { reserved(0), key_package(1), update(2), commit(3), (255) }
// LeafNodeSource; other values are kMalformed when decoded.
enum class LeafNodeSource : uint8_t { key_package = 1, update = 2, commit = 3 };

// RFC 9420 §7.2: struct { ProtocolVersion versions<V>; CipherSuite cipher_suites<V>;
//   ExtensionType extensions<V>; ProposalType proposals<V>; CredentialType credentials<V>;
// } Capabilities;
// Every list takes any uint16 (unknown and GREASE values are legal here), so the
// ProposalType and CredentialType lists are plain uint16.
struct Capabilities {
  std::vector<ProtocolVersion> versions;
  std::vector<CipherSuite> cipher_suites;
  std::vector<ExtensionType> extensions;
  std::vector<uint16_t> proposals;
  std::vector<uint16_t> credentials;

  // Decode reads Capabilities; kMalformed names the field on bad input.
  static Result<Capabilities> Decode(tls::Reader& r);
  // Encode writes the Capabilities.
  void Encode(tls::Writer& w) const;
  bool operator==(const Capabilities&) const = default;
};

// RFC 9420 §7.2: struct { uint64 not_before; uint64 not_after; } Lifetime;
struct Lifetime {
  uint64_t not_before = 0;
  uint64_t not_after = 0;

  // Decode reads a Lifetime; kMalformed if truncated.
  static Result<Lifetime> Decode(tls::Reader& r);
  // Encode writes the Lifetime.
  void Encode(tls::Writer& w) const;
  bool operator==(const Lifetime&) const = default;
};

// RFC 9420 §7.2: struct { HPKEPublicKey encryption_key; SignaturePublicKey signature_key;
//   Credential credential; Capabilities capabilities; LeafNodeSource leaf_node_source;
//   select (LeafNode.leaf_node_source) { case key_package: Lifetime lifetime;
//     case update: struct{}; case commit: opaque parent_hash<V>; };
//   Extension extensions<V>; opaque signature<V>; } LeafNode;
struct LeafNode {
  HPKEPublicKey encryption_key;
  SignaturePublicKey signature_key;
  Credential credential;
  Capabilities capabilities;
  LeafNodeSource leaf_node_source = LeafNodeSource::key_package;
  Lifetime lifetime;  // key_package only
  Bytes parent_hash;  // commit only
  std::vector<Extension> extensions;
  Bytes signature;

  // Decode reads a LeafNode; an unknown leaf_node_source or credential type is kMalformed.
  static Result<LeafNode> Decode(tls::Reader& r);
  // Encode writes the LeafNode; lifetime / parent_hash only as leaf_node_source selects.
  void Encode(tls::Writer& w) const;
  bool operator==(const LeafNode&) const = default;
};

// RFC 9420 §7.2: LeafNodeTBS is LeafNode without `signature`, followed for the update and
// commit sources by `opaque group_id<V>; uint32 leaf_index;`.
struct LeafNodeTBS {
  LeafNode leaf_node;       // `signature` is ignored by Encode and left empty by Decode
  Bytes group_id;           // update and commit only
  uint32_t leaf_index = 0;  // update and commit only

  // Decode reads a LeafNodeTBS; kMalformed names the field on bad input.
  static Result<LeafNodeTBS> Decode(tls::Reader& r);
  // Encode writes the to-be-signed bytes for SignWithLabel(., "LeafNodeTBS", .).
  void Encode(tls::Writer& w) const;
  bool operator==(const LeafNodeTBS&) const = default;
};

}  // namespace candor::mls
