// cipher_suite.h: the MLS protocol version and cipher suite code points (RFC 9420 §6, §17.1),
// the parameters of each suite, and the labeled cryptographic operations of RFC 9420 §5
// (RefHash, ExpandWithLabel, DeriveSecret, DeriveTreeSecret, SignWithLabel, VerifyWithLabel,
// EncryptWithLabel, DecryptWithLabel) plus Hash, MAC and KDF.Extract. Pure functions over the
// primitives of candor/crypto; thread-safe; no function keeps a reference to its arguments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/crypto/aead.h"
#include "candor/crypto/hash.h"
#include "candor/crypto/hpke.h"
#include "candor/crypto/signature.h"

namespace candor::mls {

// ProtocolVersion is RFC 9420 §6 `enum { reserved(0), mls10(1), (65535) } ProtocolVersion`.
enum class ProtocolVersion : uint16_t { mls10 = 1 };

// CipherSuite is RFC 9420 §17.1 `uint16 CipherSuite`; names are the registry's.
enum class CipherSuite : uint16_t {
  MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519 = 0x0001,
  MLS_128_DHKEMP256_AES128GCM_SHA256_P256 = 0x0002,
  MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519 = 0x0003,
  MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448 = 0x0004,
  MLS_256_DHKEMP521_AES256GCM_SHA512_P521 = 0x0005,
  MLS_256_DHKEMX448_CHACHA20POLY1305_SHA512_Ed448 = 0x0006,
  MLS_256_DHKEMP384_AES256GCM_SHA384_P384 = 0x0007,
};

// CipherSuiteParams lists the algorithms of one cipher suite and their sizes: `nh` is KDF.Nh
// (the hash and KDF output size), `nk` is AEAD.Nk and `nn` is AEAD.Nn (RFC 9420 §5.1). The
// objects returned by GetCipherSuiteParams are static and live for the whole program.
struct CipherSuiteParams {
  CipherSuite suite;
  crypto::KemId kem;
  crypto::KdfId kdf;
  crypto::AeadId aead;
  crypto::HashId hash;
  crypto::SignatureScheme signature;
  uint16_t nh;
  uint16_t nk;
  uint16_t nn;

