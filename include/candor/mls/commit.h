// commit.h: RFC 9420 §12.4 Commit with ProposalOrRef, and the §7.6 UpdatePath it may carry
// (HPKECiphertext, UpdatePathNode). Encoding only.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/mls/leaf_node.h"
#include "candor/mls/proposals.h"

namespace candor::mls {

// RFC 9420 §7.6: struct { opaque kem_output<V>; opaque ciphertext<V>; } HPKECiphertext;
struct HPKECiphertext {
  Bytes kem_output;
  Bytes ciphertext;

  // Decode reads an HPKECiphertext; kMalformed names the field on bad input.
  static Result<HPKECiphertext> Decode(tls::Reader& r);
  // Encode writes the HPKECiphertext.
  void Encode(tls::Writer& w) const;
  bool operator==(const HPKECiphertext&) const = default;
};

// RFC 9420 §7.6: struct { HPKEPublicKey encryption_key;
//   HPKECiphertext encrypted_path_secret<V>; } UpdatePathNode;
struct UpdatePathNode {
  HPKEPublicKey encryption_key;
  std::vector<HPKECiphertext> encrypted_path_secret;

  // Decode reads an UpdatePathNode; kMalformed names the field on bad input.
  static Result<UpdatePathNode> Decode(tls::Reader& r);
  // Encode writes the UpdatePathNode.
  void Encode(tls::Writer& w) const;
  bool operator==(const UpdatePathNode&) const = default;
};

// RFC 9420 §7.6: struct { LeafNode leaf_node; UpdatePathNode nodes<V>; } UpdatePath;
struct UpdatePath {
  LeafNode leaf_node;
  std::vector<UpdatePathNode> nodes;

  // Decode reads an UpdatePath; kMalformed names the field on bad input.
  static Result<UpdatePath> Decode(tls::Reader& r);
  // Encode writes the UpdatePath.
  void Encode(tls::Writer& w) const;
  bool operator==(const UpdatePath&) const = default;
};

// RFC 9420 §12.4: enum { reserved(0), proposal(1), reference(2), (255) } ProposalOrRefType;
enum class ProposalOrRefType : uint8_t { proposal = 1, reference = 2 };

// ProposalRef is RFC 9420 §5.2 `opaque HashReference<V>` (MakeProposalRef output).
struct ProposalRef {
  Bytes value;
  bool operator==(const ProposalRef&) const = default;
};

// RFC 9420 §12.4: struct { ProposalOrRefType type; select (ProposalOrRef.type) {
//   case proposal: Proposal proposal; case reference: ProposalRef reference; }; } ProposalOrRef;
struct ProposalOrRef {
  std::variant<Proposal, ProposalRef> value;  // the alternative is the type

  // type is the ProposalOrRefType the alternative stands for.
  ProposalOrRefType type() const {
    return std::holds_alternative<Proposal>(value) ? ProposalOrRefType::proposal
                                                   : ProposalOrRefType::reference;
  }

  // Decode reads a ProposalOrRef; an unknown type is kMalformed.
  static Result<ProposalOrRef> Decode(tls::Reader& r);
  // Encode writes the ProposalOrRef.
  void Encode(tls::Writer& w) const;
  bool operator==(const ProposalOrRef&) const = default;
};

// RFC 9420 §12.4: struct { ProposalOrRef proposals<V>; optional<UpdatePath> path; } Commit;
// Memory: a reference takes 2 wire bytes but one ProposalOrRef (about 420 bytes on x86-64) in
// memory, so callers must bound the size of untrusted input before decoding it.
struct Commit {
  std::vector<ProposalOrRef> proposals;
  std::optional<UpdatePath> path;

  // Decode reads a Commit; an optional flag other than 0/1 is kMalformed.
  static Result<Commit> Decode(tls::Reader& r);
  // Encode writes the Commit.
  void Encode(tls::Writer& w) const;
  bool operator==(const Commit&) const = default;
};

}  // namespace candor::mls
