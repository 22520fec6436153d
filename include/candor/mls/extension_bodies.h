// extension_bodies.h: the `extension_data` structs of the RFC 9420 extensions this layer
// parses: required_capabilities (§11.1), external_pub (§12.4.3.2) and external_senders
// (§12.1.8.1). Encoding only.
#pragma once

#include <cstdint>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/mls/credential.h"
#include "candor/mls/extensions.h"
#include "candor/mls/leaf_node.h"

namespace candor::mls {

// RFC 9420 §11.1: struct { ExtensionType extension_types<V>; ProposalType proposal_types<V>;
//   CredentialType credential_types<V>; } RequiredCapabilities;
// Every list takes any uint16; whether the group supports them is a processing check.
struct RequiredCapabilities {
  std::vector<ExtensionType> extension_types;
  std::vector<uint16_t> proposal_types;
  std::vector<uint16_t> credential_types;

  // Decode reads a RequiredCapabilities; kMalformed names the field on bad input.
  static Result<RequiredCapabilities> Decode(tls::Reader& r);
  // Encode writes the RequiredCapabilities.
  void Encode(tls::Writer& w) const;
  bool operator==(const RequiredCapabilities&) const = default;
};

// RFC 9420 §12.4.3.2: struct { HPKEPublicKey external_pub; } ExternalPub;
struct ExternalPub {
  HPKEPublicKey external_pub;

  // Decode reads an ExternalPub; kMalformed names the field on bad input.
  static Result<ExternalPub> Decode(tls::Reader& r);
  // Encode writes the ExternalPub.
  void Encode(tls::Writer& w) const;
  bool operator==(const ExternalPub&) const = default;
};

// RFC 9420 §12.1.8.1: struct { SignaturePublicKey signature_key; Credential credential; }
// ExternalSender;
struct ExternalSender {
  SignaturePublicKey signature_key;
  Credential credential;

  // Decode reads an ExternalSender; kMalformed names the field on bad input.
  static Result<ExternalSender> Decode(tls::Reader& r);
  // Encode writes the ExternalSender.
  void Encode(tls::Writer& w) const;
  bool operator==(const ExternalSender&) const = default;
};

// RFC 9420 §12.1.8.1: ExternalSender external_senders<V>; (the extension_data of
// external_senders).
struct ExternalSenders {
  std::vector<ExternalSender> external_senders;

  // Decode reads the external_senders list; kMalformed names the field on bad input.
  static Result<ExternalSenders> Decode(tls::Reader& r);
  // Encode writes the external_senders list.
  void Encode(tls::Writer& w) const;
  bool operator==(const ExternalSenders&) const = default;
};

}  // namespace candor::mls
