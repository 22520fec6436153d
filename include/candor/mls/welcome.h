// welcome.h: RFC 9420 §12.4.3.1 Welcome, EncryptedGroupSecrets, and the GroupSecrets /
// PathSecret plaintexts inside them. Encoding only: nothing is encrypted or decrypted here.
#pragma once

#include <optional>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/commit.h"
#include "candor/mls/proposals.h"

namespace candor::mls {

// RFC 9420 §12.4.3.1: struct { opaque path_secret<V>; } PathSecret;
struct PathSecret {
  SecretBytes path_secret;

  // Decode reads a PathSecret into SecretBytes; kMalformed names the field on bad input.
  static Result<PathSecret> Decode(tls::Reader& r);
  // Encode writes the PathSecret; the caller owns (and should wipe) the written bytes.
  void Encode(tls::Writer& w) const;
};

// RFC 9420 §12.4.3.1: struct { opaque joiner_secret<V>; optional<PathSecret> path_secret;
//   PreSharedKeyID psks<V>; } GroupSecrets;
// Move-only (it holds secrets); this is the HPKE plaintext of EncryptedGroupSecrets.
struct GroupSecrets {
  SecretBytes joiner_secret;
  std::optional<PathSecret> path_secret;
  std::vector<PreSharedKeyID> psks;

  // Decode reads a GroupSecrets; an optional flag other than 0/1 is kMalformed.
  static Result<GroupSecrets> Decode(tls::Reader& r);
  // Encode writes the GroupSecrets; the caller owns (and should wipe) the written bytes.
  void Encode(tls::Writer& w) const;
};

// RFC 9420 §12.4.3.1: struct { KeyPackageRef new_member;
//   HPKECiphertext encrypted_group_secrets; } EncryptedGroupSecrets;
// KeyPackageRef is `opaque HashReference<V>` (§5.2).
struct EncryptedGroupSecrets {
  Bytes new_member;
  HPKECiphertext encrypted_group_secrets;

  // Decode reads an EncryptedGroupSecrets; kMalformed names the field on bad input.
  static Result<EncryptedGroupSecrets> Decode(tls::Reader& r);
  // Encode writes the EncryptedGroupSecrets.
  void Encode(tls::Writer& w) const;
  bool operator==(const EncryptedGroupSecrets&) const = default;
};

// RFC 9420 §12.4.3.1: struct { CipherSuite cipher_suite; EncryptedGroupSecrets secrets<V>;
//   opaque encrypted_group_info<V>; } Welcome;
// cipher_suite takes any uint16 (a joiner checks it against its KeyPackage).
struct Welcome {
  CipherSuite cipher_suite = CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519;
  std::vector<EncryptedGroupSecrets> secrets;
  Bytes encrypted_group_info;

  // Decode reads a Welcome; kMalformed names the field on bad input.
  static Result<Welcome> Decode(tls::Reader& r);
  // Encode writes the Welcome.
  void Encode(tls::Writer& w) const;
  bool operator==(const Welcome&) const = default;
};

}  // namespace candor::mls
