// messages.h: the request and response structs of draft-ietf-keytrans-protocol §"User
// Operations", §"Credentials", §"Third Parties" and §"Walking Distinguished Heads", with their
// TLS encodings.
//
// Several layouts depend on the log (its deployment mode, or VRF.Np for a fixed-size VRF proof):
// those structs take a WireContext for both Decode and Encode; the others take none. Every
// decoder is strict: short input, an unknown enum value, a presence octet other than 0/1 and (with
// tls::DecodeExact / DecodeExactIn) trailing bytes are kMalformed naming the field. No decoder
// allocates from an untrusted count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/kt/cipher_suite.h"
#include "candor/kt/proofs.h"
#include "candor/kt/tree_head.h"
#include "candor/kt/update_value.h"

namespace candor::kt {

// WireContext is what a decoder must know about the log: its deployment mode and VRF.Np.
struct WireContext {
  DeploymentMode mode = DeploymentMode::contactMonitoring;
  size_t vrf_proof_size = 80;

  // For returns the context of a log with `config` (kMalformed for an unknown suite).
  static Result<WireContext> For(const Configuration& config);
  bool operator==(const WireContext&) const = default;
};

// BinaryLadderStep is `struct { opaque proof[VRF.Np]; optional<HashValue> commitment; }`.
struct BinaryLadderStep {
  Bytes proof;  // exactly ctx.vrf_proof_size bytes
  std::optional<HashValue> commitment;

  // Decode reads a BinaryLadderStep with a ctx.vrf_proof_size-byte proof.
  static Result<BinaryLadderStep> Decode(tls::Reader& r, const WireContext& ctx);
  // Encode writes the BinaryLadderStep; `proof` must be ctx.vrf_proof_size bytes (checked).
  void Encode(tls::Writer& w, const WireContext& ctx) const;
  bool operator==(const BinaryLadderStep&) const = default;
};

// SearchRequest is `struct { optional<uint64> last; opaque label<0..2^8-1>;
// optional<uint32> version; }`.
struct SearchRequest {
  std::optional<uint64_t> last;
  Bytes label;
  std::optional<uint32_t> version;

  // Decode reads a SearchRequest; kMalformed names the field on bad input.
  static Result<SearchRequest> Decode(tls::Reader& r);
  // Encode writes the SearchRequest (label at most 255 bytes, checked).
  void Encode(tls::Writer& w) const;
  bool operator==(const SearchRequest&) const = default;
};

// SearchResponse is
//   struct { FullTreeHead full_tree_head; select (SearchRequest.version) { case absent:
//     uint32 version; }; opaque opening[Nc]; UpdateValue value;
//     BinaryLadderStep binary_ladder<0..2^8-1>; CombinedTreeProof search; } SearchResponse;
// `version` is present exactly when the request carried no version.
struct SearchResponse {
  FullTreeHead full_tree_head;
  std::optional<uint32_t> version;
  Opening opening{};
  UpdateValue value;
  std::vector<BinaryLadderStep> binary_ladder;
  CombinedTreeProof search;

  // Decode reads a SearchResponse to a request that had (`request_had_version`) or lacked a
  // version; in the latter case `version` is read and set.
  static Result<SearchResponse> Decode(tls::Reader& r, const WireContext& ctx,
                                       bool request_had_version);
  // Encode writes the SearchResponse; `version` is written when set.
  void Encode(tls::Writer& w, const WireContext& ctx) const;
  bool operator==(const SearchResponse&) const = default;
};

// MonitorMapEntry is `struct { uint64 position; uint32 version; }`.
struct MonitorMapEntry {
  uint64_t position = 0;
  uint32_t version = 0;

