// group_context.h: RFC 9420 §8.1 GroupContext. Encoding only.
#pragma once

#include <cstdint>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/extensions.h"

namespace candor::mls {

// RFC 9420 §8.1: struct { ProtocolVersion version = mls10; CipherSuite cipher_suite;
//   opaque group_id<V>; uint64 epoch; opaque tree_hash<V>;
//   opaque confirmed_transcript_hash<V>; Extension extensions<V>; } GroupContext;
// version must be mls10; cipher_suite takes any uint16 (checked against the group's suite).
struct GroupContext {
  ProtocolVersion version = ProtocolVersion::mls10;
  CipherSuite cipher_suite = CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519;
  Bytes group_id;
  uint64_t epoch = 0;
  Bytes tree_hash;
  Bytes confirmed_transcript_hash;
  std::vector<Extension> extensions;

  // Decode reads a GroupContext; a version other than mls10 is kMalformed.
  static Result<GroupContext> Decode(tls::Reader& r);
  // Encode writes the GroupContext.
  void Encode(tls::Writer& w) const;
  bool operator==(const GroupContext&) const = default;
};

}  // namespace candor::mls
