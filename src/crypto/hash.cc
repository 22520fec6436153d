#include "candor/crypto/hash.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "ossl_internal.h"

namespace candor::crypto {
namespace {

using internal::OsslPtr;

const EVP_MD* Md(HashId id) {
  switch (id) {
    case HashId::kSha256:
      return EVP_sha256();
    case HashId::kSha384:
      return EVP_sha384();
    case HashId::kSha512:
      return EVP_sha512();
  }
  CANDOR_CHECK(false && "unknown HashId");
}

const char* MdName(HashId id) {
  switch (id) {
    case HashId::kSha256:
      return "SHA256";
    case HashId::kSha384:
      return "SHA384";
    case HashId::kSha512:
      return "SHA512";
  }
  CANDOR_CHECK(false && "unknown HashId");
}

// NonNull gives OpenSSL a valid pointer for an empty input; some entry points reject nullptr
// even with a zero length.
const uint8_t* NonNull(ByteView v) {
  static const uint8_t kEmpty = 0;
  return v.empty() ? &kEmpty : v.data();
}

EVP_KDF* HkdfAlgorithm() {
  static const OsslPtr<EVP_KDF> kdf(EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_HKDF, nullptr));
  CANDOR_CHECK(kdf != nullptr);
  return kdf.get();
}

// RunHkdf runs OpenSSL's HKDF in `mode` and writes `out_len` bytes to `out`.
void RunHkdf(HashId id, int mode, ByteView key, ByteView salt, ByteView info, uint8_t* out,
             size_t out_len) {
  OsslPtr<EVP_KDF_CTX> ctx(EVP_KDF_CTX_new(HkdfAlgorithm()));
  CANDOR_CHECK(ctx != nullptr);
  // OSSL_PARAM takes non-const pointers but only reads these buffers.
  auto* md_name = const_cast<char*>(MdName(id));         // NOLINT
  auto* key_ptr = const_cast<uint8_t*>(NonNull(key));    // NOLINT
  auto* salt_ptr = const_cast<uint8_t*>(NonNull(salt));  // NOLINT
  auto* info_ptr = const_cast<uint8_t*>(NonNull(info));  // NOLINT
  OSSL_PARAM params[6];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, md_name, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, key_ptr, key.size());
  if (mode == EVP_KDF_HKDF_MODE_EXTRACT_ONLY) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt_ptr, salt.size());
  } else {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info_ptr, info.size());
  }
  params[n] = OSSL_PARAM_construct_end();
  CANDOR_CHECK(EVP_KDF_derive(ctx.get(), out, out_len, params) == 1);
}

}  // namespace

size_t HashSize(HashId id) {
  switch (id) {
    case HashId::kSha256:
      return 32;
    case HashId::kSha384:
      return 48;
    case HashId::kSha512:
      return 64;
  }
  CANDOR_CHECK(false && "unknown HashId");
}

Bytes Hash(HashId id, ByteView data) {
  Bytes out(HashSize(id));
  unsigned int out_len = 0;
  CANDOR_CHECK(EVP_Digest(NonNull(data), data.size(), out.data(), &out_len, Md(id), nullptr) == 1);
  CANDOR_CHECK(out_len == out.size());
  return out;
}

Bytes Hmac(HashId id, ByteView key, ByteView data) {
  Bytes out(HashSize(id));
  unsigned int out_len = 0;
  CANDOR_CHECK(key.size() <= static_cast<size_t>(INT32_MAX));
  CANDOR_CHECK(HMAC(Md(id), NonNull(key), static_cast<int>(key.size()), NonNull(data), data.size(),
                    out.data(), &out_len) != nullptr);
  CANDOR_CHECK(out_len == out.size());
  return out;
}

SecretBytes HkdfExtract(HashId id, ByteView salt, ByteView ikm) {
  SecretBytes prk(HashSize(id));
  RunHkdf(id, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, ikm, salt, {}, prk.data(), prk.size());
  return prk;
}

Result<SecretBytes> HkdfExpand(HashId id, ByteView prk, ByteView info, size_t len) {
  const size_t hash_len = HashSize(id);
  if (len > 255 * hash_len) {
    return MakeError(Errc::kInvalidArgument, "HKDF-Expand: length > 255 * HashLen");
  }
  if (prk.size() < hash_len) {
    return MakeError(Errc::kInvalidArgument, "HKDF-Expand: PRK shorter than HashLen");
  }
  SecretBytes okm(len);
  if (len == 0) return okm;
  RunHkdf(id, EVP_KDF_HKDF_MODE_EXPAND_ONLY, prk, {}, info, okm.data(), okm.size());
  return okm;
}

}  // namespace candor::crypto