  // Decode reads a MonitorMapEntry.
  static Result<MonitorMapEntry> Decode(tls::Reader& r);
  // Encode writes the MonitorMapEntry.
  void Encode(tls::Writer& w) const;
  bool operator==(const MonitorMapEntry&) const = default;
};

// ContactMonitorRequest is `struct { optional<uint64> last; opaque label<0..2^8-1>;
// MonitorMapEntry entries<0..2^8-1>; }`. Ordering rules are the log's to check, not the codec's.
struct ContactMonitorRequest {
  std::optional<uint64_t> last;
  Bytes label;
  std::vector<MonitorMapEntry> entries;

  // Decode reads a ContactMonitorRequest; kMalformed names the field on bad input.
  static Result<ContactMonitorRequest> Decode(tls::Reader& r);
  // Encode writes the ContactMonitorRequest (ceilings checked).
  void Encode(tls::Writer& w) const;
  bool operator==(const ContactMonitorRequest&) const = default;
};

// ContactMonitorResponse is `struct { FullTreeHead full_tree_head;
// CombinedTreeProof monitor; }`.
struct ContactMonitorResponse {
  FullTreeHead full_tree_head;
  CombinedTreeProof monitor;

  // Decode reads a ContactMonitorResponse of a log described by `ctx`.
  static Result<ContactMonitorResponse> Decode(tls::Reader& r, const WireContext& ctx);
  // Encode writes the ContactMonitorResponse.
  void Encode(tls::Writer& w, const WireContext& ctx) const;
  bool operator==(const ContactMonitorResponse&) const = default;
};

// OwnerInitRequest is `struct { optional<uint64> last; opaque label<0..2^8-1>; uint64 start; }`.
struct OwnerInitRequest {
  std::optional<uint64_t> last;
  Bytes label;
  uint64_t start = 0;

  // Decode reads an OwnerInitRequest; kMalformed names the field on bad input.
  static Result<OwnerInitRequest> Decode(tls::Reader& r);
  // Encode writes the OwnerInitRequest.
  void Encode(tls::Writer& w) const;
  bool operator==(const OwnerInitRequest&) const = default;
};

// OwnerInitResponse is `struct { FullTreeHead full_tree_head;
// uint32 greatest_versions<0..2^8-1>; BinaryLadderStep binary_ladder<0..2^16-1>;
// CombinedTreeProof init; }`.
struct OwnerInitResponse {
  FullTreeHead full_tree_head;
  std::vector<uint32_t> greatest_versions;
  std::vector<BinaryLadderStep> binary_ladder;
  CombinedTreeProof init;

  // Decode reads an OwnerInitResponse of a log described by `ctx`.
  static Result<OwnerInitResponse> Decode(tls::Reader& r, const WireContext& ctx);
  // Encode writes the OwnerInitResponse (ceilings checked).
  void Encode(tls::Writer& w, const WireContext& ctx) const;
  bool operator==(const OwnerInitResponse&) const = default;
};

// OwnerMonitorRequest is `struct { optional<uint64> last; opaque label<0..2^8-1>;
// MonitorMapEntry entries<0..2^8-1>; uint64 start; optional<uint32> greatest_version; }`.
struct OwnerMonitorRequest {
  std::optional<uint64_t> last;
  Bytes label;
  std::vector<MonitorMapEntry> entries;
  uint64_t start = 0;
  std::optional<uint32_t> greatest_version;

  // Decode reads an OwnerMonitorRequest; kMalformed names the field on bad input.
  static Result<OwnerMonitorRequest> Decode(tls::Reader& r);
  // Encode writes the OwnerMonitorRequest (ceilings checked).
  void Encode(tls::Writer& w) const;
  bool operator==(const OwnerMonitorRequest&) const = default;
};

// OwnerMonitorResponse is `struct { FullTreeHead full_tree_head; CombinedTreeProof monitor; }`.
struct OwnerMonitorResponse {
  FullTreeHead full_tree_head;
  CombinedTreeProof monitor;

