#include "candor/crypto/signature.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <optional>
#include <string>

#include "candor/crypto/ed25519.h"
#include "candor/crypto/random.h"
#include "ec_internal.h"
#include "ossl_internal.h"

namespace candor::crypto {
namespace {

using internal::OsslPtr;

// SchemeParams describes the backend of one scheme.
struct SchemeParams {
  bool is_ec;
  int ossl_id;             // EVP_PKEY_ED25519 / EVP_PKEY_ED448, or the curve NID
  const char* group_name;  // OpenSSL group name (ECDSA only)
  const EVP_MD* (*md)();   // message digest (ECDSA only)
  size_t private_key_len;  // seed or scalar length
  size_t public_key_len;
  size_t signature_len;  // fixed length (EdDSA only)
};

Result<SchemeParams> Params(SignatureScheme scheme) {
  switch (scheme) {
    case SignatureScheme::kEcdsaSecp256r1Sha256:
      return SchemeParams{true, NID_X9_62_prime256v1, SN_X9_62_prime256v1, EVP_sha256, 32, 65, 0};
    case SignatureScheme::kEcdsaSecp384r1Sha384:
      return SchemeParams{true, NID_secp384r1, SN_secp384r1, EVP_sha384, 48, 97, 0};
    case SignatureScheme::kEcdsaSecp521r1Sha512:
      return SchemeParams{true, NID_secp521r1, SN_secp521r1, EVP_sha512, 66, 133, 0};
    case SignatureScheme::kEd25519:
      return SchemeParams{false, EVP_PKEY_ED25519, nullptr, nullptr, 32, 32, 64};
    case SignatureScheme::kEd448:
      return SchemeParams{false, EVP_PKEY_ED448, nullptr, nullptr, 57, 57, 114};
  }
  return MakeError(Errc::kInvalidArgument, "signature: unknown scheme");
}

// EcKey builds an EVP_PKEY from a public point and, if `private_key` is non-empty, the scalar.
OsslPtr<EVP_PKEY> EcKey(const SchemeParams& p, ByteView public_key, ByteView private_key) {
  OsslPtr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  CANDOR_CHECK(bld != nullptr);
  CANDOR_CHECK(
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, p.group_name, 0) == 1);
  CANDOR_CHECK(OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                                public_key.data(), public_key.size()) == 1);
  OsslPtr<BIGNUM> priv;
  if (!private_key.empty()) {
    priv = internal::EcSecretScalar(private_key);
    CANDOR_CHECK(OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get()) == 1);
  }
  OsslPtr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld.get()));
  CANDOR_CHECK(params != nullptr);
  OsslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  CANDOR_CHECK(ctx != nullptr);
  CANDOR_CHECK(EVP_PKEY_fromdata_init(ctx.get()) == 1);
  EVP_PKEY* raw = nullptr;
  CANDOR_CHECK(EVP_PKEY_fromdata(ctx.get(), &raw,
                                 private_key.empty() ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEYPAIR,
                                 params.get()) == 1);
  return OsslPtr<EVP_PKEY>(raw);
}

}  // namespace

// Ed25519 runs on libsodium, which signs and verifies about 2.3x faster than OpenSSL 3.0 on
// this machine class (bench/crypto/signature_bench.cc, docs/benchmarks.md); Ed448 and ECDSA run
// on OpenSSL.
struct SignaturePrivateKey::Impl {
  std::optional<Ed25519PrivateKey> ed25519;  // kEd25519 only
  OsslPtr<EVP_PKEY> pkey;                    // every other scheme
  const EVP_MD* md = nullptr;                // ECDSA only
};

SignaturePrivateKey::SignaturePrivateKey(SignatureScheme scheme, SecretBytes private_key,
                                         Bytes public_key, std::unique_ptr<Impl> impl)
    : scheme_(scheme),
      private_key_(std::move(private_key)),
      public_key_(std::move(public_key)),
      impl_(std::move(impl)) {}

SignaturePrivateKey::SignaturePrivateKey(SignaturePrivateKey&&) noexcept = default;
SignaturePrivateKey& SignaturePrivateKey::operator=(SignaturePrivateKey&&) noexcept = default;
SignaturePrivateKey::~SignaturePrivateKey() = default;

