// RFC 9180 HPKE. The construction (labeled HKDF, DHKEM, key schedule, nonce sequence) is ours;
// HKDF and the AEADs come from hash.h/aead.h, and Diffie-Hellman and scalar multiplication from
// OpenSSL. Section numbers below are RFC 9180's.
#include "candor/crypto/hpke.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <string_view>

#include "candor/base/ct.h"
#include "candor/crypto/hash.h"
#include "candor/crypto/random.h"
#include "ec_internal.h"
#include "ossl_internal.h"

namespace candor::crypto {
namespace {

using internal::EcDecodePoint;
using internal::EcGroup;
using internal::EcScalarInRange;
using internal::EcSecretScalar;
using internal::OsslPtr;

constexpr std::string_view kHpkeVersion = "HPKE-v1";

// KemParams are the §7.1 constants of a DHKEM.
struct KemParams {
  HashId kdf;       // the KEM's own HKDF
  size_t n_secret;  // Nsecret
  size_t n_pk;      // Npk = Nenc
  size_t n_sk;      // Nsk
  size_t n_dh;      // Ndh
  int ossl_id;      // EVP_PKEY_X25519 / EVP_PKEY_X448, or the curve NID
  bool is_ec;       // NIST curve (SEC1 keys, rejection-sampled DeriveKeyPair)
  uint8_t bitmask;  // §7.1.3 bitmask for the NIST curves
};

Result<KemParams> Params(KemId kem) {
  switch (kem) {
    case KemId::kP256:
      return KemParams{HashId::kSha256, 32, 65, 32, 32, NID_X9_62_prime256v1, true, 0xff};
    case KemId::kP384:
      return KemParams{HashId::kSha384, 48, 97, 48, 48, NID_secp384r1, true, 0xff};
    case KemId::kP521:
      return KemParams{HashId::kSha512, 64, 133, 66, 66, NID_secp521r1, true, 0x01};
    case KemId::kX25519:
      return KemParams{HashId::kSha256, 32, 32, 32, 32, EVP_PKEY_X25519, false, 0};
    case KemId::kX448:
      return KemParams{HashId::kSha512, 64, 56, 56, 56, EVP_PKEY_X448, false, 0};
  }
  return MakeError(Errc::kInvalidArgument, "HPKE: unknown KEM id");
}

Result<HashId> KdfHash(KdfId kdf) {
  switch (kdf) {
    case KdfId::kHkdfSha256:
      return HashId::kSha256;
    case KdfId::kHkdfSha384:
      return HashId::kSha384;
    case KdfId::kHkdfSha512:
      return HashId::kSha512;
  }
  return MakeError(Errc::kInvalidArgument, "HPKE: unknown KDF id");
}

Status CheckAead(AeadId aead) {
  switch (aead) {
    case AeadId::kAes128Gcm:
    case AeadId::kAes256Gcm:
    case AeadId::kChaCha20Poly1305:
    case AeadId::kExportOnly:
      return OkStatus();
  }
  return MakeError(Errc::kInvalidArgument, "HPKE: unknown AEAD id");
}

size_t NonceSize(AeadId aead) { return aead == AeadId::kExportOnly ? 0 : kAeadNonceSize; }

void AppendU16(Bytes& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

void Append(Bytes& out, ByteView v) { out.insert(out.end(), v.begin(), v.end()); }

// KemSuiteId is §4.1 suite_id = concat("KEM", I2OSP(kem_id, 2)).
Bytes KemSuiteId(KemId kem) {
  Bytes id = {'K', 'E', 'M'};
  AppendU16(id, static_cast<uint16_t>(kem));
  return id;
}

// HpkeSuiteId is §5.1 suite_id = concat("HPKE", I2OSP(kem_id, 2), I2OSP(kdf_id, 2),
// I2OSP(aead_id, 2)).
Bytes HpkeSuiteId(const HpkeSuite& suite) {
  Bytes id = {'H', 'P', 'K', 'E'};
  AppendU16(id, static_cast<uint16_t>(suite.kem));
  AppendU16(id, static_cast<uint16_t>(suite.kdf));
  AppendU16(id, static_cast<uint16_t>(suite.aead));
  return id;
}

// ConcatSecret joins byte strings into SecretBytes (used when any part is secret).
SecretBytes ConcatSecret(std::initializer_list<ByteView> parts) {
  size_t len = 0;
  for (ByteView p : parts) len += p.size();
  SecretBytes out(len);
  size_t off = 0;
  for (ByteView p : parts) {
    if (!p.empty()) std::memcpy(out.data() + off, p.data(), p.size());
    off += p.size();
  }
  return out;
}

// LabeledExtract is §4 LabeledExtract(salt, label, ikm).
SecretBytes LabeledExtract(HashId kdf, ByteView suite_id, ByteView salt, std::string_view label,
                           ByteView ikm) {
  SecretBytes labeled_ikm = ConcatSecret({AsBytes(kHpkeVersion), suite_id, AsBytes(label), ikm});
  return HkdfExtract(kdf, salt, labeled_ikm.view());
}

// LabeledExpand is §4 LabeledExpand(prk, label, info, L).
Result<SecretBytes> LabeledExpand(HashId kdf, ByteView suite_id, ByteView prk,
                                  std::string_view label, ByteView info, size_t len) {
  if (len > std::numeric_limits<uint16_t>::max()) {
    return MakeError(Errc::kInvalidArgument, "HPKE: LabeledExpand length > 65535");
  }
  Bytes labeled_info;
  AppendU16(labeled_info, static_cast<uint16_t>(len));
  Append(labeled_info, AsBytes(kHpkeVersion));
  Append(labeled_info, suite_id);
  Append(labeled_info, AsBytes(label));
  Append(labeled_info, info);
  return HkdfExpand(kdf, prk, labeled_info, len);
}

// ---- X25519 / X448 helpers ----

OsslPtr<EVP_PKEY> RawPrivate(const KemParams& p, ByteView sk) {
  OsslPtr<EVP_PKEY> key(EVP_PKEY_new_raw_private_key(p.ossl_id, nullptr, sk.data(), sk.size()));
  CANDOR_CHECK(key != nullptr);
  return key;
}

// ---- The DHKEM primitives of §4.1 ----

// IsAllZero reports whether every byte of `v` is zero, reading all of them. Only the verdict is
// branched on; it is public (a peer learns it from the refusal anyway).
bool IsAllZero(ByteView v) {
  uint8_t acc = 0;
  for (uint8_t b : v) acc |= b;
  bool zero = acc == 0;
  CANDOR_CT_PUBLIC(&zero, sizeof(zero));
  return zero;
}

Status CheckPrivateKey(const KemParams& p, ByteView sk) {
  if (sk.size() != p.n_sk) return MakeError(Errc::kMalformed, "HPKE private key: wrong length");
  if (p.is_ec) {
    const EC_GROUP* group = EcGroup(p.ossl_id);
    if (!EcScalarInRange(group, sk)) {
      return MakeError(Errc::kMalformed, "HPKE private key: scalar out of range");
    }
  }
  return OkStatus();
}

Status CheckPublicKey(const KemParams& p, ByteView pk) {
  if (pk.size() != p.n_pk) return MakeError(Errc::kMalformed, "HPKE public key: wrong length");
  if (p.is_ec) {
    const EC_GROUP* group = EcGroup(p.ossl_id);
    CANDOR_TRY(EcDecodePoint(group, pk, "HPKE public key"));
  }
  return OkStatus();
}

// PublicKeyOf is SerializePublicKey(pk(sk)) for a private key CheckPrivateKey accepted.
Bytes PublicKeyOf(const KemParams& p, ByteView sk) {
  if (p.ossl_id == EVP_PKEY_X25519) {
    CANDOR_CHECK(sodium_init() >= 0);
    Bytes pk(crypto_scalarmult_BYTES);
    CANDOR_CHECK(crypto_scalarmult_base(pk.data(), sk.data()) == 0);
    return pk;
  }
  if (!p.is_ec) {
    OsslPtr<EVP_PKEY> key = RawPrivate(p, sk);
    Bytes pk(p.n_pk);
    size_t pk_len = pk.size();
    CANDOR_CHECK(EVP_PKEY_get_raw_public_key(key.get(), pk.data(), &pk_len) == 1);
    CANDOR_CHECK(pk_len == pk.size());
    return pk;
  }
  const EC_GROUP* group = EcGroup(p.ossl_id);
  return internal::EcPublicKey(group, sk);
}

// Dh is §4.1 DH(skX, pkY) for a valid private key. An invalid `pk` or an all-zero / identity
// result is kMalformed (§7.1.4).
Result<SecretBytes> Dh(const KemParams& p, ByteView sk, ByteView pk) {
  CANDOR_TRY(CheckPublicKey(p, pk));
  SecretBytes out(p.n_dh);
  if (p.ossl_id == EVP_PKEY_X25519) {
    // libsodium's X25519 (RFC 7748) skips the public-key computation OpenSSL's EVP key does;
    // it returns -1 for an all-zero output.
    CANDOR_CHECK(sodium_init() >= 0);
    int refused = crypto_scalarmult(out.data(), sk.data(), pk.data());
    CANDOR_CT_PUBLIC(&refused, sizeof(refused));  // the all-zero verdict, public as above
    if (refused != 0 || IsAllZero(out.view())) {
      return MakeError(Errc::kMalformed, "HPKE public key: small-order point");
    }
    return out;
  }
  if (!p.is_ec) {
    OsslPtr<EVP_PKEY> priv = RawPrivate(p, sk);
    OsslPtr<EVP_PKEY> peer(EVP_PKEY_new_raw_public_key(p.ossl_id, nullptr, pk.data(), pk.size()));
    CANDOR_CHECK(peer != nullptr);
    OsslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new(priv.get(), nullptr));
    CANDOR_CHECK(ctx != nullptr);
    CANDOR_CHECK(EVP_PKEY_derive_init(ctx.get()) == 1);
    CANDOR_CHECK(EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) == 1);
    size_t out_len = out.size();
    // OpenSSL refuses an all-zero X25519/X448 output (a small-order public key).
    if (EVP_PKEY_derive(ctx.get(), out.data(), &out_len) != 1 || out_len != out.size()) {
      ERR_clear_error();
      return MakeError(Errc::kMalformed, "HPKE public key: small-order point");
    }
    if (IsAllZero(out.view())) {
      return MakeError(Errc::kMalformed, "HPKE public key: small-order point");
    }
    return out;
  }
  const EC_GROUP* group = EcGroup(p.ossl_id);
  CANDOR_ASSIGN_OR_RETURN(OsslPtr<EC_POINT> peer, EcDecodePoint(group, pk, "HPKE public key"));
  OsslPtr<BN_CTX> ctx(BN_CTX_secure_new());
  OsslPtr<EC_POINT> shared(EC_POINT_new(group));
  CANDOR_CHECK(ctx != nullptr && shared != nullptr);
  OsslPtr<BIGNUM> k = EcSecretScalar(sk);
  CANDOR_CHECK(EC_POINT_mul(group, shared.get(), nullptr, peer.get(), k.get(), ctx.get()) == 1);
  // The curves have cofactor 1 and 0 < sk < order, so the product is never the identity.
  SecretBytes encoded(p.n_pk);
  CANDOR_CHECK(EC_POINT_point2oct(group, shared.get(), POINT_CONVERSION_UNCOMPRESSED,
                                  encoded.data(), encoded.size(), ctx.get()) == encoded.size());
  std::memcpy(out.data(), encoded.data() + 1, p.n_dh);  // the x-coordinate
  return out;
}

// ExtractAndExpand is §4.1 ExtractAndExpand(dh, kem_context).
Result<SecretBytes> ExtractAndExpand(KemId kem, const KemParams& p, ByteView dh,
                                     ByteView kem_context) {
  const Bytes suite_id = KemSuiteId(kem);
  SecretBytes eae_prk = LabeledExtract(p.kdf, suite_id, {}, "eae_prk", dh);
  return LabeledExpand(p.kdf, suite_id, eae_prk.view(), "shared_secret", kem_context, p.n_secret);
}

// DeriveKeyPairImpl is §7.1.3 DeriveKeyPair(ikm).
Result<HpkeKeyPair> DeriveKeyPairImpl(KemId kem, const KemParams& p, ByteView ikm) {
  const Bytes suite_id = KemSuiteId(kem);
  SecretBytes dkp_prk = LabeledExtract(p.kdf, suite_id, {}, "dkp_prk", ikm);
  if (!p.is_ec) {
    CANDOR_ASSIGN_OR_RETURN(SecretBytes sk,
                            LabeledExpand(p.kdf, suite_id, dkp_prk.view(), "sk", {}, p.n_sk));
    Bytes pk = PublicKeyOf(p, sk.view());
    return HpkeKeyPair{std::move(sk), std::move(pk)};
  }
  // Rejection sampling: the number of rounds depends on the secret, as the RFC's algorithm does;
  // each round rejects with probability below 2^-32 for these curves.
  const EC_GROUP* group = EcGroup(p.ossl_id);
  for (unsigned counter = 0; counter < 256; ++counter) {
    const auto counter_byte = static_cast<uint8_t>(counter);
    CANDOR_ASSIGN_OR_RETURN(SecretBytes bytes,
                            LabeledExpand(p.kdf, suite_id, dkp_prk.view(), "candidate",
                                          ByteView(&counter_byte, 1), p.n_sk));
    bytes.data()[0] &= p.bitmask;
    if (EcScalarInRange(group, bytes.view())) {
      Bytes pk = PublicKeyOf(p, bytes.view());
      return HpkeKeyPair{std::move(bytes), std::move(pk)};
    }
  }
  return MakeError(Errc::kInternal, "HPKE DeriveKeyPair: no candidate in range");
}

// EncapResult is what (Auth)Encap returns: shared_secret and enc.
struct EncapResult {
  SecretBytes shared_secret;
  Bytes enc;
};

// Encap is §4.1 Encap(pkR) or AuthEncap(pkR, skS) (when `sk_s` is non-empty), with the
// ephemeral key derived from `ikm_e`.
Result<EncapResult> Encap(KemId kem, const KemParams& p, ByteView pk_r, ByteView sk_s,
                          ByteView ikm_e) {
  CANDOR_TRY(CheckPublicKey(p, pk_r));
  CANDOR_ASSIGN_OR_RETURN(HpkeKeyPair eph, DeriveKeyPairImpl(kem, p, ikm_e));
  CANDOR_ASSIGN_OR_RETURN(SecretBytes dh, Dh(p, eph.private_key.view(), pk_r));
  Bytes kem_context = eph.public_key;
  Append(kem_context, pk_r);
  if (!sk_s.empty()) {
    CANDOR_TRY(CheckPrivateKey(p, sk_s));
    CANDOR_ASSIGN_OR_RETURN(SecretBytes dh_s, Dh(p, sk_s, pk_r));
    dh = ConcatSecret({dh.view(), dh_s.view()});
    Append(kem_context, PublicKeyOf(p, sk_s));
  }
  CANDOR_ASSIGN_OR_RETURN(SecretBytes shared_secret,
                          ExtractAndExpand(kem, p, dh.view(), kem_context));
  return EncapResult{std::move(shared_secret), std::move(eph.public_key)};
}

// Decap is §4.1 Decap(enc, skR) or AuthDecap(enc, skR, pkS) (when `pk_s` is non-empty).
Result<SecretBytes> Decap(KemId kem, const KemParams& p, ByteView enc, ByteView sk_r,
                          ByteView pk_s) {
  CANDOR_TRY(CheckPrivateKey(p, sk_r));
  CANDOR_ASSIGN_OR_RETURN(SecretBytes dh, Dh(p, sk_r, enc));
  Bytes kem_context(enc.begin(), enc.end());
  Append(kem_context, PublicKeyOf(p, sk_r));
  if (!pk_s.empty()) {
    CANDOR_ASSIGN_OR_RETURN(SecretBytes dh_s, Dh(p, sk_r, pk_s));
    dh = ConcatSecret({dh.view(), dh_s.view()});
    Append(kem_context, pk_s);
  }
  return ExtractAndExpand(kem, p, dh.view(), kem_context);
}

bool IsAuthMode(HpkeMode mode) { return mode == HpkeMode::kAuth || mode == HpkeMode::kAuthPsk; }

bool IsPskMode(HpkeMode mode) { return mode == HpkeMode::kPsk || mode == HpkeMode::kAuthPsk; }

// CheckParams is §5.1 VerifyPSKInputs plus the rule that the sender key (`auth_key`, the
// private key on the sender side or the public key on the receiver side) is given exactly in
// the Auth modes.
Status CheckParams(const HpkeSetupParams& params, ByteView auth_key) {
  switch (params.mode) {
    case HpkeMode::kBase:
    case HpkeMode::kPsk:
    case HpkeMode::kAuth:
    case HpkeMode::kAuthPsk:
      break;
    default:
      return MakeError(Errc::kInvalidArgument, "HPKE: unknown mode");
  }
  const bool got_psk = !params.psk.empty();
  const bool got_psk_id = !params.psk_id.empty();
  if (got_psk != got_psk_id) {
    return MakeError(Errc::kInvalidArgument, "HPKE: inconsistent PSK inputs");
  }
  if (got_psk != IsPskMode(params.mode)) {
    return MakeError(Errc::kInvalidArgument, "HPKE: PSK inputs do not match the mode");
  }
  if (auth_key.empty() == IsAuthMode(params.mode)) {
    return MakeError(Errc::kInvalidArgument, "HPKE: sender key does not match the mode");
  }
  return OkStatus();
}

Status CheckSuite(const HpkeSuite& suite) {
  CANDOR_TRY(Params(suite.kem));
  CANDOR_TRY(KdfHash(suite.kdf));
  return CheckAead(suite.aead);
}

// ScheduleOutput is what §5.1 KeySchedule derives.
struct ScheduleOutput {
  SecretBytes key;
  SecretBytes base_nonce;
  SecretBytes exporter_secret;
};

// InfoHash is §5.1 info_hash = LabeledExtract("", "info_hash", info).
Result<Bytes> InfoHash(const HpkeSuite& suite, ByteView info) {
  CANDOR_ASSIGN_OR_RETURN(HashId kdf, KdfHash(suite.kdf));
  SecretBytes info_hash = LabeledExtract(kdf, HpkeSuiteId(suite), {}, "info_hash", info);
  return Bytes(info_hash.view().begin(), info_hash.view().end());
}

// KeyScheduleFromInfoHash is §5.1 KeySchedule<ROLE>(mode, shared_secret, info, psk, psk_id)
// with info_hash already computed.
Result<ScheduleOutput> KeyScheduleFromInfoHash(const HpkeSuite& suite, HpkeMode mode,
                                               ByteView shared_secret, ByteView info_hash,
                                               ByteView psk, ByteView psk_id) {
  CANDOR_ASSIGN_OR_RETURN(HashId kdf, KdfHash(suite.kdf));
  const Bytes suite_id = HpkeSuiteId(suite);
  SecretBytes psk_id_hash = LabeledExtract(kdf, suite_id, {}, "psk_id_hash", psk_id);
  Bytes key_schedule_context = {static_cast<uint8_t>(mode)};
  Append(key_schedule_context, psk_id_hash.view());
  Append(key_schedule_context, info_hash);
  SecretBytes secret = LabeledExtract(kdf, suite_id, shared_secret, "secret", psk);
  ScheduleOutput out;
  CANDOR_ASSIGN_OR_RETURN(out.key, LabeledExpand(kdf, suite_id, secret.view(), "key",
                                                 key_schedule_context, AeadKeySize(suite.aead)));
  CANDOR_ASSIGN_OR_RETURN(out.base_nonce,
                          LabeledExpand(kdf, suite_id, secret.view(), "base_nonce",
                                        key_schedule_context, NonceSize(suite.aead)));
  CANDOR_ASSIGN_OR_RETURN(out.exporter_secret, LabeledExpand(kdf, suite_id, secret.view(), "exp",
                                                             key_schedule_context, HashSize(kdf)));
  return out;
}

// KeySchedule is §5.1 KeySchedule<ROLE>(mode, shared_secret, info, psk, psk_id).
Result<ScheduleOutput> KeySchedule(const HpkeSuite& suite, HpkeMode mode, ByteView shared_secret,
                                   ByteView info, ByteView psk, ByteView psk_id) {
  CANDOR_ASSIGN_OR_RETURN(Bytes info_hash, InfoHash(suite, info));
  return KeyScheduleFromInfoHash(suite, mode, shared_secret, info_hash, psk, psk_id);
}

}  // namespace

