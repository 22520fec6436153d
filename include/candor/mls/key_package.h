// key_package.h: RFC 9420 §10 KeyPackage and the KeyPackageTBS signed over it. Encoding only.
#pragma once

#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/extensions.h"
#include "candor/mls/leaf_node.h"

namespace candor::mls {

// RFC 9420 §10: struct { ProtocolVersion version; CipherSuite cipher_suite;
//   HPKEPublicKey init_key; LeafNode leaf_node; Extension extensions<V>;
//   opaque signature<V>; } KeyPackage;
// version and cipher_suite take any uint16: whether they are supported is checked when the
// KeyPackage is used (§10.1), not when it is parsed.
struct KeyPackage {
  ProtocolVersion version = ProtocolVersion::mls10;
  CipherSuite cipher_suite = CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519;
  HPKEPublicKey init_key;
  LeafNode leaf_node;
  std::vector<Extension> extensions;
  Bytes signature;

  // Decode reads a KeyPackage; kMalformed names the field on bad input.
  static Result<KeyPackage> Decode(tls::Reader& r);
  // Encode writes the KeyPackage.
  void Encode(tls::Writer& w) const;
  bool operator==(const KeyPackage&) const = default;
};

// RFC 9420 §10: KeyPackageTBS is KeyPackage without `signature`.
struct KeyPackageTBS {
  ProtocolVersion version = ProtocolVersion::mls10;
  CipherSuite cipher_suite = CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519;
  HPKEPublicKey init_key;
  LeafNode leaf_node;
  std::vector<Extension> extensions;

  // Of copies every field of `kp` except the signature.
  static KeyPackageTBS Of(const KeyPackage& kp);
  // Decode reads a KeyPackageTBS; kMalformed names the field on bad input.
  static Result<KeyPackageTBS> Decode(tls::Reader& r);
  // Encode writes the to-be-signed bytes for SignWithLabel(., "KeyPackageTBS", .).
  void Encode(tls::Writer& w) const;
  bool operator==(const KeyPackageTBS&) const = default;
};

}  // namespace candor::mls