SignaturePrivateKey SignaturePrivateKey::Generate(SignatureScheme scheme) {
  auto p = Params(scheme);
  CANDOR_CHECK(p.ok());
  SecretBytes sk(p->private_key_len);
  if (p->is_ec) {
    // Rejection sampling over uniformly random scalars; the top byte of P-521 keeps one bit.
    const EC_GROUP* group = internal::EcGroup(p->ossl_id);
    do {
      FillRandom(sk.data(), sk.size());
      if (p->ossl_id == NID_secp521r1) sk.data()[0] &= 0x01;
    } while (!internal::EcScalarInRange(group, sk.view()));
  } else {
    FillRandom(sk.data(), sk.size());
  }
  auto key = FromBytes(scheme, sk.view());
  CANDOR_CHECK(key.ok());
  return std::move(key).value();
}

Result<SignaturePrivateKey> SignaturePrivateKey::FromBytes(SignatureScheme scheme,
                                                           ByteView private_key) {
  CANDOR_ASSIGN_OR_RETURN(SchemeParams p, Params(scheme));
  if (private_key.size() != p.private_key_len) {
    return MakeError(Errc::kMalformed, "signature private key: length " +
                                           std::to_string(private_key.size()) + ", want " +
                                           std::to_string(p.private_key_len));
  }
  auto impl = std::make_unique<Impl>();
  Bytes public_key;
  if (scheme == SignatureScheme::kEd25519) {
    CANDOR_ASSIGN_OR_RETURN(Ed25519PrivateKey key, Ed25519PrivateKey::FromSeed(private_key));
    public_key.assign(key.public_key().begin(), key.public_key().end());
    impl->ed25519.emplace(std::move(key));
  } else if (p.is_ec) {
    const EC_GROUP* group = internal::EcGroup(p.ossl_id);
    if (!internal::EcScalarInRange(group, private_key)) {
      return MakeError(Errc::kMalformed, "signature private key: scalar out of range");
    }
    public_key = internal::EcPublicKey(group, private_key);
    impl->pkey = EcKey(p, public_key, private_key);
    impl->md = p.md();
  } else {
    impl->pkey.reset(
        EVP_PKEY_new_raw_private_key(p.ossl_id, nullptr, private_key.data(), private_key.size()));
    CANDOR_CHECK(impl->pkey != nullptr);
    public_key.resize(p.public_key_len);
    size_t len = public_key.size();
    CANDOR_CHECK(EVP_PKEY_get_raw_public_key(impl->pkey.get(), public_key.data(), &len) == 1);
    CANDOR_CHECK(len == public_key.size());
    impl->md = nullptr;
  }
  return SignaturePrivateKey(scheme, SecretBytes(private_key), std::move(public_key),
                             std::move(impl));
}

Bytes SignaturePrivateKey::Sign(ByteView message) const {
  if (impl_->ed25519) {
    const Ed25519Signature sig = impl_->ed25519->Sign(message);
    return {sig.begin(), sig.end()};
  }
  OsslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  CANDOR_CHECK(ctx != nullptr);
  CANDOR_CHECK(EVP_DigestSignInit(ctx.get(), nullptr, impl_->md, nullptr, impl_->pkey.get()) == 1);
  static const uint8_t kEmpty = 0;
  const uint8_t* msg = message.empty() ? &kEmpty : message.data();
  size_t sig_len = 0;
  CANDOR_CHECK(EVP_DigestSign(ctx.get(), nullptr, &sig_len, msg, message.size()) == 1);
  Bytes sig(sig_len);
  CANDOR_CHECK(EVP_DigestSign(ctx.get(), sig.data(), &sig_len, msg, message.size()) == 1);
  sig.resize(sig_len);
  return sig;
}