Result<HpkeKeyPair> DeriveKeyPair(KemId kem, ByteView ikm) {
  CANDOR_ASSIGN_OR_RETURN(KemParams p, Params(kem));
  return DeriveKeyPairImpl(kem, p, ikm);
}

HpkeKeyPair GenerateKeyPair(KemId kem) {
  auto p = Params(kem);
  CANDOR_CHECK(p.ok());
  SecretBytes ikm(p->n_sk);
  FillRandom(ikm.data(), ikm.size());
  auto pair = DeriveKeyPairImpl(kem, *p, ikm.view());
  CANDOR_CHECK(pair.ok());
  return std::move(pair).value();
}

Result<Bytes> PublicKeyFromPrivate(KemId kem, ByteView private_key) {
  CANDOR_ASSIGN_OR_RETURN(KemParams p, Params(kem));
  CANDOR_TRY(CheckPrivateKey(p, private_key));
  return PublicKeyOf(p, private_key);
}

Status ValidatePublicKey(KemId kem, ByteView public_key) {
  CANDOR_ASSIGN_OR_RETURN(KemParams p, Params(kem));
  return CheckPublicKey(p, public_key);
}

HpkeContext::HpkeContext(HpkeSuite suite, SecretBytes key, SecretBytes base_nonce,
                         SecretBytes exporter)
    : suite_(suite),
      key_(std::move(key)),
      base_nonce_(std::move(base_nonce)),
      exporter_secret_(std::move(exporter)) {}

