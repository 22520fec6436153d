#include "candor/crypto/hash.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "ossl_internal.h"

namespace candor::crypto {
namespace {

using internal::OsslPtr;

constexpr size_t kNumHashes = 3;
constexpr size_t kMaxHashSize = 64;

size_t Slot(HashId id) {
  switch (id) {
    case HashId::kSha256:
      return 0;
    case HashId::kSha384:
      return 1;
    case HashId::kSha512:
      return 2;
  }
  CANDOR_CHECK(false && "unknown HashId");
}

// Algorithms holds the OpenSSL objects fetched once per process: the EVP_MD of each hash, and
// per hash an HMAC EVP_MAC_CTX with its digest already set, which every call duplicates.
// Fetching and parameter parsing are what made each call slow (OpenSSL 3 fetches implicitly
// on every EVP_sha256()-style or one-shot HMAC() call). The prototypes are never keyed and
// only read after construction; the function-local static makes initialization thread-safe.
struct Algorithms {
  std::array<OsslPtr<EVP_MD>, kNumHashes> md;
  std::array<OsslPtr<EVP_MAC_CTX>, kNumHashes> hmac;

  Algorithms() {
    static constexpr std::array<const char*, kNumHashes> kNames = {"SHA256", "SHA384", "SHA512"};
    OsslPtr<EVP_MAC> mac(EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr));
    CANDOR_CHECK(mac != nullptr);
    for (size_t i = 0; i < kNumHashes; ++i) {
      md[i].reset(EVP_MD_fetch(nullptr, kNames[i], nullptr));
      CANDOR_CHECK(md[i] != nullptr);
      hmac[i].reset(EVP_MAC_CTX_new(mac.get()));
      CANDOR_CHECK(hmac[i] != nullptr);
      // OSSL_PARAM takes a non-const pointer but only reads the name.
      auto* name = const_cast<char*>(kNames[i]);  // NOLINT
      const std::array<OSSL_PARAM, 2> params = {
          OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, name, 0),
          OSSL_PARAM_construct_end()};
      CANDOR_CHECK(EVP_MAC_CTX_set_params(hmac[i].get(), params.data()) == 1);
    }
  }
};

const Algorithms& Algs() {
  static const Algorithms kAlgorithms;
  return kAlgorithms;
}

// NonNull gives OpenSSL a valid pointer for an empty input; some entry points reject nullptr
// even with a zero length.
const uint8_t* NonNull(ByteView v) {
  static const uint8_t kEmpty = 0;
  return v.empty() ? &kEmpty : v.data();
}

// HmacCtx is an HMAC context for one hash, keyed by the constructor. The key may be secret;
// EVP_MAC_CTX_free wipes the keyed state.
class HmacCtx {
 public:
  HmacCtx(HashId id, ByteView key) : ctx_(EVP_MAC_CTX_dup(Algs().hmac[Slot(id)].get())) {
    CANDOR_CHECK(ctx_ != nullptr);
    CANDOR_CHECK(EVP_MAC_init(ctx_.get(), NonNull(key), key.size(), nullptr) == 1);
  }
  // Restart begins a new message under the same key.
  void Restart() { CANDOR_CHECK(EVP_MAC_init(ctx_.get(), nullptr, 0, nullptr) == 1); }
  void Update(ByteView data) {
    if (!data.empty()) CANDOR_CHECK(EVP_MAC_update(ctx_.get(), data.data(), data.size()) == 1);
  }
  // Final writes the tag, `tag_len` = HashSize bytes, to `tag`.
  void Final(uint8_t* tag, size_t tag_len) {
    size_t out_len = 0;
    CANDOR_CHECK(EVP_MAC_final(ctx_.get(), tag, &out_len, tag_len) == 1);
    CANDOR_CHECK(out_len == tag_len);
  }

 private:
  OsslPtr<EVP_MAC_CTX> ctx_;
};

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
  CANDOR_CHECK(EVP_Digest(NonNull(data), data.size(), out.data(), &out_len,
                          Algs().md[Slot(id)].get(), nullptr) == 1);
  CANDOR_CHECK(out_len == out.size());
  return out;
}

Bytes Hmac(HashId id, ByteView key, ByteView data) {
  Bytes out(HashSize(id));
  HmacCtx mac(id, key);
  mac.Update(data);
  mac.Final(out.data(), out.size());
  return out;
}

SecretBytes HkdfExtract(HashId id, ByteView salt, ByteView ikm) {
  // RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM); an absent salt is HashLen zero bytes.
  const size_t hash_len = HashSize(id);
  static constexpr std::array<uint8_t, kMaxHashSize> kZeros = {};
  const ByteView key = salt.empty() ? ByteView(kZeros.data(), hash_len) : salt;
  SecretBytes prk(hash_len);
  HmacCtx mac(id, key);
  mac.Update(ikm);
  mac.Final(prk.data(), prk.size());
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
  // RFC 5869 §2.3: T(0) = empty, T(i) = HMAC-Hash(PRK, T(i - 1) | info | i), OKM = the first L
  // bytes of T(1) | T(2) | ... The loop count depends on the public length only.
  HmacCtx mac(id, prk);
  SecretBytes block(hash_len);
  size_t off = 0;
  for (unsigned i = 1; off < len; ++i) {
    if (i > 1) {
      mac.Restart();
      mac.Update(block.view());
    }
    mac.Update(info);
    const auto counter = static_cast<uint8_t>(i);
    mac.Update(ByteView(&counter, 1));
    mac.Final(block.data(), block.size());
    const size_t n = std::min(hash_len, len - off);
    std::memcpy(okm.data() + off, block.data(), n);
    off += n;
  }
  return okm;
}

}  // namespace candor::crypto
