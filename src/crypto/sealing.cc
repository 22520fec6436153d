#include "candor/crypto/sealing.h"

#include <sodium.h>

namespace candor::crypto {

Result<SecretBytes> KeyFromPassphrase(std::string_view passphrase, ByteView salt,
                                      PassphraseCost cost) {
  CANDOR_CHECK(sodium_init() >= 0);
  if (salt.size() != crypto_pwhash_SALTBYTES || cost.ops < crypto_pwhash_OPSLIMIT_MIN ||
      cost.mem_bytes < crypto_pwhash_MEMLIMIT_MIN) {
    return MakeError(Errc::kInvalidArgument, "passphrase key: bad salt or cost");
  }
  SecretBytes key(kSealKeySize);
  if (crypto_pwhash(key.data(), key.size(), passphrase.data(), passphrase.size(), salt.data(),
                    cost.ops, static_cast<size_t>(cost.mem_bytes),
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return MakeError(Errc::kUnavailable, "passphrase key: out of memory");
  }
  return key;
}

Result<Bytes> Seal(ByteView key, ByteView aad, ByteView plaintext) {
  CANDOR_CHECK(sodium_init() >= 0);
  if (key.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES) {
    return MakeError(Errc::kInvalidArgument, "seal: the key must be 32 bytes");
  }
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  Bytes out(kNonce + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  randombytes_buf(out.data(), kNonce);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + kNonce, &len, plaintext.data(),
                                             plaintext.size(), aad.data(), aad.size(), nullptr,
                                             out.data(), key.data());
  out.resize(kNonce + static_cast<size_t>(len));
  return out;
}

Result<SecretBytes> Unseal(ByteView key, ByteView aad, ByteView sealed) {
  CANDOR_CHECK(sodium_init() >= 0);
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  constexpr size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
  if (key.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES || sealed.size() < kNonce + kTag) {
    return VerifyFailed();
  }
  SecretBytes out(sealed.size() - kNonce - kTag);
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(out.data(), &len, nullptr, sealed.data() + kNonce,
                                                 sealed.size() - kNonce, aad.data(), aad.size(),
                                                 sealed.data(), key.data()) != 0) {
    return VerifyFailed();
  }
  return out;
}

}  // namespace candor::crypto