  // Decode reads an OwnerMonitorResponse of a log described by `ctx`.
  static Result<OwnerMonitorResponse> Decode(tls::Reader& r, const WireContext& ctx);
  // Encode writes the OwnerMonitorResponse.
  void Encode(tls::Writer& w, const WireContext& ctx) const;
  bool operator==(const OwnerMonitorResponse&) const = default;
};

// LabelValue is `struct { opaque value<0..2^32-1>; }`.
struct LabelValue {
  Bytes value;

  // Decode reads a LabelValue.
  static Result<LabelValue> Decode(tls::Reader& r);
  // Encode writes the LabelValue.
  void Encode(tls::Writer& w) const;
  bool operator==(const LabelValue&) const = default;
};

// UpdateRequest is `struct { optional<uint64> last; opaque label<0..2^8-1>;
// optional<uint32> greatest_version; LabelValue values<0..2^8-1>; }`.
struct UpdateRequest {
  std::optional<uint64_t> last;
  Bytes label;
  std::optional<uint32_t> greatest_version;
  std::vector<LabelValue> values;

  // Decode reads an UpdateRequest; kMalformed names the field on bad input.
  static Result<UpdateRequest> Decode(tls::Reader& r);
  // Encode writes the UpdateRequest (ceilings checked).
  void Encode(tls::Writer& w) const;
  bool operator==(const UpdateRequest&) const = default;
};

// UpdateInfo is `struct { opaque opening[Nc]; UpdateSuffix suffix; }`.
struct UpdateInfo {
  Opening opening{};
  UpdateSuffix suffix;

  // Decode reads an UpdateInfo of a log described by `ctx`.
  static Result<UpdateInfo> Decode(tls::Reader& r, const WireContext& ctx);
  // Encode writes the UpdateInfo.
  void Encode(tls::Writer& w, const WireContext& ctx) const;
  bool operator==(const UpdateInfo&) const = default;
};

// UpdateResponse is
//   struct { FullTreeHead full_tree_head; uint64 position;
//     select (Configuration.mode) { case thirdPartyManagement: uint32 skipped_versions; };
//     LabelValue values<0..2^8-1>; UpdateInfo info<0..2^8-1>;
//     BinaryLadderStep binary_ladder<0..2^8-1>; CombinedTreeProof update; } UpdateResponse;
// `skipped_versions` stays 0 outside thirdPartyManagement mode.
struct UpdateResponse {
  FullTreeHead full_tree_head;
  uint64_t position = 0;
  uint32_t skipped_versions = 0;
  std::vector<LabelValue> values;
  std::vector<UpdateInfo> info;
  std::vector<BinaryLadderStep> binary_ladder;
  CombinedTreeProof update;

  // Decode reads an UpdateResponse of a log described by `ctx`.
  static Result<UpdateResponse> Decode(tls::Reader& r, const WireContext& ctx);
  // Encode writes the UpdateResponse (ceilings checked).
  void Encode(tls::Writer& w, const WireContext& ctx) const;
  bool operator==(const UpdateResponse&) const = default;
};

// ManagerUpdateRequest is `struct { optional<uint64> last; opaque label<0..2^8-1>;
// optional<uint32> greatest_version; UpdateValue values<0..2^8-1>; uint32 signed_version; }`,
// sent by the Service Operator to the Third-Party Manager.
struct ManagerUpdateRequest {
  std::optional<uint64_t> last;
  Bytes label;
  std::optional<uint32_t> greatest_version;
  std::vector<UpdateValue> values;
  uint32_t signed_version = 0;

  // Decode reads a ManagerUpdateRequest (UpdateValues encoded for ctx.mode).
  static Result<ManagerUpdateRequest> Decode(tls::Reader& r, const WireContext& ctx);
  // Encode writes the ManagerUpdateRequest (ceilings checked).
  void Encode(tls::Writer& w, const WireContext& ctx) const;
  bool operator==(const ManagerUpdateRequest&) const = default;
};

// DistinguishedRequest is `struct { optional<uint64> last; optional<uint64> stop; }`.
struct DistinguishedRequest {
  std::optional<uint64_t> last;
  std::optional<uint64_t> stop;

