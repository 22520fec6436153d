// cipher_suite.h: the MLS protocol version and cipher suite code points (RFC 9420 §6, §17.1).
#pragma once

#include <cstdint>

namespace candor::mls {

// ProtocolVersion is RFC 9420 §6 `enum { reserved(0), mls10(1), (65535) } ProtocolVersion`.
enum class ProtocolVersion : uint16_t { mls10 = 1 };

// CipherSuite is RFC 9420 §17.1 `uint16 CipherSuite`; names are the registry's.
enum class CipherSuite : uint16_t {
  MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519 = 0x0001,
  MLS_128_DHKEMP256_AES128GCM_SHA256_P256 = 0x0002,
  MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519 = 0x0003,
  MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448 = 0x0004,
  MLS_256_DHKEMP521_AES256GCM_SHA512_P521 = 0x0005,
  MLS_256_DHKEMX448_CHACHA20POLY1305_SHA512_Ed448 = 0x0006,
  MLS_256_DHKEMP384_AES256GCM_SHA384_P384 = 0x0007,
};

}  // namespace candor::mls