namespace {

// ComputeNonce is §5.2 ComputeNonce(seq) = base_nonce XOR I2OSP(seq, Nn).
SecretBytes ComputeNonce(ByteView base_nonce, uint64_t seq) {
  SecretBytes nonce(base_nonce);
  for (size_t i = 0; i < 8; ++i) {
    nonce.data()[nonce.size() - 1 - i] ^= static_cast<uint8_t>(seq >> (8 * i));
  }
  return nonce;
}

}  // namespace

Result<Bytes> HpkeContext::Seal(ByteView aad, ByteView plaintext) {
  if (suite_.aead == AeadId::kExportOnly) {
    return MakeError(Errc::kInvalidArgument, "HPKE: Seal on an export-only context");
  }
  if (seq_ == std::numeric_limits<uint64_t>::max()) {
    return MakeError(Errc::kInvalidArgument, "HPKE: message limit reached");
  }
  SecretBytes nonce = ComputeNonce(base_nonce_.view(), seq_);
  CANDOR_ASSIGN_OR_RETURN(Bytes ct,
                          AeadSeal(suite_.aead, key_.view(), nonce.view(), aad, plaintext));
  ++seq_;
  return ct;
}

Result<SecretBytes> HpkeContext::Open(ByteView aad, ByteView ciphertext) {
  if (suite_.aead == AeadId::kExportOnly) {
    return MakeError(Errc::kInvalidArgument, "HPKE: Open on an export-only context");
  }
  if (seq_ == std::numeric_limits<uint64_t>::max()) {
    return MakeError(Errc::kInvalidArgument, "HPKE: message limit reached");
  }
  SecretBytes nonce = ComputeNonce(base_nonce_.view(), seq_);
  CANDOR_ASSIGN_OR_RETURN(SecretBytes pt,
                          AeadOpen(suite_.aead, key_.view(), nonce.view(), aad, ciphertext));
  ++seq_;
  return pt;
}

