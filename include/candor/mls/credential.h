// credential.h: RFC 9420 §5.3 Credential (basic, and x509 as an opaque certificate chain).
// Encoding only: no certificate parsing or validation happens here.
#pragma once

#include <cstdint>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"

namespace candor::mls {

// CredentialType is RFC 9420 §5.3 `uint16 CredentialType` ("MLS Credential Types" registry).
// A Credential carries only the values below; Capabilities may list any uint16.
enum class CredentialType : uint16_t { basic = 1, x509 = 2 };

// RFC 9420 §5.3: struct { opaque cert_data<V>; } Certificate;
struct Certificate {
  Bytes cert_data;  // one DER X.509 certificate, not parsed

  // Decode reads a Certificate; kMalformed names the field on bad input.
  static Result<Certificate> Decode(tls::Reader& r);
  // Encode writes the Certificate.
  void Encode(tls::Writer& w) const;
  bool operator==(const Certificate&) const = default;
};

// RFC 9420 §5.3: struct { CredentialType credential_type;
//   select (Credential.credential_type) { case basic: opaque identity<V>;
//                                         case x509: Certificate certificates<V>; }; } Credential;
struct Credential {
  CredentialType credential_type = CredentialType::basic;
  Bytes identity;                         // basic only
  std::vector<Certificate> certificates;  // x509 only, end-entity first

  // Decode reads a Credential; an unknown credential_type is kMalformed (its body cannot be
  // delimited).
  static Result<Credential> Decode(tls::Reader& r);
  // Encode writes the Credential; only the member selected by credential_type is written.
  void Encode(tls::Writer& w) const;
  bool operator==(const Credential&) const = default;
};

}  // namespace candor::mls