Status SignatureVerify(SignatureScheme scheme, ByteView public_key, ByteView message,
                       ByteView signature) {
  auto params = Params(scheme);
  if (!params.ok()) return VerifyFailed();
  const SchemeParams& p = *params;
  if (public_key.size() != p.public_key_len) return VerifyFailed();
  if (scheme == SignatureScheme::kEd25519) return Ed25519Verify(public_key, message, signature);
  OsslPtr<EVP_PKEY> pkey;
  if (p.is_ec) {
    const EC_GROUP* group = internal::EcGroup(p.ossl_id);
    if (!internal::EcDecodePoint(group, public_key, "signature public key").ok()) {
      return VerifyFailed();
    }
    if (signature.empty()) return VerifyFailed();
    pkey = EcKey(p, public_key, {});
  } else {
    if (signature.size() != p.signature_len) return VerifyFailed();
    pkey.reset(
        EVP_PKEY_new_raw_public_key(p.ossl_id, nullptr, public_key.data(), public_key.size()));
    if (pkey == nullptr) {
      ERR_clear_error();
      return VerifyFailed();
    }
  }
  OsslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  CANDOR_CHECK(ctx != nullptr);
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, p.is_ec ? p.md() : nullptr, nullptr, pkey.get()) !=
      1) {
    ERR_clear_error();
    return VerifyFailed();
  }
  static const uint8_t kEmpty = 0;
  const uint8_t* msg = message.empty() ? &kEmpty : message.data();
  // OpenSSL's ECDSA verify re-encodes the parsed signature and requires the same DER bytes, so
  // BER variants and trailing bytes fail here.
  if (EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), msg, message.size()) != 1) {
    ERR_clear_error();
    return VerifyFailed();
  }
  return OkStatus();
}

namespace {

// EcdsaScalarSize returns the byte size of r and s for an ECDSA scheme.
Result<size_t> EcdsaScalarSize(SignatureScheme scheme) {
  CANDOR_ASSIGN_OR_RETURN(SchemeParams p, Params(scheme));
  if (!p.is_ec) return MakeError(Errc::kInvalidArgument, "ECDSA signature: not an ECDSA scheme");
  return p.private_key_len;
}

}  // namespace

Result<Bytes> EcdsaSignatureToRaw(SignatureScheme scheme, ByteView der) {
  CANDOR_ASSIGN_OR_RETURN(size_t scalar_len, EcdsaScalarSize(scheme));
  if (der.empty() || der.size() > 4 * scalar_len + 16) {
    return MakeError(Errc::kMalformed, "ECDSA signature: bad DER length");
  }
  const uint8_t* in = der.data();
  OsslPtr<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der.size())));
  if (sig == nullptr || in != der.data() + der.size()) {
    ERR_clear_error();
    return MakeError(Errc::kMalformed, "ECDSA signature: not a DER Ecdsa-Sig-Value");
  }
  // Strict DER: the parsed value must re-encode to exactly the input.
  unsigned char* reencoded = nullptr;
  const int reencoded_len = i2d_ECDSA_SIG(sig.get(), &reencoded);
  CANDOR_CHECK(reencoded_len > 0);
  const bool same = static_cast<size_t>(reencoded_len) == der.size() &&
                    std::equal(der.begin(), der.end(), reencoded);
  OPENSSL_free(reencoded);
  if (!same) return MakeError(Errc::kMalformed, "ECDSA signature: not strict DER");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  Bytes out(2 * scalar_len);
  const int len = static_cast<int>(scalar_len);
  if (BN_is_negative(r) != 0 || BN_is_negative(s) != 0 || BN_bn2binpad(r, out.data(), len) != len ||
      BN_bn2binpad(s, out.data() + scalar_len, len) != len) {
    ERR_clear_error();
    return MakeError(Errc::kMalformed, "ECDSA signature: integer too large for the curve");
  }
  return out;
}

Result<Bytes> EcdsaSignatureFromRaw(SignatureScheme scheme, ByteView raw) {
  CANDOR_ASSIGN_OR_RETURN(size_t scalar_len, EcdsaScalarSize(scheme));
  if (raw.size() != 2 * scalar_len) {
    return MakeError(Errc::kMalformed, "ECDSA signature: r||s length " +
                                           std::to_string(raw.size()) +
                                           " != " + std::to_string(2 * scalar_len));
  }
  const int len = static_cast<int>(scalar_len);
  OsslPtr<BIGNUM> r(BN_bin2bn(raw.data(), len, nullptr));
  OsslPtr<BIGNUM> s(BN_bin2bn(raw.data() + scalar_len, len, nullptr));
  CANDOR_CHECK(r != nullptr && s != nullptr);
  OsslPtr<ECDSA_SIG> sig(ECDSA_SIG_new());
  CANDOR_CHECK(sig != nullptr);
  CANDOR_CHECK(ECDSA_SIG_set0(sig.get(), r.get(), s.get()) == 1);
  (void)r.release();  // owned by `sig` now
  (void)s.release();
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  CANDOR_CHECK(der_len > 0);
  Bytes out(der, der + der_len);
  OPENSSL_free(der);
  return out;
}

}  // namespace candor::crypto
