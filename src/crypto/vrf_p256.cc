// ECVRF-P256-SHA256-TAI (RFC 9381 §5.5, suite_string 0x01) over OpenSSL's P-256 group.
//
// Secret scalars (the key x and the nonce k) live in BIGNUMs flagged BN_FLG_CONSTTIME and freed
// with BN_clear_free; they are used only by EC_POINT_mul (a constant-time ladder or nistz256
// window for a single scalar), Montgomery multiplication and BN_mod_add_quick. Everything else
// (H, c, s, Gamma, U, V, the public key) is public.
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <initializer_list>
#include <memory>

#include "candor/crypto/constant_time.h"
#include "ossl_internal.h"
#include "vrf_internal.h"

namespace candor::crypto::vrf_internal {
namespace {

constexpr uint8_t kSuiteString = 0x01;
// The order q of the P-256 base point, big-endian.
constexpr std::array<uint8_t, kP256ScalarLen> kOrder = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

struct BnClearFree {
  void operator()(BIGNUM* bn) const { BN_clear_free(bn); }
};
struct BnCtxFree {
  void operator()(BN_CTX* ctx) const { BN_CTX_free(ctx); }
};
struct PointClearFree {
  void operator()(EC_POINT* p) const { EC_POINT_clear_free(p); }
};
struct MontFree {
  void operator()(BN_MONT_CTX* m) const { BN_MONT_CTX_free(m); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnClearFree>;
using BnCtxPtr = std::unique_ptr<BN_CTX, BnCtxFree>;
using PointPtr = std::unique_ptr<EC_POINT, PointClearFree>;
using MontPtr = std::unique_ptr<BN_MONT_CTX, MontFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using Challenge = std::array<uint8_t, kCLen>;

// Group returns the shared P-256 group. EC_GROUP is safe for concurrent read-only use.
const EC_GROUP* Group() {
  static const EC_GROUP* const group = [] {
    EC_GROUP* g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    CANDOR_CHECK(g != nullptr);
    return g;
  }();
  return group;
}

BnCtxPtr NewCtx() {
  BnCtxPtr ctx(BN_CTX_new());
  CANDOR_CHECK(ctx != nullptr);
  return ctx;
}

BnPtr NewBn(bool secret) {
  BnPtr bn(BN_new());
  CANDOR_CHECK(bn != nullptr);
  if (secret) BN_set_flags(bn.get(), BN_FLG_CONSTTIME);
  return bn;
}

// BnFromBytes reads a big-endian integer; `secret` marks it for constant-time arithmetic.
BnPtr BnFromBytes(ByteView be, bool secret) {
  BnPtr bn = NewBn(secret);
  CANDOR_CHECK(BN_bin2bn(be.data(), static_cast<int>(be.size()), bn.get()) != nullptr);
  return bn;
}

PointPtr NewPoint() {
  PointPtr p(EC_POINT_new(Group()));
  CANDOR_CHECK(p != nullptr);
  return p;
}

// Sha256 hashes the concatenation of `parts`.
Hash32 Sha256(std::initializer_list<ByteView> parts) {
  MdCtxPtr md(EVP_MD_CTX_new());
  CANDOR_CHECK(md != nullptr);
  CANDOR_CHECK(EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr) == 1);
  for (ByteView part : parts) {
    CANDOR_CHECK(EVP_DigestUpdate(md.get(), part.data(), part.size()) == 1);
  }
  Hash32 out;
  unsigned int out_len = 0;
  CANDOR_CHECK(EVP_DigestFinal_ex(md.get(), out.data(), &out_len) == 1 && out_len == out.size());
  return out;
}

// HmacSha256 is HMAC-SHA-256 keyed with `key` over `data`; the output may be secret.
SecretBytes HmacSha256(ByteView key, ByteView data) {
  SecretBytes out(32);
  size_t out_len = 0;
  CANDOR_CHECK(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                         data.data(), data.size(), out.data(), out.size(), &out_len) != nullptr);
  CANDOR_CHECK(out_len == out.size());
  return out;
}

// StringToPoint is RFC 9381 §5.5 string_to_point: SEC1 compressed decoding (x < p, on the
// curve). Returns nullptr for INVALID; the point at infinity is never produced.
PointPtr StringToPoint(ByteView s, BN_CTX* ctx) {
  if (s.size() != kP256PointLen || (s[0] != 0x02 && s[0] != 0x03)) return nullptr;
  PointPtr p = NewPoint();
  ERR_set_mark();
  const int ok = EC_POINT_oct2point(Group(), p.get(), s.data(), s.size(), ctx);
  ERR_pop_to_mark();
  if (ok != 1 || EC_POINT_is_at_infinity(Group(), p.get()) == 1) return nullptr;
  return p;
}

// PointToString is SEC1 compressed encoding of a point other than the point at infinity.
Bytes PointToString(const EC_POINT* p, BN_CTX* ctx) {
  Bytes out(kP256PointLen);
  const size_t len =
      EC_POINT_point2oct(Group(), p, POINT_CONVERSION_COMPRESSED, out.data(), out.size(), ctx);
  CANDOR_CHECK(len == kP256PointLen);
  return out;
}

struct HashedPoint {
  PointPtr point;
  Bytes string;  // point_to_string(point)
};

// EncodeToCurveTai is ECVRF_encode_to_curve_try_and_increment (RFC 9381 §5.4.1.1) with
// encode_to_curve_salt = PK_string and interpret_hash_value_as_a_point(s) =
// string_to_point(0x02 || s). Each counter value succeeds with probability about 1/2.
HashedPoint EncodeToCurveTai(ByteView pk, ByteView alpha, BN_CTX* ctx) {
  const uint8_t front[2] = {kSuiteString, 0x01};
  constexpr uint8_t kBack = 0x00;
  for (unsigned ctr = 0; ctr < 256; ++ctr) {
    const auto ctr_string = static_cast<uint8_t>(ctr);
    const Hash32 hash = Sha256({front, pk, alpha, ByteView(&ctr_string, 1), ByteView(&kBack, 1)});
    Bytes candidate(kP256PointLen);
    candidate[0] = 0x02;
    std::memcpy(candidate.data() + 1, hash.data(), hash.size());
    if (PointPtr h = StringToPoint(candidate, ctx)) return {std::move(h), std::move(candidate)};
  }
  // 256 consecutive failures have probability 2^-256; no input can be chosen to cause them.
  ::candor::internal::CheckFailed("ECVRF try-and-increment exhausted its counter", __FILE__,
                                  __LINE__);
}

// ChallengeGeneration is ECVRF_challenge_generation (RFC 9381 §5.4.3) over the strings of
// P1 = Y, P2 = H, P3 = Gamma, P4 = U, P5 = V.
Challenge ChallengeGeneration(ByteView y, ByteView h, ByteView gamma, ByteView u, ByteView v) {
  const uint8_t front[2] = {kSuiteString, 0x02};
  constexpr uint8_t kBack = 0x00;
  const Hash32 c_string = Sha256({front, y, h, gamma, u, v, ByteView(&kBack, 1)});
  Challenge c;
  std::memcpy(c.data(), c_string.data(), c.size());
  return c;
}

// NonceGeneration is ECVRF_nonce_generation_RFC6979 (RFC 9381 §5.4.2.1): RFC 6979 §3.2 with
// SHA-256, m = h_string, qlen = hlen = 256, so bits2int is plain big-endian decoding. Returns
// int2octets(k).
SecretBytes NonceGeneration(ByteView x, ByteView h_string) {
  // Step a and bits2octets(h1): h1 reduced mod q once (h1 < 2^256 < 2q). Public values.
  Hash32 h1 = Sha256({h_string});
  if (std::memcmp(h1.data(), kOrder.data(), kOrder.size()) >= 0) {
    unsigned borrow = 0;
    for (size_t i = h1.size(); i-- > 0;) {
      const unsigned diff = unsigned{h1[i]} - unsigned{kOrder[i]} - borrow;
      h1[i] = static_cast<uint8_t>(diff);
      borrow = (diff >> 8) & 1;
    }
  }
  // Steps b-g. The HMAC input V || sep || int2octets(x) || bits2octets(h1) holds the key.
  SecretBytes v(32);
  SecretBytes k(32);
  std::memset(v.data(), 0x01, v.size());
  std::memset(k.data(), 0x00, k.size());
  SecretBytes input(32 + 1 + x.size() + h1.size());
  for (const uint8_t sep : {uint8_t{0x00}, uint8_t{0x01}}) {
    std::memcpy(input.data(), v.data(), v.size());
    input.data()[32] = sep;
    std::memcpy(input.data() + 33, x.data(), x.size());
    std::memcpy(input.data() + 33 + x.size(), h1.data(), h1.size());
    k = HmacSha256(k.view(), input.view());
    v = HmacSha256(k.view(), v.view());
  }
  // Step h: one HMAC block is qlen bits. Retrying reveals only that a candidate was >= q or 0
  // (probability about 2^-32), as RFC 6979 itself does.
  for (;;) {
    v = HmacSha256(k.view(), v.view());
    if (P256ScalarInRange(v.view())) return v;
    SecretBytes retry(33);
    std::memcpy(retry.data(), v.data(), v.size());
    retry.data()[32] = 0x00;
    k = HmacSha256(k.view(), retry.view());
    v = HmacSha256(k.view(), v.view());
  }
}

// DecodedProof is ECVRF_decode_proof (RFC 9381 §5.4.4): Gamma decodes and s < q.
struct DecodedProof {
  PointPtr gamma;
  ByteView gamma_string;
  ByteView c_string;
  ByteView s_string;
};

Result<DecodedProof> DecodeProof(ByteView proof, BN_CTX* ctx) {
  DecodedProof d;
  d.gamma_string = proof.first(kP256PointLen);
  d.c_string = proof.subspan(kP256PointLen, kCLen);
  d.s_string = proof.subspan(kP256PointLen + kCLen, kP256ScalarLen);
  d.gamma = StringToPoint(d.gamma_string, ctx);
  if (d.gamma == nullptr) return VerifyFailed();
  if (std::memcmp(d.s_string.data(), kOrder.data(), kOrder.size()) >= 0) return VerifyFailed();
  return d;
}

// BetaFromGamma is steps 4-6 of ECVRF_proof_to_hash (RFC 9381 §5.2); the cofactor is 1.
Bytes BetaFromGamma(ByteView gamma_string) {
  const uint8_t front[2] = {kSuiteString, 0x03};
  constexpr uint8_t kBack = 0x00;
  const Hash32 beta = Sha256({front, gamma_string, ByteView(&kBack, 1)});
  Bytes out(beta.begin(), beta.end());
  return out;
}

}  // namespace

bool P256ScalarInRange(ByteView scalar) {
  if (scalar.size() != kP256ScalarLen) return false;
  unsigned borrow = 0;
  unsigned any = 0;
  for (size_t i = kP256ScalarLen; i-- > 0;) {
    const unsigned diff = unsigned{scalar[i]} - unsigned{kOrder[i]} - borrow;
    borrow = (diff >> 8) & 1;
    any |= scalar[i];
  }
  // borrow == 1 iff scalar < q; (any + 0xff) >> 8 == 1 iff scalar != 0 (any <= 0xff).
  return (borrow & ((any + 0xffU) >> 8)) == 1;
}

Bytes P256PublicKey(ByteView x) {
  BnCtxPtr ctx = NewCtx();
  BnPtr scalar = BnFromBytes(x, /*secret=*/true);
  PointPtr y = NewPoint();
  CANDOR_CHECK(EC_POINT_mul(Group(), y.get(), scalar.get(), nullptr, nullptr, ctx.get()) == 1);
  return PointToString(y.get(), ctx.get());
}

namespace {

// GammaOf is step 4 of ECVRF_prove: Gamma = x*H for H = encode_to_curve(PK_string, alpha) (a
// constant-time product: x is secret).
PointPtr GammaOf(const BIGNUM* x, const HashedPoint& h, BN_CTX* ctx) {
  PointPtr gamma = NewPoint();
  CANDOR_CHECK(EC_POINT_mul(Group(), gamma.get(), nullptr, h.point.get(), x, ctx) == 1);
  return gamma;
}

}  // namespace

Bytes P256Evaluate(ByteView x, ByteView pk, ByteView alpha) {
  BnCtxPtr ctx = NewCtx();
  BnPtr x_bn = BnFromBytes(x, /*secret=*/true);
  const HashedPoint h = EncodeToCurveTai(pk, alpha, ctx.get());
  return BetaFromGamma(PointToString(GammaOf(x_bn.get(), h, ctx.get()).get(), ctx.get()));
}

Bytes P256Prove(ByteView x, ByteView pk, ByteView alpha) {
  const EC_GROUP* group = Group();
  BnCtxPtr ctx = NewCtx();
  BnPtr x_bn = BnFromBytes(x, /*secret=*/true);
  // Steps 2-4: H = encode_to_curve(PK_string, alpha), Gamma = x*H.
  HashedPoint h = EncodeToCurveTai(pk, alpha, ctx.get());
  PointPtr gamma = GammaOf(x_bn.get(), h, ctx.get());
  // Step 5: k = nonce_generation(SK, h_string).
  SecretBytes k_bytes = NonceGeneration(x, h.string);
  BnPtr k = BnFromBytes(k_bytes.view(), /*secret=*/true);
  // Step 6: c = challenge_generation(Y, H, Gamma, k*B, k*H).
  PointPtr u = NewPoint();
  PointPtr v = NewPoint();
  CANDOR_CHECK(EC_POINT_mul(group, u.get(), k.get(), nullptr, nullptr, ctx.get()) == 1);
  CANDOR_CHECK(EC_POINT_mul(group, v.get(), nullptr, h.point.get(), k.get(), ctx.get()) == 1);
  const Bytes gamma_string = PointToString(gamma.get(), ctx.get());
  const Challenge c =
      ChallengeGeneration(pk, h.string, gamma_string, PointToString(u.get(), ctx.get()),
                          PointToString(v.get(), ctx.get()));
  // Step 7: s = (k + c*x) mod q. c*x as a Montgomery product of (c*R mod q) and x, then a
  // masked modular addition; both run in time independent of x and k.
  const BIGNUM* order = EC_GROUP_get0_order(group);
  MontPtr mont(BN_MONT_CTX_new());
  CANDOR_CHECK(mont != nullptr && BN_MONT_CTX_set(mont.get(), order, ctx.get()) == 1);
  BnPtr c_mont = BnFromBytes(c, /*secret=*/false);
  CANDOR_CHECK(BN_to_montgomery(c_mont.get(), c_mont.get(), mont.get(), ctx.get()) == 1);
  BnPtr cx = NewBn(/*secret=*/true);
  CANDOR_CHECK(BN_mod_mul_montgomery(cx.get(), c_mont.get(), x_bn.get(), mont.get(), ctx.get()) ==
               1);
  BnPtr s = NewBn(/*secret=*/true);
  CANDOR_CHECK(BN_mod_add_quick(s.get(), k.get(), cx.get(), order) == 1);
  // Step 8: pi = point_to_string(Gamma) || int_to_string(c, cLen) || int_to_string(s, qLen).
  Bytes pi(kP256ProofLen);
  std::memcpy(pi.data(), gamma_string.data(), kP256PointLen);
  std::memcpy(pi.data() + kP256PointLen, c.data(), kCLen);
  CANDOR_CHECK(BN_bn2binpad(s.get(), pi.data() + kP256PointLen + kCLen, kP256ScalarLen) ==
               static_cast<int>(kP256ScalarLen));
  return pi;
}

namespace {

// DecodedKey is Y = string_to_point(PK_string), remembered per thread for the last key seen: a
// verifier checks many proofs under one directory key, and decoding Y (a modular square root)
// is about 6% of a verification. Returns nullptr for INVALID.
const EC_POINT* DecodedKey(ByteView pk, BN_CTX* ctx) {
  struct Cached {
    Bytes pk;
    PointPtr y;
  };
  thread_local Cached cached;
  if (cached.y == nullptr ||
      !std::equal(pk.begin(), pk.end(), cached.pk.begin(), cached.pk.end())) {
    PointPtr y = StringToPoint(pk, ctx);
    if (y == nullptr) return nullptr;
    cached.pk.assign(pk.begin(), pk.end());
    cached.y = std::move(y);
  }
  return cached.y.get();
}

// SumOfProducts returns a*P + b*Q for public scalars as one two-scalar multiplication: the
// group is copied with P as its generator, so EC_POINT_mul's n*G + m*Q form applies (about 30%
// faster here than two single products and an addition). P is not the point at infinity.
PointPtr SumOfProducts(const BIGNUM* a, const EC_POINT* p, const BIGNUM* b, const EC_POINT* q,
                       BN_CTX* ctx) {
  const EC_GROUP* group = Group();
  internal::OsslPtr<EC_GROUP> with_p(EC_GROUP_dup(group));
  CANDOR_CHECK(with_p != nullptr);
  CANDOR_CHECK(EC_GROUP_set_generator(with_p.get(), p, EC_GROUP_get0_order(group),
                                      EC_GROUP_get0_cofactor(group)) == 1);
  PointPtr out = NewPoint();  // of the shared group, which outlives the copy
  CANDOR_CHECK(EC_POINT_mul(with_p.get(), out.get(), a, q, b, ctx) == 1);
  return out;
}

}  // namespace

Result<Bytes> P256Verify(ByteView pk, ByteView alpha, ByteView proof) {
  const EC_GROUP* group = Group();
  BnCtxPtr ctx = NewCtx();
  // Steps 1-3 and validate_key (§5.4.5): Y decodes to a point on the curve; with cofactor 1 the
  // only point of small order is the point at infinity, which has no 33-byte encoding.
  const EC_POINT* y = DecodedKey(pk, ctx.get());
  if (y == nullptr) return VerifyFailed();
  // Steps 4-6: decode the proof.
  CANDOR_ASSIGN_OR_RETURN(DecodedProof d, DecodeProof(proof, ctx.get()));
  BnPtr c = BnFromBytes(d.c_string, /*secret=*/false);
  BnPtr s = BnFromBytes(d.s_string, /*secret=*/false);
  // Step 7: H = encode_to_curve(PK_string, alpha).
  HashedPoint h = EncodeToCurveTai(pk, alpha, ctx.get());
  // Step 8: U = s*B - c*Y, computed as s*B + (q - c)*Y.
  const BIGNUM* order = EC_GROUP_get0_order(group);
  BnPtr neg_c = NewBn(/*secret=*/false);
  CANDOR_CHECK(BN_mod_sub(neg_c.get(), order, c.get(), order, ctx.get()) == 1);
  PointPtr u = NewPoint();
  CANDOR_CHECK(EC_POINT_mul(group, u.get(), s.get(), y, neg_c.get(), ctx.get()) == 1);
  // Step 9: V = s*H - c*Gamma.
  PointPtr v = SumOfProducts(s.get(), h.point.get(), neg_c.get(), d.gamma.get(), ctx.get());
  // A proof whose U or V is the point at infinity cannot match a challenge (that would need a
  // SHA-256 preimage); reject it before encoding.
  if (EC_POINT_is_at_infinity(group, u.get()) == 1 ||
      EC_POINT_is_at_infinity(group, v.get()) == 1) {
    return VerifyFailed();
  }
  // Steps 10-11: c' = challenge_generation(Y, H, Gamma, U, V); accept iff c == c'.
  const Challenge expected =
      ChallengeGeneration(pk, h.string, d.gamma_string, PointToString(u.get(), ctx.get()),
                          PointToString(v.get(), ctx.get()));
  if (!ConstantTimeEqual(expected, d.c_string)) return VerifyFailed();
  return BetaFromGamma(d.gamma_string);
}

Result<Bytes> P256ProofToHash(ByteView proof) {
  BnCtxPtr ctx = NewCtx();
  CANDOR_ASSIGN_OR_RETURN(DecodedProof d, DecodeProof(proof, ctx.get()));
  return BetaFromGamma(d.gamma_string);
}

}  // namespace candor::crypto::vrf_internal
