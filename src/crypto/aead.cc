#include "candor/crypto/aead.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <climits>

#include "ossl_internal.h"

namespace candor::crypto {
namespace {

using internal::OsslPtr;

const EVP_CIPHER* Cipher(AeadId id) {
  switch (id) {
    case AeadId::kAes128Gcm:
      return EVP_aes_128_gcm();
    case AeadId::kAes256Gcm:
      return EVP_aes_256_gcm();
    case AeadId::kChaCha20Poly1305:
      return EVP_chacha20_poly1305();
    case AeadId::kExportOnly:
      break;
  }
  return nullptr;
}

// CheckArgs validates the id and the key and nonce lengths (all public).
Status CheckArgs(AeadId id, ByteView key, ByteView nonce) {
  if (Cipher(id) == nullptr)
    return MakeError(Errc::kInvalidArgument, "AEAD: unknown or export-only id");
  if (key.size() != AeadKeySize(id)) return MakeError(Errc::kInvalidArgument, "AEAD: key length");
  if (nonce.size() != kAeadNonceSize) {
    return MakeError(Errc::kInvalidArgument, "AEAD: nonce length");
  }
  return OkStatus();
}

// NonNull gives OpenSSL a valid pointer for an empty buffer.
const uint8_t* NonNull(ByteView v) {
  static const uint8_t kEmpty = 0;
  return v.empty() ? &kEmpty : v.data();
}

// Update feeds `in` through the cipher in chunks an int can count; `out` null means AAD.
void Update(EVP_CIPHER_CTX* ctx, uint8_t* out, ByteView in) {
  size_t done = 0;
  do {
    const size_t chunk = std::min<size_t>(in.size() - done, INT_MAX / 2);
    int out_len = 0;
    CANDOR_CHECK(EVP_CipherUpdate(ctx, out == nullptr ? nullptr : out + done, &out_len,
                                  NonNull(in) + done, static_cast<int>(chunk)) == 1);
    CANDOR_CHECK(out == nullptr || static_cast<size_t>(out_len) == chunk);
    done += chunk;
  } while (done < in.size());
}

OsslPtr<EVP_CIPHER_CTX> Init(AeadId id, ByteView key, ByteView nonce, int enc) {
  OsslPtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  CANDOR_CHECK(ctx != nullptr);
  CANDOR_CHECK(EVP_CipherInit_ex(ctx.get(), Cipher(id), nullptr, nullptr, nullptr, enc) == 1);
  CANDOR_CHECK(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN,
                                   static_cast<int>(kAeadNonceSize), nullptr) == 1);
  CANDOR_CHECK(EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce.data(), enc) == 1);
  return ctx;
}

}  // namespace

size_t AeadKeySize(AeadId id) {
  switch (id) {
    case AeadId::kAes128Gcm:
      return 16;
    case AeadId::kAes256Gcm:
    case AeadId::kChaCha20Poly1305:
      return 32;
    case AeadId::kExportOnly:
      break;
  }
  return 0;
}

Result<Bytes> AeadSeal(AeadId id, ByteView key, ByteView nonce, ByteView aad, ByteView plaintext) {
  CANDOR_TRY(CheckArgs(id, key, nonce));
  OsslPtr<EVP_CIPHER_CTX> ctx = Init(id, key, nonce, 1);
  Bytes out(plaintext.size() + kAeadTagSize);
  if (!aad.empty()) Update(ctx.get(), nullptr, aad);
  if (!plaintext.empty()) Update(ctx.get(), out.data(), plaintext);
  int final_len = 0;
  CANDOR_CHECK(EVP_CipherFinal_ex(ctx.get(), out.data() + plaintext.size(), &final_len) == 1);
  CANDOR_CHECK(final_len == 0);
  CANDOR_CHECK(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kAeadTagSize),
                                   out.data() + plaintext.size()) == 1);
  return out;
}

Result<SecretBytes> AeadOpen(AeadId id, ByteView key, ByteView nonce, ByteView aad,
                             ByteView ciphertext) {
  CANDOR_TRY(CheckArgs(id, key, nonce));
  if (ciphertext.size() < kAeadTagSize) return VerifyFailed();
  const size_t pt_len = ciphertext.size() - kAeadTagSize;
  ByteView body = ciphertext.first(pt_len);
  Bytes tag(ciphertext.begin() + static_cast<ptrdiff_t>(pt_len), ciphertext.end());
  OsslPtr<EVP_CIPHER_CTX> ctx = Init(id, key, nonce, 0);
  SecretBytes out(pt_len);
  if (!aad.empty()) Update(ctx.get(), nullptr, aad);
  if (!body.empty()) Update(ctx.get(), out.data(), body);
  CANDOR_CHECK(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kAeadTagSize),
                                   tag.data()) == 1);
  uint8_t scratch[16];
  int final_len = 0;
  // A failed tag check drops `out`, whose allocator wipes the unauthenticated plaintext.
  if (EVP_CipherFinal_ex(ctx.get(), scratch, &final_len) != 1) {
    ERR_clear_error();
    return VerifyFailed();
  }
  return out;
}

}  // namespace candor::crypto
