// proposals.h: RFC 9420 §12.1 proposals (Add, Update, Remove, PreSharedKey, ReInit,
// ExternalInit, GroupContextExtensions), the §8.4 PreSharedKeyID, and Proposal. Encoding only.
#pragma once

#include <cstdint>
#include <variant>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/extensions.h"
#include "candor/mls/key_package.h"
#include "candor/mls/leaf_node.h"

namespace candor::mls {

// RFC 9420 §8.4: enum { reserved(0), external(1), resumption(2), (255) } PSKType;
enum class PSKType : uint8_t { external = 1, resumption = 2 };

// RFC 9420 §8.4: enum { reserved(0), application(1), reinit(2), branch(3), (255) }
// ResumptionPSKUsage;
enum class ResumptionPSKUsage : uint8_t { application = 1, reinit = 2, branch = 3 };

// RFC 9420 §8.4: struct { PSKType psktype; select (PreSharedKeyID.psktype) {
//   case external: opaque psk_id<V>;
//   case resumption: ResumptionPSKUsage usage; opaque psk_group_id<V>; uint64 psk_epoch; };
//   opaque psk_nonce<V>; } PreSharedKeyID;
struct PreSharedKeyID {
  PSKType psktype = PSKType::external;
  Bytes psk_id;                                                // external only
  ResumptionPSKUsage usage = ResumptionPSKUsage::application;  // resumption only
  Bytes psk_group_id;                                          // resumption only
  uint64_t psk_epoch = 0;                                      // resumption only
  Bytes psk_nonce;

  // Decode reads a PreSharedKeyID; an unknown psktype or usage is kMalformed.
  static Result<PreSharedKeyID> Decode(tls::Reader& r);
  // Encode writes the PreSharedKeyID; only the members psktype selects.
  void Encode(tls::Writer& w) const;
  bool operator==(const PreSharedKeyID&) const = default;
};

// RFC 9420 §12.1.1: struct { KeyPackage key_package; } Add;
struct Add {
  KeyPackage key_package;

  // Decode reads an Add; kMalformed names the field on bad input.
  static Result<Add> Decode(tls::Reader& r);
  // Encode writes the Add.
  void Encode(tls::Writer& w) const;
  bool operator==(const Add&) const = default;
};

// RFC 9420 §12.1.2: struct { LeafNode leaf_node; } Update;
struct Update {
  LeafNode leaf_node;

  // Decode reads an Update; kMalformed names the field on bad input.
  static Result<Update> Decode(tls::Reader& r);
  // Encode writes the Update.
  void Encode(tls::Writer& w) const;
  bool operator==(const Update&) const = default;
};

// RFC 9420 §12.1.3: struct { uint32 removed; } Remove;
struct Remove {
  uint32_t removed = 0;

  // Decode reads a Remove; kMalformed if truncated.
  static Result<Remove> Decode(tls::Reader& r);
  // Encode writes the Remove.
  void Encode(tls::Writer& w) const;
  bool operator==(const Remove&) const = default;
};

// RFC 9420 §12.1.4: struct { PreSharedKeyID psk; } PreSharedKey;
struct PreSharedKey {
  PreSharedKeyID psk;

  // Decode reads a PreSharedKey; kMalformed names the field on bad input.
  static Result<PreSharedKey> Decode(tls::Reader& r);
  // Encode writes the PreSharedKey.
  void Encode(tls::Writer& w) const;
  bool operator==(const PreSharedKey&) const = default;
};

// RFC 9420 §12.1.5: struct { opaque group_id<V>; ProtocolVersion version;
//   CipherSuite cipher_suite; Extension extensions<V>; } ReInit;
// version and cipher_suite take any uint16 (checked when the proposal is applied).
struct ReInit {
  Bytes group_id;
  ProtocolVersion version = ProtocolVersion::mls10;
  CipherSuite cipher_suite = CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519;
  std::vector<Extension> extensions;

  // Decode reads a ReInit; kMalformed names the field on bad input.
  static Result<ReInit> Decode(tls::Reader& r);
  // Encode writes the ReInit.
  void Encode(tls::Writer& w) const;
  bool operator==(const ReInit&) const = default;
};

// RFC 9420 §12.1.6: struct { opaque kem_output<V>; } ExternalInit;
struct ExternalInit {
  Bytes kem_output;

  // Decode reads an ExternalInit; kMalformed names the field on bad input.
  static Result<ExternalInit> Decode(tls::Reader& r);
  // Encode writes the ExternalInit.
  void Encode(tls::Writer& w) const;
  bool operator==(const ExternalInit&) const = default;
};

// RFC 9420 §12.1.7: struct { Extension extensions<V>; } GroupContextExtensions;
struct GroupContextExtensions {
  std::vector<Extension> extensions;

  // Decode reads a GroupContextExtensions; kMalformed names the field on bad input.
  static Result<GroupContextExtensions> Decode(tls::Reader& r);
  // Encode writes the GroupContextExtensions.
  void Encode(tls::Writer& w) const;
  bool operator==(const GroupContextExtensions&) const = default;
};

// RFC 9420 §12.1: `uint16 ProposalType`, the values this layer can decode. GREASE and other
// unknown values may not appear in Proposal.proposal_type (§13.5) and are kMalformed there.
enum class ProposalType : uint16_t {
  add = 1,
  update = 2,
  remove = 3,
  psk = 4,
  reinit = 5,
  external_init = 6,
  group_context_extensions = 7,
};

// RFC 9420 §12.1: struct { ProposalType proposal_type; select (Proposal.proposal_type) {
//   case add: Add; case update: Update; case remove: Remove; case psk: PreSharedKey;
//   case reinit: ReInit; case external_init: ExternalInit;
//   case group_context_extensions: GroupContextExtensions; }; } Proposal;
struct Proposal {
  // The alternative is the proposal_type, in ProposalType order.
  std::variant<Add, Update, Remove, PreSharedKey, ReInit, ExternalInit, GroupContextExtensions>
      proposal;

  // proposal_type is the ProposalType the alternative stands for.
  ProposalType proposal_type() const;

  // Decode reads a Proposal; an unknown proposal_type is kMalformed.
  static Result<Proposal> Decode(tls::Reader& r);
  // Encode writes the Proposal.
  void Encode(tls::Writer& w) const;
  bool operator==(const Proposal&) const = default;
};

}  // namespace candor::mls