Result<SecretBytes> HpkeContext::Export(ByteView exporter_context, size_t len) const {
  CANDOR_ASSIGN_OR_RETURN(HashId kdf, KdfHash(suite_.kdf));
  if (len > 255 * HashSize(kdf)) {
    return MakeError(Errc::kInvalidArgument, "HPKE Export: length > 255 * Nh");
  }
  return LabeledExpand(kdf, HpkeSuiteId(suite_), exporter_secret_.view(), "sec", exporter_context,
                       len);
}

Result<HpkeSenderContext> HpkeSetup::SetupS(ByteView pk_r, ByteView info,
                                            const HpkeSetupParams& params) const {
  CANDOR_ASSIGN_OR_RETURN(KemParams p, Params(suite_.kem));
  SecretBytes ikm_e(p.n_sk);
  FillRandom(ikm_e.data(), ikm_e.size());
  return SetupSDeterministic(pk_r, info, ikm_e.view(), params);
}

Result<HpkeSenderContext> HpkeSetup::SetupSDeterministic(ByteView pk_r, ByteView info,
                                                         ByteView ikm_e,
                                                         const HpkeSetupParams& params) const {
  CANDOR_TRY(CheckSuite(suite_));
  CANDOR_TRY(CheckParams(params, params.sender_private_key));
  CANDOR_ASSIGN_OR_RETURN(KemParams p, Params(suite_.kem));
  CANDOR_ASSIGN_OR_RETURN(EncapResult encap,
                          Encap(suite_.kem, p, pk_r, params.sender_private_key, ikm_e));
  CANDOR_ASSIGN_OR_RETURN(ScheduleOutput ks,
                          KeySchedule(suite_, params.mode, encap.shared_secret.view(), info,
                                      params.psk, params.psk_id));
  return HpkeSenderContext{std::move(encap.enc),
                           HpkeContext(suite_, std::move(ks.key), std::move(ks.base_nonce),
                                       std::move(ks.exporter_secret))};
}

