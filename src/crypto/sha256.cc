// The low-level SHA256_* API is deprecated in OpenSSL 3 but is several times faster than EVP for
// the 65-byte messages Merkle hashing produces, so we use it on purpose.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "candor/crypto/sha256.h"

#include <openssl/sha.h>

namespace candor::crypto {

static_assert(sizeof(SHA256_CTX) <= 128, "Sha256Hasher state too small");

Hash32 Sha256(ByteView data) {
  Hash32 out;
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(out.data(), &ctx);
  return out;
}

Sha256Hasher::Sha256Hasher() { SHA256_Init(reinterpret_cast<SHA256_CTX*>(state_)); }

Sha256Hasher& Sha256Hasher::Update(ByteView data) {
  SHA256_Update(reinterpret_cast<SHA256_CTX*>(state_), data.data(), data.size());
  return *this;
}

Hash32 Sha256Hasher::Final() {
  Hash32 out;
  SHA256_Final(out.data(), reinterpret_cast<SHA256_CTX*>(state_));
  return out;
}

}  // namespace candor::crypto