  // Decode reads a DistinguishedRequest; kMalformed names the field on bad input.
  static Result<DistinguishedRequest> Decode(tls::Reader& r);
  // Encode writes the DistinguishedRequest.
  void Encode(tls::Writer& w) const;
  bool operator==(const DistinguishedRequest&) const = default;
};

// DistinguishedResponse is `struct { FullTreeHead full_tree_head;
// CombinedTreeProof distinguished; }`.
struct DistinguishedResponse {
  FullTreeHead full_tree_head;
  CombinedTreeProof distinguished;

  // Decode reads a DistinguishedResponse of a log described by `ctx`.
  static Result<DistinguishedResponse> Decode(tls::Reader& r, const WireContext& ctx);
  // Encode writes the DistinguishedResponse.
  void Encode(tls::Writer& w, const WireContext& ctx) const;
  bool operator==(const DistinguishedResponse&) const = default;
};

// DistinguishedHead is `struct { HashValue heads<0..2^8-1>; }`: log root values, left to right.
struct DistinguishedHead {
  std::vector<HashValue> heads;

  // Decode reads a DistinguishedHead.
  static Result<DistinguishedHead> Decode(tls::Reader& r);
  // Encode writes the DistinguishedHead (at most 255 heads, checked).
  void Encode(tls::Writer& w) const;
  bool operator==(const DistinguishedHead&) const = default;
};

// CredentialType is `enum { reserved(0), standard(1), provisional(2), (255) }`.
enum class CredentialType : uint8_t {
  standard = 1,
  provisional = 2,
};

// Credential is
//   struct { opaque label<0..2^8-1>; uint32 version; opaque opening[Nc]; UpdateValue value;
//     BinaryLadderStep binary_ladder<0..2^8-1>; uint64 position; CredentialType credential_type;
//     select (Credential.credential_type) { case standard: PrefixProof distinguished;
//       case provisional: TreeHead tree_head; CombinedTreeProof search; }; } Credential;
// `distinguished` is meaningful only for standard, `tree_head` and `search` only for
// provisional; the others stay default.
struct Credential {
  Bytes label;
  uint32_t version = 0;
  Opening opening{};
  UpdateValue value;
  std::vector<BinaryLadderStep> binary_ladder;
  uint64_t position = 0;
  CredentialType credential_type = CredentialType::standard;
  PrefixProof distinguished;
  TreeHead tree_head;
  CombinedTreeProof search;

  // Decode reads a Credential of a log described by `ctx`; an unknown credential_type is
  // kMalformed.
  static Result<Credential> Decode(tls::Reader& r, const WireContext& ctx);
  // Encode writes the Credential (ceilings checked).
  void Encode(tls::Writer& w, const WireContext& ctx) const;
  bool operator==(const Credential&) const = default;
};

// CredentialUpdate is `struct { CombinedTreeProof monitor; }`.
struct CredentialUpdate {
  CombinedTreeProof monitor;

  // Decode reads a CredentialUpdate.
  static Result<CredentialUpdate> Decode(tls::Reader& r);
  // Encode writes the CredentialUpdate.
  void Encode(tls::Writer& w) const;
  bool operator==(const CredentialUpdate&) const = default;
};

// AuditorUpdate is `struct { uint64 timestamp; PrefixLeaf added<0..2^16-1>;
// PrefixLeaf removed<0..2^16-1>; PrefixProof proof; }`.
struct AuditorUpdate {
  uint64_t timestamp = 0;
  std::vector<PrefixLeaf> added;
  std::vector<PrefixLeaf> removed;
  PrefixProof proof;

  // Decode reads an AuditorUpdate; kMalformed names the field on bad input.
  static Result<AuditorUpdate> Decode(tls::Reader& r);
  // Encode writes the AuditorUpdate (ceilings checked).
  void Encode(tls::Writer& w) const;
  bool operator==(const AuditorUpdate&) const = default;
};

}  // namespace candor::kt