  // hpke returns the HPKE suite (KEM, KDF, AEAD) of this cipher suite.
  crypto::HpkeSuite hpke() const { return {kem, kdf, aead}; }
};

// GetCipherSuiteParams returns the parameters of the cipher suite with code point `code_point`
// (one of the seven of RFC 9420 §17.1). Any other value, including GREASE, is kInvalidArgument.
Result<const CipherSuiteParams*> GetCipherSuiteParams(uint16_t code_point);

// GetCipherSuiteParams returns the parameters of `suite`; kInvalidArgument for a value outside
// the enum's list.
Result<const CipherSuiteParams*> GetCipherSuiteParams(CipherSuite suite);

// Hash returns Hash(data) with the suite's hash function (Nh bytes).
Bytes Hash(const CipherSuiteParams& cs, ByteView data);

// Mac returns RFC 9420 MAC(key, data): HMAC with the suite's hash (Nh bytes). The key may be
// secret; the tag is public. Compare tags only with crypto::ConstantTimeEqual.
Bytes Mac(const CipherSuiteParams& cs, ByteView key, ByteView data);

// KdfExtract returns KDF.Extract(salt, ikm) (HKDF-Extract, Nh bytes). An empty `salt` is the
// same as Nh zero bytes.
SecretBytes KdfExtract(const CipherSuiteParams& cs, ByteView salt, ByteView ikm);

// RefHash returns RefHash(label, value) = Hash(RefHashInput{label, value}) (RFC 9420 §5.2).
// `label` is used as given (for example "MLS 1.0 KeyPackage Reference").
Bytes RefHash(const CipherSuiteParams& cs, std::string_view label, ByteView value);

// ExpandWithLabel returns KDF.Expand(secret, KDFLabel{length, "MLS 1.0 " + label, context},
// length) (RFC 9420 §8). Returns kInvalidArgument if `secret` is shorter than Nh or `length`
// exceeds 255 * Nh.
Result<SecretBytes> ExpandWithLabel(const CipherSuiteParams& cs, ByteView secret,
                                    std::string_view label, ByteView context, uint16_t length);

// DeriveSecret returns ExpandWithLabel(secret, label, "", Nh) (RFC 9420 §8). Returns
// kInvalidArgument if `secret` is shorter than Nh.
Result<SecretBytes> DeriveSecret(const CipherSuiteParams& cs, ByteView secret,
                                 std::string_view label);

// DeriveTreeSecret returns ExpandWithLabel(secret, label, uint32 generation, length)
// (RFC 9420 §9.1). Failures as ExpandWithLabel.
Result<SecretBytes> DeriveTreeSecret(const CipherSuiteParams& cs, ByteView secret,
                                     std::string_view label, uint32_t generation, uint16_t length);

// SignWithLabel returns Signature.Sign(key, SignContent{"MLS 1.0 " + label, content})
// (RFC 9420 §5.1.2). Returns kInvalidArgument if `key` is not of the suite's signature scheme.
Result<Bytes> SignWithLabel(const CipherSuiteParams& cs, const crypto::SignaturePrivateKey& key,
                            std::string_view label, ByteView content);

// VerifyWithLabel checks `signature` over SignContent{"MLS 1.0 " + label, content} under
// `public_key` (RFC 9420 §5.1.2). Every failure, including a malformed key, is kVerifyFailed.
Status VerifyWithLabel(const CipherSuiteParams& cs, ByteView public_key, std::string_view label,
                       ByteView content, ByteView signature);

// EncryptWithLabel is SealBase(public_key, EncryptContext{"MLS 1.0 " + label, context}, "",
// plaintext) with the suite's HPKE (RFC 9420 §5.1.3). Randomized. Returns kMalformed for an
// invalid `public_key`.
Result<crypto::HpkeCiphertext> EncryptWithLabel(const CipherSuiteParams& cs, ByteView public_key,
                                                std::string_view label, ByteView context,
                                                ByteView plaintext);

// LabeledEncryptor is EncryptWithLabel for many public keys under one `label` and `context`:
// EncryptContext is encoded and hashed into HPKE's key schedule once, by Create, rather than
// once per recipient (crypto::HpkeBaseSealer). A Welcome to many new members uses it: their
// shared context is the whole encrypted GroupInfo. Encrypt is const and thread-safe; the
// encryptor keeps no reference to Create's arguments.
class LabeledEncryptor {
 public:
  // Create prepares EncryptWithLabel(·, label, context, ·) for the suite `cs`.
  static Result<LabeledEncryptor> Create(const CipherSuiteParams& cs, std::string_view label,
                                         ByteView context);
  // Encrypt equals EncryptWithLabel(cs, public_key, label, context, plaintext).
  Result<crypto::HpkeCiphertext> Encrypt(ByteView public_key, ByteView plaintext) const {
    return sealer_.Seal(public_key, {}, plaintext);
  }

 private:
  explicit LabeledEncryptor(crypto::HpkeBaseSealer sealer) : sealer_(std::move(sealer)) {}
  crypto::HpkeBaseSealer sealer_;
};

// DecryptWithLabel is OpenBase(kem_output, private_key, EncryptContext{"MLS 1.0 " + label,
// context}, "", ciphertext) (RFC 9420 §5.1.3). Every decryption failure is kVerifyFailed; a
// malformed `kem_output` or private key is kMalformed (as crypto::HpkeOpenBase reports it).
Result<SecretBytes> DecryptWithLabel(const CipherSuiteParams& cs, ByteView private_key,
                                     std::string_view label, ByteView context, ByteView kem_output,
                                     ByteView ciphertext);

}  // namespace candor::mls
