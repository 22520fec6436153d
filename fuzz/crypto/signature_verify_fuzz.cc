// signature_verify_fuzz: SignatureVerify on attacker-chosen keys, messages and signatures must
// answer OK or kVerifyFailed (with the fixed text) and never crash. A signature made by a real
// key over the fuzz message must verify, and must stop verifying when the input's bytes are
// xored into it.
//
// Input layout: byte 0 picks the scheme (mod 5), byte 1 the public key length, byte 2 the
// signature length (each capped by what is left), then the public key, the signature, and the
// message (the rest).
#include <array>

#include "candor/crypto/signature.h"
#include "fuzz/fuzz_target.h"

namespace {

using candor::Bytes;
using candor::ByteView;
using candor::Errc;
using candor::crypto::SignaturePrivateKey;
using candor::crypto::SignatureScheme;
using candor::crypto::SignatureVerify;

constexpr std::array<SignatureScheme, 5> kSchemes = {
    SignatureScheme::kEcdsaSecp256r1Sha256, SignatureScheme::kEcdsaSecp384r1Sha384,
    SignatureScheme::kEcdsaSecp521r1Sha512, SignatureScheme::kEd25519, SignatureScheme::kEd448};

// Key returns a fixed key per scheme so runs are reproducible.
const SignaturePrivateKey& Key(size_t i) {
  static const std::array<SignaturePrivateKey, 5> keys = {
      SignaturePrivateKey::FromBytes(kSchemes[0], Bytes(32, 0x11)).value(),
      SignaturePrivateKey::FromBytes(kSchemes[1], Bytes(48, 0x22)).value(),
      SignaturePrivateKey::FromBytes(kSchemes[2], Bytes(66, 0x01)).value(),
      SignaturePrivateKey::FromBytes(kSchemes[3], Bytes(32, 0x44)).value(),
      SignaturePrivateKey::FromBytes(kSchemes[4], Bytes(57, 0x55)).value(),
  };
  return keys[i];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const ByteView in(data, size);
  const size_t which = in[0] % kSchemes.size();
  const SignatureScheme scheme = kSchemes[which];
  size_t pos = 3;
  const size_t pk_len = std::min<size_t>(in[1], size - pos);
  const ByteView pk = in.subspan(pos, pk_len);
  pos += pk_len;
  const size_t sig_len = std::min<size_t>(in[2], size - pos);
  const ByteView sig = in.subspan(pos, sig_len);
  pos += sig_len;
  const ByteView message = in.subspan(pos);

  auto r = SignatureVerify(scheme, pk, message, sig);
  if (!r.ok()) {
    FUZZ_REQUIRE(r.error().code == Errc::kVerifyFailed);
    FUZZ_REQUIRE(r.error().message == candor::VerifyFailed().message);
  }

  const SignaturePrivateKey& key = Key(which);
  Bytes good = key.Sign(message);
  FUZZ_REQUIRE(SignatureVerify(scheme, key.public_key(), message, good).ok());
  bool changed = false;
  for (size_t i = 0; i < sig.size() && i < good.size(); ++i) {
    good[i] ^= sig[i];
    changed = changed || sig[i] != 0;
  }
  if (changed) FUZZ_REQUIRE(!SignatureVerify(scheme, key.public_key(), message, good).ok());
  return 0;
}
