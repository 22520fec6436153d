// ECVRF-EDWARDS25519-SHA512-TAI (RFC 9381 §5.5, suite_string 0x03) over libsodium.
//
// libsodium 1.0.18 facts this file relies on:
//  - crypto_core_ed25519_add/_sub accept any point on the curve (identity and torsion included)
//    and always output canonical encodings; ge25519_frombytes returns an error for a y with no x.
//  - crypto_scalarmult_ed25519_noclamp accepts only canonical points of the prime-order subgroup
//    that are not of small order, and returns -1 (after writing the identity) when the product
//    is the identity; the _base variants likewise. Both run in time independent of the scalar.
//  - crypto_core_ed25519_scalar_{reduce,mul,add} are constant time.
// Secret values (the hashed seed, x, k) sit in SecretBytes and are used only by those functions.
// A verifier's inputs are public, so verification may branch on them.
#include <sodium.h>

#include <array>
#include <cstring>
#include <initializer_list>

#include "candor/crypto/constant_time.h"
#include "vrf_internal.h"

namespace candor::crypto::vrf_internal {
namespace {

constexpr uint8_t kSuiteString = 0x03;
using Point = std::array<uint8_t, kEd25519PointLen>;
using Scalar = std::array<uint8_t, kEd25519ScalarLen>;
using Hash64 = std::array<uint8_t, crypto_hash_sha512_BYTES>;

// The identity (0, 1), the field prime p = 2^255 - 19 and p - 1 (the y of the point (0, -1)),
// and the group order L = 2^252 + 27742317777372353535851937790883648493; all little-endian.
constexpr Point kIdentity = {0x01};
constexpr std::array<uint8_t, 32> kP = {
    0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
constexpr std::array<uint8_t, 32> kPMinus1 = {
    0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
constexpr Scalar kL = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                       0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                       0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

void InitSodium() { CANDOR_CHECK(sodium_init() >= 0); }

// LessThanLe compares two 32-byte little-endian integers (public values only).
bool LessThanLe(const uint8_t* a, const uint8_t* b) {
  for (size_t i = 32; i-- > 0;) {
    if (a[i] != b[i]) return a[i] < b[i];
  }
  return false;
}

bool Equal32(const uint8_t* a, const uint8_t* b) { return std::memcmp(a, b, 32) == 0; }

bool IsIdentity(const Point& p) { return Equal32(p.data(), kIdentity.data()); }

// Sha512 hashes the concatenation of `parts` into `out`.
void Sha512(uint8_t* out, std::initializer_list<ByteView> parts) {
  crypto_hash_sha512_state state;
  crypto_hash_sha512_init(&state);
  for (ByteView part : parts) crypto_hash_sha512_update(&state, part.data(), part.size());
  crypto_hash_sha512_final(&state, out);
  sodium_memzero(&state, sizeof(state));
}

Point Add(const Point& a, const Point& b) {
  Point r;
  CANDOR_CHECK(crypto_core_ed25519_add(r.data(), a.data(), b.data()) == 0);
  return r;
}

Point Sub(const Point& a, const Point& b) {
  Point r;
  CANDOR_CHECK(crypto_core_ed25519_sub(r.data(), a.data(), b.data()) == 0);
  return r;
}

// TimesCofactor returns 8*p for a point on the curve.
Point TimesCofactor(const Point& p) {
  const Point p2 = Add(p, p);
  const Point p4 = Add(p2, p2);
  return Add(p4, p4);
}

// CanonicalEncoding copies `s` to `out` and checks the RFC 8032 §5.1.3 conditions on the bytes
// alone: 32 bytes, y < p, and not x = 0 with the sign bit set.
bool CanonicalEncoding(ByteView s, Point& out) {
  if (s.size() != kEd25519PointLen) return false;
  std::memcpy(out.data(), s.data(), out.size());
  Point y = out;
  y[31] &= 0x7f;
  if (!LessThanLe(y.data(), kP.data())) return false;
  const bool sign = (out[31] & 0x80) != 0;
  return !(sign && (Equal32(y.data(), kIdentity.data()) || Equal32(y.data(), kPMinus1.data())));
}

// StringToPoint is RFC 9381 §5.5 string_to_point: RFC 8032 §5.1.3 decoding, which rejects
// y >= p, a y with no x on the curve, and x = 0 with the sign bit set. On success `out` is the
// (then canonical) input.
bool StringToPoint(ByteView s, Point& out) {
  if (!CanonicalEncoding(s, out)) return false;
  Point sum;
  return crypto_core_ed25519_add(sum.data(), out.data(), kIdentity.data()) == 0;
}

// MulSubgroup returns scalar*p for `p` in the prime-order subgroup (identity allowed). The time
// taken does not depend on `scalar`, and neither does any branch: for such a `p` libsodium
// writes the product before it reports an identity product as -1, so that result (which
// depends on the scalar) is not looked at.
Point MulSubgroup(const uint8_t* scalar, const Point& p) {
  if (IsIdentity(p)) return kIdentity;
  Point r = kIdentity;
  const int identity_product = crypto_scalarmult_ed25519_noclamp(r.data(), scalar, p.data());
  static_cast<void>(identity_product);
  return r;
}

// MulBase returns scalar*B, with no branch on `scalar` (see MulSubgroup).
Point MulBase(const uint8_t* scalar) {
  Point r = kIdentity;
  const int identity_product = crypto_scalarmult_ed25519_base_noclamp(r.data(), scalar);
  static_cast<void>(identity_product);
  return r;
}

// MulAny sets `out` = scalar*P for a public scalar < L and the point P that the canonical
// encoding `p` (CanonicalEncoding passed) names, torsion component included, and sets
// `small_order` to whether 8P is the identity. Returns false if `p` is not on the curve.
// Variable time. Fast path: libsodium's noclamp product succeeds exactly when P is in the
// prime-order subgroup, not the identity, and the product is not the identity (every honest
// key and Gamma). Otherwise P = P_main + T with P_main = (8^-1 mod L)*(8P) in the prime-order
// subgroup and T of order dividing 8, so scalar*P = scalar*P_main + (scalar mod 8)*T.
bool MulAny(const Scalar& scalar, const Point& p, Point& out, bool& small_order) {
  if (crypto_scalarmult_ed25519_noclamp(out.data(), scalar.data(), p.data()) == 0) {
    small_order = false;
    return true;
  }
  Point on_curve;
  if (crypto_core_ed25519_add(on_curve.data(), p.data(), kIdentity.data()) != 0) return false;
  static const Scalar kInv8 = [] {
    Scalar eight = {8};
    Scalar inv;
    CANDOR_CHECK(crypto_core_ed25519_scalar_invert(inv.data(), eight.data()) == 0);
    return inv;
  }();
  const Point p8 = TimesCofactor(p);
  small_order = IsIdentity(p8);
  const Point main = MulSubgroup(kInv8.data(), p8);
  const Point torsion = Sub(p, main);
  out = MulSubgroup(scalar.data(), main);
  if (IsIdentity(torsion)) return true;
  for (unsigned i = 0; i < (scalar[0] & 7U); ++i) out = Add(out, torsion);
  return true;
}

// EncodeToCurveTai is ECVRF_encode_to_curve_try_and_increment (RFC 9381 §5.4.1.1) with
// encode_to_curve_salt = PK_string: the first 32 bytes of each hash are decoded with
// string_to_point and the first success is multiplied by the cofactor.
Point EncodeToCurveTai(ByteView pk, ByteView alpha) {
  const uint8_t front[2] = {kSuiteString, 0x01};
  constexpr uint8_t kBack = 0x00;
  for (unsigned ctr = 0; ctr < 256; ++ctr) {
    const auto ctr_string = static_cast<uint8_t>(ctr);
    Hash64 hash;
    Sha512(hash.data(), {front, pk, alpha, ByteView(&ctr_string, 1), ByteView(&kBack, 1)});
    Point candidate;
    if (StringToPoint(ByteView(hash).first(kEd25519PointLen), candidate)) {
      return TimesCofactor(candidate);
    }
  }
  // 256 consecutive failures have probability 2^-256; no input can be chosen to cause them.
  ::candor::internal::CheckFailed("ECVRF try-and-increment exhausted its counter", __FILE__,
                                  __LINE__);
}

// ChallengeGeneration is ECVRF_challenge_generation (RFC 9381 §5.4.3): the first cLen bytes of
// SHA-512 over the strings of Y, H, Gamma, U, V, as a 32-byte little-endian scalar.
Scalar ChallengeGeneration(ByteView y, const Point& h, ByteView gamma, const Point& u,
                           const Point& v) {
  const uint8_t front[2] = {kSuiteString, 0x02};
  constexpr uint8_t kBack = 0x00;
  Hash64 c_string;
  Sha512(c_string.data(), {front, y, h, gamma, u, v, ByteView(&kBack, 1)});
  Scalar c = {};
  std::memcpy(c.data(), c_string.data(), kCLen);
  return c;
}

// DecodedProof is ECVRF_decode_proof (RFC 9381 §5.4.4) except for the on-curve test of Gamma,
// which callers make (Ed25519Verify inside MulAny): Gamma's encoding is canonical and s < L.
struct DecodedProof {
  Point gamma;
  Scalar c = {};
  Scalar s = {};
};

Result<DecodedProof> DecodeProof(ByteView proof) {
  DecodedProof d;
  if (!CanonicalEncoding(proof.first(kEd25519PointLen), d.gamma)) return VerifyFailed();
  std::memcpy(d.c.data(), proof.subspan(kEd25519PointLen, kCLen).data(), kCLen);
  std::memcpy(d.s.data(), proof.subspan(kEd25519PointLen + kCLen).data(), kEd25519ScalarLen);
  if (!LessThanLe(d.s.data(), kL.data())) return VerifyFailed();
  return d;
}

// BetaFromGamma is steps 4-6 of ECVRF_proof_to_hash (RFC 9381 §5.2).
Bytes BetaFromGamma(const Point& gamma) {
  const uint8_t front[2] = {kSuiteString, 0x03};
  constexpr uint8_t kBack = 0x00;
  Bytes beta(kEd25519BetaLen);
  Sha512(beta.data(), {front, TimesCofactor(gamma), ByteView(&kBack, 1)});
  return beta;
}

// SecretScalar is x: the clamped first half of SHA-512(SK) (RFC 8032 §5.1.5), taken mod L.
SecretBytes SecretScalar(const SecretBytes& hashed) {
  SecretBytes wide(crypto_core_ed25519_NONREDUCEDSCALARBYTES);
  std::memcpy(wide.data(), hashed.view().data(), 32);
  wide.data()[0] &= 248;
  wide.data()[31] &= 127;
  wide.data()[31] |= 64;
  SecretBytes x(kEd25519ScalarLen);
  crypto_core_ed25519_scalar_reduce(x.data(), wide.data());
  return x;
}

}  // namespace

Bytes Ed25519PublicKey(ByteView seed) {
  InitSodium();
  SecretBytes hashed(crypto_hash_sha512_BYTES);
  Sha512(hashed.data(), {seed});
  Bytes pk(kEd25519PointLen);
  // crypto_scalarmult_ed25519_base clamps the first half as RFC 8032 §5.1.5 does.
  CANDOR_CHECK(crypto_scalarmult_ed25519_base(pk.data(), hashed.data()) == 0);
  return pk;
}

Bytes Ed25519Evaluate(ByteView seed, ByteView pk, ByteView alpha) {
  InitSodium();
  SecretBytes hashed(crypto_hash_sha512_BYTES);
  Sha512(hashed.data(), {seed});
  SecretBytes x = SecretScalar(hashed);
  // beta hashes 8*Gamma = 8*x*H: one scalar multiplication by 8x mod L instead of Gamma = x*H
  // followed by three point doublings (H is in the prime-order subgroup).
  Scalar eight{};
  eight[0] = 8;
  SecretBytes x8(kEd25519ScalarLen);
  crypto_core_ed25519_scalar_mul(x8.data(), x.data(), eight.data());
  const Point cofactor_gamma = MulSubgroup(x8.data(), EncodeToCurveTai(pk, alpha));
  const uint8_t front[2] = {kSuiteString, 0x03};
  constexpr uint8_t kBack = 0x00;
  Bytes beta(kEd25519BetaLen);
  Sha512(beta.data(), {front, cofactor_gamma, ByteView(&kBack, 1)});
  return beta;
}

Bytes Ed25519Prove(ByteView seed, ByteView pk, ByteView alpha) {
  InitSodium();
  // Step 1: x is the clamped first half of SHA-512(SK) (RFC 8032 §5.1.5), taken mod L.
  SecretBytes hashed(crypto_hash_sha512_BYTES);
  Sha512(hashed.data(), {seed});
  SecretBytes x = SecretScalar(hashed);
  // Steps 2-4: H = encode_to_curve(PK_string, alpha), Gamma = x*H.
  const Point h = EncodeToCurveTai(pk, alpha);
  const Point gamma = MulSubgroup(x.data(), h);
  // Step 5 (§5.4.2.2): k = SHA-512(second half of SHA-512(SK) || h_string) mod L.
  SecretBytes k_string(crypto_hash_sha512_BYTES);
  Sha512(k_string.data(), {hashed.view().subspan(32), h});
  SecretBytes k(kEd25519ScalarLen);
  crypto_core_ed25519_scalar_reduce(k.data(), k_string.data());
  // Step 6: c = challenge_generation(Y, H, Gamma, k*B, k*H).
  const Scalar c = ChallengeGeneration(pk, h, gamma, MulBase(k.data()), MulSubgroup(k.data(), h));
  // Step 7: s = (k + c*x) mod L.
  SecretBytes cx(kEd25519ScalarLen);
  crypto_core_ed25519_scalar_mul(cx.data(), c.data(), x.data());
  Scalar s;
  crypto_core_ed25519_scalar_add(s.data(), k.data(), cx.data());
  // Step 8: pi = point_to_string(Gamma) || int_to_string(c, cLen) || int_to_string(s, qLen).
  Bytes pi(kEd25519ProofLen);
  std::memcpy(pi.data(), gamma.data(), kEd25519PointLen);
  std::memcpy(pi.data() + kEd25519PointLen, c.data(), kCLen);
  std::memcpy(pi.data() + kEd25519PointLen + kCLen, s.data(), kEd25519ScalarLen);
  return pi;
}

Result<Bytes> Ed25519Verify(ByteView pk, ByteView alpha, ByteView proof) {
  InitSodium();
  // Steps 1-6 and validate_key (§5.4.5): Y and Gamma decode (canonical encodings here, on the
  // curve inside MulAny), cofactor*Y is not the identity, s < L. Every failure looks the same,
  // so the checks may run in any order.
  Point y;
  if (!CanonicalEncoding(pk, y)) return VerifyFailed();
  CANDOR_ASSIGN_OR_RETURN(DecodedProof d, DecodeProof(proof));
  Point c_y;
  Point c_gamma;
  bool y_small_order = true;
  bool gamma_small_order = true;
  if (!MulAny(d.c, y, c_y, y_small_order) || y_small_order) return VerifyFailed();
  if (!MulAny(d.c, d.gamma, c_gamma, gamma_small_order)) return VerifyFailed();
  // Step 7: H = encode_to_curve(PK_string, alpha).
  const Point h = EncodeToCurveTai(pk, alpha);
  // Steps 8-9: U = s*B - c*Y, V = s*H - c*Gamma, in the full group.
  const Point u = Sub(MulBase(d.s.data()), c_y);
  const Point v = Sub(MulSubgroup(d.s.data(), h), c_gamma);
  // Steps 10-11: c' = challenge_generation(Y, H, Gamma, U, V); accept iff c == c'.
  const Scalar expected = ChallengeGeneration(pk, h, d.gamma, u, v);
  if (!ConstantTimeEqual(ByteView(expected).first(kCLen), ByteView(d.c).first(kCLen))) {
    return VerifyFailed();
  }
  return BetaFromGamma(d.gamma);
}

Result<Bytes> Ed25519ProofToHash(ByteView proof) {
  InitSodium();
  CANDOR_ASSIGN_OR_RETURN(DecodedProof d, DecodeProof(proof));
  Point on_curve;
  if (crypto_core_ed25519_add(on_curve.data(), d.gamma.data(), kIdentity.data()) != 0) {
    return VerifyFailed();
  }
  return BetaFromGamma(d.gamma);
}

}  // namespace candor::crypto::vrf_internal
