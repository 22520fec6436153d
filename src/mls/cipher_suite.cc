#include "candor/mls/cipher_suite.h"

#include <array>
#include <string>

#include "candor/base/tls.h"

namespace candor::mls {
namespace {

using crypto::AeadId;
using crypto::HashId;
using crypto::KdfId;
using crypto::KemId;
using crypto::SignatureScheme;

// RFC 9420 §17.1 table; Nh is the hash size, Nk/Nn the AEAD key and nonce sizes.
constexpr std::array<CipherSuiteParams, 7> kSuites = {{
    {CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519, KemId::kX25519, KdfId::kHkdfSha256,
     AeadId::kAes128Gcm, HashId::kSha256, SignatureScheme::kEd25519, 32, 16, 12},
    {CipherSuite::MLS_128_DHKEMP256_AES128GCM_SHA256_P256, KemId::kP256, KdfId::kHkdfSha256,
     AeadId::kAes128Gcm, HashId::kSha256, SignatureScheme::kEcdsaSecp256r1Sha256, 32, 16, 12},
    {CipherSuite::MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519, KemId::kX25519,
     KdfId::kHkdfSha256, AeadId::kChaCha20Poly1305, HashId::kSha256, SignatureScheme::kEd25519, 32,
     32, 12},
    {CipherSuite::MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448, KemId::kX448, KdfId::kHkdfSha512,
     AeadId::kAes256Gcm, HashId::kSha512, SignatureScheme::kEd448, 64, 32, 12},
    {CipherSuite::MLS_256_DHKEMP521_AES256GCM_SHA512_P521, KemId::kP521, KdfId::kHkdfSha512,
     AeadId::kAes256Gcm, HashId::kSha512, SignatureScheme::kEcdsaSecp521r1Sha512, 64, 32, 12},
    {CipherSuite::MLS_256_DHKEMX448_CHACHA20POLY1305_SHA512_Ed448, KemId::kX448, KdfId::kHkdfSha512,
     AeadId::kChaCha20Poly1305, HashId::kSha512, SignatureScheme::kEd448, 64, 32, 12},
    {CipherSuite::MLS_256_DHKEMP384_AES256GCM_SHA384_P384, KemId::kP384, KdfId::kHkdfSha384,
     AeadId::kAes256Gcm, HashId::kSha384, SignatureScheme::kEcdsaSecp384r1Sha384, 48, 32, 12},
}};

constexpr std::string_view kLabelPrefix = "MLS 1.0 ";

// WriteLabel writes `opaque label<V> = "MLS 1.0 " + label`.
void WriteLabel(tls::Writer& w, std::string_view label) {
  std::string full(kLabelPrefix);
  full.append(label);
  w.OpaqueV(AsBytes(full));
}

// LabeledPair encodes the two-field structs SignContent and EncryptContext:
// `struct { opaque label<V> = "MLS 1.0 " + label; opaque second<V>; }`.
// The buffer is wiped when freed: `second` may be a plaintext (a signed application message).
SecretBytes LabeledPair(std::string_view label, ByteView second) {
  tls::Writer w = tls::Writer::ForSecrets();
  WriteLabel(w, label);
  w.OpaqueV(second);
  return w.TakeSecret();
}

}  // namespace

Result<const CipherSuiteParams*> GetCipherSuiteParams(uint16_t code_point) {
  for (const CipherSuiteParams& p : kSuites) {
    if (static_cast<uint16_t>(p.suite) == code_point) return &p;
  }
  return MakeError(Errc::kInvalidArgument,
                   "CipherSuite: unsupported code point " + std::to_string(code_point));
}

Result<const CipherSuiteParams*> GetCipherSuiteParams(CipherSuite suite) {
  return GetCipherSuiteParams(static_cast<uint16_t>(suite));
}

Bytes Hash(const CipherSuiteParams& cs, ByteView data) { return crypto::Hash(cs.hash, data); }

Bytes Mac(const CipherSuiteParams& cs, ByteView key, ByteView data) {
  return crypto::Hmac(cs.hash, key, data);
}

SecretBytes KdfExtract(const CipherSuiteParams& cs, ByteView salt, ByteView ikm) {
  return crypto::HkdfExtract(cs.hash, salt, ikm);
}

// RFC 9420 §5.2: struct { opaque label<V>; opaque value<V>; } RefHashInput;
Bytes RefHash(const CipherSuiteParams& cs, std::string_view label, ByteView value) {
  tls::Writer w;
  w.OpaqueV(AsBytes(label));
  w.OpaqueV(value);
  return Hash(cs, w.bytes());
}

// RFC 9420 §8: struct { uint16 length; opaque label<V>; opaque context<V>; } KDFLabel;
Result<SecretBytes> ExpandWithLabel(const CipherSuiteParams& cs, ByteView secret,
                                    std::string_view label, ByteView context, uint16_t length) {
  tls::Writer w;
  w.U16(length);
  WriteLabel(w, label);
  w.OpaqueV(context);
  return crypto::HkdfExpand(cs.hash, secret, w.bytes(), length);
}

Result<SecretBytes> DeriveSecret(const CipherSuiteParams& cs, ByteView secret,
                                 std::string_view label) {
  return ExpandWithLabel(cs, secret, label, {}, cs.nh);
}

Result<SecretBytes> DeriveTreeSecret(const CipherSuiteParams& cs, ByteView secret,
                                     std::string_view label, uint32_t generation, uint16_t length) {
  tls::Writer ctx;
  ctx.U32(generation);
  return ExpandWithLabel(cs, secret, label, ctx.bytes(), length);
}

// RFC 9420 §5.1.2: struct { opaque label<V>; opaque content<V>; } SignContent;
Result<Bytes> SignWithLabel(const CipherSuiteParams& cs, const crypto::SignaturePrivateKey& key,
                            std::string_view label, ByteView content) {
  if (key.scheme() != cs.signature) {
    return MakeError(Errc::kInvalidArgument, "SignWithLabel: key scheme does not match suite");
  }
  return key.Sign(LabeledPair(label, content).view());
}

Status VerifyWithLabel(const CipherSuiteParams& cs, ByteView public_key, std::string_view label,
                       ByteView content, ByteView signature) {
  if (!crypto::SignatureVerify(cs.signature, public_key, LabeledPair(label, content).view(),
                               signature)
           .ok()) {
    return VerifyFailed();
  }
  return OkStatus();
}

// RFC 9420 §5.1.3: struct { opaque label<V>; opaque context<V>; } EncryptContext;
Result<crypto::HpkeCiphertext> EncryptWithLabel(const CipherSuiteParams& cs, ByteView public_key,
                                                std::string_view label, ByteView context,
                                                ByteView plaintext) {
  return crypto::HpkeSealBase(cs.hpke(), public_key, LabeledPair(label, context).view(), {},
                              plaintext);
}

Result<LabeledEncryptor> LabeledEncryptor::Create(const CipherSuiteParams& cs,
                                                  std::string_view label, ByteView context) {
  CANDOR_ASSIGN_OR_RETURN(
      crypto::HpkeBaseSealer sealer,
      crypto::HpkeBaseSealer::Create(cs.hpke(), LabeledPair(label, context).view()));
  return LabeledEncryptor(std::move(sealer));
}

Result<SecretBytes> DecryptWithLabel(const CipherSuiteParams& cs, ByteView private_key,
                                     std::string_view label, ByteView context, ByteView kem_output,
                                     ByteView ciphertext) {
  return crypto::HpkeOpenBase(cs.hpke(), kem_output, private_key,
                              LabeledPair(label, context).view(), {}, ciphertext);
}

}  // namespace candor::mls
