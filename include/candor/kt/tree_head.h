// tree_head.h: the long-term log Configuration and the signed tree heads of
// draft-ietf-keytrans-protocol §"Tree Head Signature", §"Auditor Tree Head Signature" and
// §"Full Tree Head Verification": DeploymentMode, Configuration, TreeHead(TBS),
// AuditorTreeHead(TBS), FullTreeHead, with their TLS encodings and the suite's signatures.
//
// Signatures use the cipher suite's algorithm: Ed25519, or ECDSA P-256 encoded as r||s (64
// bytes, never DER). Pure functions; nothing here keeps a reference to its arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/crypto/signature.h"
#include "candor/kt/cipher_suite.h"
#include "candor/kt/proofs.h"

namespace candor::kt {

// DeploymentMode is `enum { reserved(0), contactMonitoring(1), thirdPartyManagement(2),
// thirdPartyAuditing(3), (255) }`.
enum class DeploymentMode : uint8_t {
  contactMonitoring = 1,
  thirdPartyManagement = 2,
  thirdPartyAuditing = 3,
};

// DecodeDeploymentMode reads a DeploymentMode; reserved(0) or an unknown value is kMalformed.
Result<DeploymentMode> DecodeDeploymentMode(tls::Reader& r, std::string_view field);

// Configuration is the draft's long-term log configuration:
//   struct { CipherSuite ciphersuite; DeploymentMode mode;
//     opaque signature_public_key<0..2^16-1>; opaque vrf_public_key<0..2^16-1>;
//     select (Configuration.mode) {
//       case thirdPartyManagement: opaque leaf_public_key<0..2^16-1>;
//       case thirdPartyAuditing: uint64 max_auditor_lag; uint64 auditor_start_pos;
//                                opaque auditor_public_key<0..2^16-1>; };
//     uint64 max_ahead; uint64 max_behind; uint64 reasonable_monitoring_window;
//     optional<uint64> maximum_lifetime; } Configuration;
// Fields of a mode other than `mode` are not encoded; keep them empty/zero (decoding leaves them
// so, and ValidateConfiguration requires it). Durations are milliseconds.
struct Configuration {
  CipherSuite ciphersuite = CipherSuite::KT_128_SHA256_Ed25519;
  DeploymentMode mode = DeploymentMode::contactMonitoring;
  Bytes signature_public_key;
  Bytes vrf_public_key;
  Bytes leaf_public_key;           // thirdPartyManagement only
  uint64_t max_auditor_lag = 0;    // thirdPartyAuditing only
  uint64_t auditor_start_pos = 0;  // thirdPartyAuditing only
  Bytes auditor_public_key;        // thirdPartyAuditing only
  uint64_t max_ahead = 0;
  uint64_t max_behind = 0;
  uint64_t reasonable_monitoring_window = 0;
  std::optional<uint64_t> maximum_lifetime;

  // Decode reads a Configuration. An unknown ciphersuite or mode, a bad presence octet or short
  // input is kMalformed naming the field.
  static Result<Configuration> Decode(tls::Reader& r);
  // Encode writes the Configuration (the fields of `mode` only).
  void Encode(tls::Writer& w) const;
  bool operator==(const Configuration&) const = default;
};

// ValidateConfiguration checks what the encoding cannot: the key sizes of the suite (signature
// keys: 65-byte uncompressed P-256 points or 32-byte Ed25519 keys; VRF keys: 33-byte compressed
// P-256 points or 32-byte Ed25519 keys), that the mode's keys are present and other modes'
// fields are empty/zero, reasonable_monitoring_window > 0, and maximum_lifetime >
// reasonable_monitoring_window when set. Returns kInvalidArgument naming the field.
Status ValidateConfiguration(const Configuration& config);

// TreeHead is `struct { uint64 tree_size; opaque signature<0..2^16-1>; }`.
struct TreeHead {
  uint64_t tree_size = 0;
  Bytes signature;

  // Decode reads a TreeHead; kMalformed names the field on bad input.
  static Result<TreeHead> Decode(tls::Reader& r);
  // Encode writes the TreeHead (signature at most 2^16-1 bytes, checked).
  void Encode(tls::Writer& w) const;
  bool operator==(const TreeHead&) const = default;
};

// TreeHeadTBS is `struct { Configuration config; uint64 tree_size; opaque root[Hash.Nh]; }`,
// the bytes the log (or the Third-Party Manager) signs.
struct TreeHeadTBS {
  Configuration config;
  uint64_t tree_size = 0;
  HashValue root{};

  // Decode reads a TreeHeadTBS; kMalformed names the field on bad input.
  static Result<TreeHeadTBS> Decode(tls::Reader& r);
  // Encode writes the TreeHeadTBS.
  void Encode(tls::Writer& w) const;
  bool operator==(const TreeHeadTBS&) const = default;
};

// AuditorTreeHead is `struct { uint64 timestamp; uint64 tree_size;
// opaque signature<0..2^16-1>; }`.
struct AuditorTreeHead {
  uint64_t timestamp = 0;
  uint64_t tree_size = 0;
  Bytes signature;

