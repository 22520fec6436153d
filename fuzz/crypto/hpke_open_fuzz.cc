// hpke_open_fuzz: a receiver facing an attacker's `enc` and ciphertext. SetupR must refuse a bad
// `enc` with kMalformed only, Open must refuse with kVerifyFailed only, and a refused Open must
// leave the context able to open the next genuine message. Neither may crash.
//
// Input layout: byte 0 picks the KEM (mod 5), byte 1 is the aad length (capped by what is
// left), then the aad, then Npk bytes of enc, then the ciphertext. For X25519 the receiver is
// RFC 9180 A.1.1 (skRm, info), so the seed corpus holds that vector's first message; for the
// other KEMs the receiver key is derived from a fixed ikm.
#include <array>

#include "candor/base/encoding.h"
#include "candor/crypto/hpke.h"
#include "fuzz/fuzz_target.h"

namespace {

using candor::AsBytes;
using candor::Bytes;
using candor::ByteView;
using candor::Errc;
using namespace candor::crypto;  // NOLINT(google-build-using-namespace)

constexpr std::array<KemId, 5> kKems = {KemId::kP256, KemId::kP384, KemId::kP521, KemId::kX25519,
                                        KemId::kX448};

Bytes FromHex(std::string_view hex) {
  auto b = candor::HexDecode(hex);
  FUZZ_REQUIRE(b.ok());
  return *b;
}

size_t PublicKeySize(KemId kem) {
  switch (kem) {
    case KemId::kP256:
      return 65;
    case KemId::kP384:
      return 97;
    case KemId::kP521:
      return 133;
    case KemId::kX25519:
      return 32;
    case KemId::kX448:
      return 56;
  }
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const ByteView in(data, size);
  const KemId kem = kKems[in[0] % kKems.size()];
  size_t pos = 2;
  const size_t aad_len = std::min<size_t>(in[1], size - pos);
  const ByteView aad = in.subspan(pos, aad_len);
  pos += aad_len;
  const size_t enc_len = std::min(PublicKeySize(kem), size - pos);
  const ByteView enc = in.subspan(pos, enc_len);
  pos += enc_len;
  const ByteView ciphertext = in.subspan(pos);

  Bytes sk_r;
  Bytes info;
  if (kem == KemId::kX25519) {
    sk_r = FromHex("4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8");
    info = FromHex("4f6465206f6e2061204772656369616e2055726e");
  } else {
    auto pair = DeriveKeyPair(kem, Bytes(66, 0x5a));
    FUZZ_REQUIRE(pair.ok());
    sk_r.assign(pair->private_key.view().begin(), pair->private_key.view().end());
    info = Bytes(AsBytes("fuzz").begin(), AsBytes("fuzz").end());
  }
  const HpkeSuite suite{kem, KdfId::kHkdfSha256, AeadId::kAes128Gcm};
  auto receiver = HpkeSetup(suite).SetupR(enc, sk_r, info);
  const bool enc_valid = ValidatePublicKey(kem, enc).ok();
  if (!receiver.ok()) {
    FUZZ_REQUIRE(receiver.error().code == Errc::kMalformed);
    return 0;
  }
  FUZZ_REQUIRE(enc_valid);
  auto opened = receiver->Open(aad, ciphertext);
  if (!opened.ok()) {
    FUZZ_REQUIRE(opened.error().code == Errc::kVerifyFailed);
    FUZZ_REQUIRE(receiver->Open(aad, ciphertext).error().code == Errc::kVerifyFailed);
    return 0;
  }
  FUZZ_REQUIRE(opened->size() + kAeadTagSize == ciphertext.size());
  // The nonce moved on: the same ciphertext does not open twice.
  FUZZ_REQUIRE(!receiver->Open(aad, ciphertext).ok());
  return 0;
}
