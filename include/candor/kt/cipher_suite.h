// cipher_suite.h: KEYTRANS cipher suites (draft-ietf-keytrans-protocol §"KT Cipher Suites"):
// KT_128_SHA256_P256 and KT_128_SHA256_Ed25519, and the parameters every computation reads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "candor/base/result.h"
#include "candor/crypto/signature.h"
#include "candor/crypto/vrf.h"

namespace candor::kt {

// CipherSuite is the draft's `uint16 CipherSuite`.
enum class CipherSuite : uint16_t {
  KT_128_SHA256_P256 = 0x0001,
  KT_128_SHA256_Ed25519 = 0x0002,
};

// Parameters shared by both suites: SHA-256 (Hash.Nh = 32), Nc = 16, VRF.Nh = 32.
inline constexpr size_t kHashSize = 32;
inline constexpr size_t kOpeningSize = 16;
inline constexpr size_t kVrfOutputSize = 32;
// kCommitmentKey is Kc, the HMAC key of every commitment (hex d821f8790d97709796b4d7903357c3f5).
inline constexpr std::array<uint8_t, 16> kCommitmentKey = {
    0xd8, 0x21, 0xf8, 0x79, 0x0d, 0x97, 0x70, 0x97, 0x96, 0xb4, 0xd7, 0x90, 0x33, 0x57, 0xc3, 0xf5};

// CipherSuiteParams is what differs between the suites.
struct CipherSuiteParams {
  CipherSuite suite;
  crypto::SignatureScheme signature;  // ECDSA P-256 (r||s encoding) or Ed25519
  crypto::VrfSuite vrf;
  size_t vrf_proof_size;  // VRF.Np: 81 for P-256, 80 for Ed25519
};

// GetCipherSuite returns the parameters of `suite`; an unknown or reserved value is kMalformed.
Result<CipherSuiteParams> GetCipherSuite(uint16_t suite);

}  // namespace candor::kt