Result<HpkeContext> HpkeSetup::SetupR(ByteView enc, ByteView sk_r, ByteView info,
                                      const HpkeSetupParams& params) const {
  CANDOR_TRY(CheckSuite(suite_));
  CANDOR_TRY(CheckParams(params, params.sender_public_key));
  CANDOR_ASSIGN_OR_RETURN(KemParams p, Params(suite_.kem));
  CANDOR_ASSIGN_OR_RETURN(SecretBytes shared_secret,
                          Decap(suite_.kem, p, enc, sk_r, params.sender_public_key));
  CANDOR_ASSIGN_OR_RETURN(ScheduleOutput ks, KeySchedule(suite_, params.mode, shared_secret.view(),
                                                         info, params.psk, params.psk_id));
  return HpkeContext(suite_, std::move(ks.key), std::move(ks.base_nonce),
                     std::move(ks.exporter_secret));
}

namespace {

// BaseKeyScheduleContext is §5.1 key_schedule_context = concat(mode, psk_id_hash, info_hash)
// for Base mode, where psk_id is empty, so it depends on `info` alone.
Result<Bytes> BaseKeyScheduleContext(const HpkeSuite& suite, ByteView info) {
  CANDOR_ASSIGN_OR_RETURN(HashId kdf, KdfHash(suite.kdf));
  CANDOR_ASSIGN_OR_RETURN(Bytes info_hash, InfoHash(suite, info));
  SecretBytes psk_id_hash = LabeledExtract(kdf, HpkeSuiteId(suite), {}, "psk_id_hash", {});
  Bytes key_schedule_context = {static_cast<uint8_t>(HpkeMode::kBase)};
  Append(key_schedule_context, psk_id_hash.view());
  Append(key_schedule_context, info_hash);
  return key_schedule_context;
}

// SingleShotKeys are the AEAD key and the seq-0 nonce of a single-shot message.
struct SingleShotKeys {
  SecretBytes key;
  SecretBytes nonce;
};

// SingleShotSchedule is §5.1 KeySchedule with psk = "" less exporter_secret, which a single-shot
// Seal or Open never uses; the first message's nonce is base_nonce itself (§5.2, seq = 0).
Result<SingleShotKeys> SingleShotSchedule(const HpkeSuite& suite, ByteView shared_secret,
                                          ByteView key_schedule_context) {
  CANDOR_ASSIGN_OR_RETURN(HashId kdf, KdfHash(suite.kdf));
  const Bytes suite_id = HpkeSuiteId(suite);
  SecretBytes secret = LabeledExtract(kdf, suite_id, shared_secret, "secret", {});
  SingleShotKeys out;
  CANDOR_ASSIGN_OR_RETURN(out.key, LabeledExpand(kdf, suite_id, secret.view(), "key",
                                                 key_schedule_context, AeadKeySize(suite.aead)));
  CANDOR_ASSIGN_OR_RETURN(out.nonce, LabeledExpand(kdf, suite_id, secret.view(), "base_nonce",
                                                   key_schedule_context, NonceSize(suite.aead)));
  return out;
}

}  // namespace

