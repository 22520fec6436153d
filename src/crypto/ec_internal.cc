#include "ec_internal.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include <string>

namespace candor::crypto::internal {

namespace {

OsslPtr<EC_GROUP> NewGroup(int nid) {
  OsslPtr<EC_GROUP> group(EC_GROUP_new_by_curve_name(nid));
  CANDOR_CHECK(group != nullptr);
  return group;
}

}  // namespace

const EC_GROUP* EcGroup(int nid) {
  static const OsslPtr<EC_GROUP> p256 = NewGroup(NID_X9_62_prime256v1);
  static const OsslPtr<EC_GROUP> p384 = NewGroup(NID_secp384r1);
  static const OsslPtr<EC_GROUP> p521 = NewGroup(NID_secp521r1);
  switch (nid) {
    case NID_X9_62_prime256v1:
      return p256.get();
    case NID_secp384r1:
      return p384.get();
    case NID_secp521r1:
      return p521.get();
    default:
      break;
  }
  CANDOR_CHECK(false && "unsupported curve");
  return nullptr;
}

size_t EcScalarSize(const EC_GROUP* group) {
  return static_cast<size_t>(BN_num_bytes(EC_GROUP_get0_order(group)));
}

size_t EcPointSize(const EC_GROUP* group) {
  return 1 + 2 * static_cast<size_t>((EC_GROUP_get_degree(group) + 7) / 8);
}

bool EcScalarInRange(const EC_GROUP* group, ByteView sk) {
  const size_t len = EcScalarSize(group);
  if (sk.size() != len) return false;
  Bytes order(len);
  CANDOR_CHECK(BN_bn2binpad(EC_GROUP_get0_order(group), order.data(), static_cast<int>(len)) ==
               static_cast<int>(len));
  // Subtract the order byte by byte from the least significant end: a final borrow means
  // sk < order. `any` collects the bits of sk to rule out zero.
  uint32_t borrow = 0;
  uint32_t any = 0;
  for (size_t i = len; i-- > 0;) {
    const uint32_t diff = uint32_t{sk[i]} - uint32_t{order[i]} - borrow;
    borrow = (diff >> 8) & 1;
    any |= sk[i];
  }
  const uint32_t nonzero = (any | (0U - any)) >> 31;
  return (borrow & nonzero) == 1;
}

OsslPtr<BIGNUM> EcSecretScalar(ByteView sk) {
  OsslPtr<BIGNUM> k(BN_secure_new());
  CANDOR_CHECK(k != nullptr);
  BN_set_flags(k.get(), BN_FLG_CONSTTIME);
  CANDOR_CHECK(BN_bin2bn(sk.data(), static_cast<int>(sk.size()), k.get()) != nullptr);
  return k;
}

Bytes EcPublicKey(const EC_GROUP* group, ByteView sk) {
  OsslPtr<BN_CTX> ctx(BN_CTX_secure_new());
  OsslPtr<EC_POINT> pt(EC_POINT_new(group));
  CANDOR_CHECK(ctx != nullptr && pt != nullptr);
  OsslPtr<BIGNUM> k = EcSecretScalar(sk);
  CANDOR_CHECK(EC_POINT_mul(group, pt.get(), k.get(), nullptr, nullptr, ctx.get()) == 1);
  Bytes out(EcPointSize(group));
  CANDOR_CHECK(EC_POINT_point2oct(group, pt.get(), POINT_CONVERSION_UNCOMPRESSED, out.data(),
                                  out.size(), ctx.get()) == out.size());
  return out;
}

Result<OsslPtr<EC_POINT>> EcDecodePoint(const EC_GROUP* group, ByteView pk, const char* what) {
  if (pk.size() != EcPointSize(group) || pk[0] != 0x04) {
    return MakeError(Errc::kMalformed, std::string(what) + ": not an uncompressed SEC1 point");
  }
  OsslPtr<BN_CTX> ctx(BN_CTX_new());
  OsslPtr<EC_POINT> pt(EC_POINT_new(group));
  CANDOR_CHECK(ctx != nullptr && pt != nullptr);
  if (EC_POINT_oct2point(group, pt.get(), pk.data(), pk.size(), ctx.get()) != 1 ||
      EC_POINT_is_on_curve(group, pt.get(), ctx.get()) != 1 ||
      EC_POINT_is_at_infinity(group, pt.get()) == 1) {
    ERR_clear_error();
    return MakeError(Errc::kMalformed, std::string(what) + ": not a point on the curve");
  }
  return pt;
}

}  // namespace candor::crypto::internal
