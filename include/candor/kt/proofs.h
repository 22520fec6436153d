// proofs.h: the proof structures of draft-ietf-keytrans-protocol §"Tree Proofs": InclusionProof
// (log tree batch proof), PrefixProof (prefix tree batch lookup) and CombinedTreeProof, with their
// TLS encodings. Both KT cipher suites use SHA-256 and 32-byte VRF outputs, so every HashValue and
// VRF output is a Hash32.
#pragma once

#include <cstdint>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"

namespace candor::kt {

// HashValue is `opaque HashValue[Hash.Nh]` (Nh = 32 in every KT cipher suite).
using HashValue = Hash32;

// InclusionProof is `struct { HashValue elements<0..2^16-1>; }`: the balanced-subtree head
// values a verifier combines with known leaves and retained full subtrees, left to right.
struct InclusionProof {
  std::vector<HashValue> elements;

  // Decode reads an InclusionProof; kMalformed names the field on bad input.
  static Result<InclusionProof> Decode(tls::Reader& r);
  // Encode writes the InclusionProof (at most 2^16-1 elements, checked).
  void Encode(tls::Writer& w) const;
  bool operator==(const InclusionProof&) const = default;
};

// PrefixSearchResultType: inclusion(1), nonInclusionLeaf(2), nonInclusionParent(3).
enum class PrefixSearchResultType : uint8_t {
  inclusion = 1,
  nonInclusionLeaf = 2,
  nonInclusionParent = 3,
};

// PrefixLeaf is `struct { opaque vrf_output[VRF.Nh]; opaque commitment[Hash.Nh]; }`.
struct PrefixLeaf {
  Hash32 vrf_output{};
  HashValue commitment{};

  // Decode reads a PrefixLeaf; kMalformed names the field on bad input.
  static Result<PrefixLeaf> Decode(tls::Reader& r);
  // Encode writes the PrefixLeaf.
  void Encode(tls::Writer& w) const;
  bool operator==(const PrefixLeaf&) const = default;
};

// PrefixSearchResult: the terminal node of one lookup. `leaf` is meaningful only for
// nonInclusionLeaf. `depth` is the terminal node's depth (root = 0); for nonInclusionParent, the
// depth of the missing child.
struct PrefixSearchResult {
  PrefixSearchResultType result_type = PrefixSearchResultType::inclusion;
  PrefixLeaf leaf;
  uint8_t depth = 0;

  // Decode reads a PrefixSearchResult; an unknown result_type is kMalformed.
  static Result<PrefixSearchResult> Decode(tls::Reader& r);
  // Encode writes the PrefixSearchResult.
  void Encode(tls::Writer& w) const;
  bool operator==(const PrefixSearchResult&) const = default;
};

// PrefixProof is `struct { PrefixSearchResult results<0..2^8-1>; HashValue elements<0..2^16-1>; }`.
struct PrefixProof {
  std::vector<PrefixSearchResult> results;
  std::vector<HashValue> elements;

  // Decode reads a PrefixProof; kMalformed names the field on bad input.
  static Result<PrefixProof> Decode(tls::Reader& r);
  // Encode writes the PrefixProof (counts checked against the vector ceilings).
  void Encode(tls::Writer& w) const;
  bool operator==(const PrefixProof&) const = default;
};

// CombinedTreeProof is `struct { uint64 timestamps<0..2^8-1>; PrefixProof prefix_proofs<0..2^8-1>;
// HashValue prefix_roots<0..2^8-1>; InclusionProof inclusion; }`. Its fields are queues consumed in
// the order the algorithm being verified requests them (see combined_tree.h).
struct CombinedTreeProof {
  std::vector<uint64_t> timestamps;
  std::vector<PrefixProof> prefix_proofs;
  std::vector<HashValue> prefix_roots;
  InclusionProof inclusion;

  // Decode reads a CombinedTreeProof; kMalformed names the field on bad input.
  static Result<CombinedTreeProof> Decode(tls::Reader& r);
  // Encode writes the CombinedTreeProof (counts checked against the vector ceilings).
  void Encode(tls::Writer& w) const;
  bool operator==(const CombinedTreeProof&) const = default;
};

}  // namespace candor::kt