Result<HpkeCiphertext> HpkeSealBase(const HpkeSuite& suite, ByteView pk_r, ByteView info,
                                    ByteView aad, ByteView plaintext) {
  CANDOR_ASSIGN_OR_RETURN(HpkeBaseSealer sealer, HpkeBaseSealer::Create(suite, info));
  return sealer.Seal(pk_r, aad, plaintext);
}

Result<HpkeBaseSealer> HpkeBaseSealer::Create(const HpkeSuite& suite, ByteView info) {
  CANDOR_TRY(CheckSuite(suite));
  CANDOR_ASSIGN_OR_RETURN(Bytes key_schedule_context, BaseKeyScheduleContext(suite, info));
  return HpkeBaseSealer(suite, std::move(key_schedule_context));
}

Result<HpkeCiphertext> HpkeBaseSealer::Seal(ByteView pk_r, ByteView aad, ByteView plaintext) const {
  CANDOR_ASSIGN_OR_RETURN(KemParams p, Params(suite_.kem));
  SecretBytes ikm_e(p.n_sk);
  FillRandom(ikm_e.data(), ikm_e.size());
  return SealDeterministic(pk_r, ikm_e.view(), aad, plaintext);
}

Result<HpkeCiphertext> HpkeBaseSealer::SealDeterministic(ByteView pk_r, ByteView ikm_e,
                                                         ByteView aad, ByteView plaintext) const {
  if (suite_.aead == AeadId::kExportOnly) {
    return MakeError(Errc::kInvalidArgument, "HPKE: Seal on an export-only context");
  }
  CANDOR_ASSIGN_OR_RETURN(KemParams p, Params(suite_.kem));
  CANDOR_ASSIGN_OR_RETURN(EncapResult encap, Encap(suite_.kem, p, pk_r, {}, ikm_e));
  CANDOR_ASSIGN_OR_RETURN(
      SingleShotKeys keys,
      SingleShotSchedule(suite_, encap.shared_secret.view(), key_schedule_context_));
  CANDOR_ASSIGN_OR_RETURN(
      Bytes ct, AeadSeal(suite_.aead, keys.key.view(), keys.nonce.view(), aad, plaintext));
  return HpkeCiphertext{std::move(encap.enc), std::move(ct)};
}

Result<SecretBytes> HpkeOpenBase(const HpkeSuite& suite, ByteView enc, ByteView sk_r, ByteView info,
                                 ByteView aad, ByteView ciphertext) {
  CANDOR_TRY(CheckSuite(suite));
  CANDOR_ASSIGN_OR_RETURN(KemParams p, Params(suite.kem));
  CANDOR_ASSIGN_OR_RETURN(SecretBytes shared_secret, Decap(suite.kem, p, enc, sk_r, {}));
  if (suite.aead == AeadId::kExportOnly) {
    return MakeError(Errc::kInvalidArgument, "HPKE: Open on an export-only context");
  }
  CANDOR_ASSIGN_OR_RETURN(Bytes key_schedule_context, BaseKeyScheduleContext(suite, info));
  CANDOR_ASSIGN_OR_RETURN(SingleShotKeys keys,
                          SingleShotSchedule(suite, shared_secret.view(), key_schedule_context));
  return AeadOpen(suite.aead, keys.key.view(), keys.nonce.view(), aad, ciphertext);
}

}  // namespace candor::crypto