  // Decode reads an AuditorTreeHead; kMalformed names the field on bad input.
  static Result<AuditorTreeHead> Decode(tls::Reader& r);
  // Encode writes the AuditorTreeHead.
  void Encode(tls::Writer& w) const;
  bool operator==(const AuditorTreeHead&) const = default;
};

// AuditorTreeHeadTBS is `struct { Configuration config; uint64 timestamp; uint64 tree_size;
// opaque root[Hash.Nh]; }`, the bytes the Third-Party Auditor signs.
struct AuditorTreeHeadTBS {
  Configuration config;
  uint64_t timestamp = 0;
  uint64_t tree_size = 0;
  HashValue root{};

  // Decode reads an AuditorTreeHeadTBS; kMalformed names the field on bad input.
  static Result<AuditorTreeHeadTBS> Decode(tls::Reader& r);
  // Encode writes the AuditorTreeHeadTBS.
  void Encode(tls::Writer& w) const;
  bool operator==(const AuditorTreeHeadTBS&) const = default;
};

// FullTreeHeadType is `enum { reserved(0), same(1), updated(2), (255) }`.
enum class FullTreeHeadType : uint8_t {
  same = 1,
  updated = 2,
};

// FullTreeHead is
//   struct { FullTreeHeadType head_type;
//     select (FullTreeHead.head_type) { case updated: TreeHead tree_head;
//       select (Configuration.mode) { case thirdPartyAuditing: AuditorTreeHead auditor_tree_head;
//       };
//     }; } FullTreeHead;
// `tree_head` is meaningful only for `updated`, `auditor_tree_head` only for `updated` in
// thirdPartyAuditing mode; otherwise they stay default (decoding leaves them so).
struct FullTreeHead {
  FullTreeHeadType head_type = FullTreeHeadType::same;
  TreeHead tree_head;
  AuditorTreeHead auditor_tree_head;

  // Decode reads a FullTreeHead of a log deployed in `mode`; an unknown head_type is kMalformed.
  static Result<FullTreeHead> Decode(tls::Reader& r, DeploymentMode mode);
  // Encode writes the FullTreeHead as a log deployed in `mode` sends it.
  void Encode(tls::Writer& w, DeploymentMode mode) const;
  bool operator==(const FullTreeHead&) const = default;
};

// SuiteSign signs `message` with the suite's signature algorithm: Ed25519 as is, ECDSA P-256 as
// r||s. `key` must be a key of the suite's scheme (checked: a mismatch is a programming error).
Bytes SuiteSign(CipherSuite suite, const crypto::SignaturePrivateKey& key, ByteView message);

// SuiteVerify checks a SuiteSign signature under `public_key`. Every failure, including a
// signature of the wrong length, is kVerifyFailed.
Status SuiteVerify(CipherSuite suite, ByteView public_key, ByteView message, ByteView signature);

// SignTreeHead returns the signature over TreeHeadTBS{config, tree_size, root} by `key` (the
// Service Operator's, or the Third-Party Manager's in thirdPartyManagement mode). `key` must
// match the suite's scheme (checked).
Bytes SignTreeHead(const crypto::SignaturePrivateKey& key, const Configuration& config,
                   uint64_t tree_size, const HashValue& root);

// VerifyTreeHead checks `head.signature` over TreeHeadTBS{config, head.tree_size, root} under
// config.signature_public_key. Any failure is kVerifyFailed.
Status VerifyTreeHead(const Configuration& config, const TreeHead& head, const HashValue& root);

// SignAuditorTreeHead returns the Third-Party Auditor's signature over
// AuditorTreeHeadTBS{config, timestamp, tree_size, root}. `key` must match the suite (checked).
Bytes SignAuditorTreeHead(const crypto::SignaturePrivateKey& key, const Configuration& config,
                          uint64_t timestamp, uint64_t tree_size, const HashValue& root);

// VerifyAuditorTreeHead checks `head.signature` over AuditorTreeHeadTBS{config, head.timestamp,
// head.tree_size, root} under config.auditor_public_key. Checks the signature only (the lag and
// size rules of the draft's steps 1-3 need the caller's state). Any failure is kVerifyFailed.
Status VerifyAuditorTreeHead(const Configuration& config, const AuditorTreeHead& head,
                             const HashValue& root);

// DecodeExactIn decodes exactly one T from `wire` with `T::Decode(reader, context...)`;
// trailing bytes are kMalformed. For the KEYTRANS structs whose layout depends on the log.
template <class T, class... Context>
Result<T> DecodeExactIn(ByteView wire, const Context&... context) {
  tls::Reader r(wire);
  CANDOR_ASSIGN_OR_RETURN(T value, T::Decode(r, context...));
  CANDOR_TRY(r.ExpectEnd());
  return value;
}

// EncodeIn encodes a T with `T::Encode(writer, context...)`.
template <class T, class... Context>
Bytes EncodeIn(const T& value, const Context&... context) {
  tls::Writer w;
  value.Encode(w, context...);
  return w.Take();
}

}  // namespace candor::kt
