#include "candor/kt/cipher_suite.h"

#include <string>

namespace candor::kt {

Result<CipherSuiteParams> GetCipherSuite(uint16_t suite) {
  switch (static_cast<CipherSuite>(suite)) {
    case CipherSuite::KT_128_SHA256_P256:
      return CipherSuiteParams{CipherSuite::KT_128_SHA256_P256,
                               crypto::SignatureScheme::kEcdsaSecp256r1Sha256,
                               crypto::VrfSuite::kEcvrfP256Sha256Tai, 81};
    case CipherSuite::KT_128_SHA256_Ed25519:
      return CipherSuiteParams{CipherSuite::KT_128_SHA256_Ed25519,
                               crypto::SignatureScheme::kEd25519,
                               crypto::VrfSuite::kEcvrfEdwards25519Sha512Tai, 80};
  }
  return MakeError(Errc::kMalformed, "CipherSuite: unknown value " + std::to_string(suite));
}

}  // namespace candor::kt
