// hpke.h: Hybrid Public Key Encryption (RFC 9180): DHKEM over X25519, X448, P-256, P-384 and
// P-521; HKDF-SHA256/384/512; AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305 and export-only; the
// four modes Base, PSK, Auth and AuthPSK. The construction is ours; the primitives come from
// hash.h, aead.h and OpenSSL/libsodium Diffie-Hellman.
//
// Key formats are RFC 9180 §7.1.1: SerializePublicKey (raw for X25519/X448, uncompressed SEC1
// for the NIST curves) and SerializePrivateKey (raw for X25519/X448, big-endian scalar of the
// curve's size for the NIST curves).
#pragma once

#include <cstdint>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/crypto/aead.h"

namespace candor::crypto {

// KemId is the RFC 9180 §7.1 identifier of a DHKEM.
enum class KemId : uint16_t {
  kP256 = 0x0010,
  kP384 = 0x0011,
  kP521 = 0x0012,
  kX25519 = 0x0020,
  kX448 = 0x0021,
};

// KdfId is the RFC 9180 §7.2 identifier of an HKDF.
enum class KdfId : uint16_t { kHkdfSha256 = 0x0001, kHkdfSha384 = 0x0002, kHkdfSha512 = 0x0003 };

// HpkeMode is the RFC 9180 §5 mode byte.
enum class HpkeMode : uint8_t { kBase = 0x00, kPsk = 0x01, kAuth = 0x02, kAuthPsk = 0x03 };

struct HpkeSuite {
  KemId kem;
  KdfId kdf;
  AeadId aead;
};

// HpkeKeyPair is a KEM key pair in serialized form.
struct HpkeKeyPair {
  SecretBytes private_key;
  Bytes public_key;
};

// GenerateKeyPair makes a fresh KEM key pair from the system CSPRNG.
HpkeKeyPair GenerateKeyPair(KemId kem);

// DeriveKeyPair is RFC 9180 §7.1.3 DeriveKeyPair(ikm). `ikm` SHOULD carry at least Nsk bytes of
// entropy, but any length is accepted: MLS suite 5 (P-521, Nsk = 66) derives node and external
// keys from 64-byte secrets (RFC 9420 §7.4, §8.3). Fails only for an unknown `kem`.
Result<HpkeKeyPair> DeriveKeyPair(KemId kem, ByteView ikm);

// PublicKeyFromPrivate returns SerializePublicKey(pk(sk)). Returns kMalformed for a private key
// of the wrong length or out of range.
Result<Bytes> PublicKeyFromPrivate(KemId kem, ByteView private_key);

// ValidatePublicKey returns kMalformed unless `public_key` is a valid encoded point of `kem`
// (on the curve, not the identity; right length).
Status ValidatePublicKey(KemId kem, ByteView public_key);

// HpkeContext is an encryption context after key schedule (RFC 9180 §5.2). Move-only; the key
// material is zeroized on destruction. Seal and Open advance the sequence number; Seal returns
// kInvalidArgument when the sequence number would overflow, and both return kInvalidArgument
// for an export-only suite.
class HpkeContext {
 public:
  HpkeContext(HpkeContext&&) noexcept = default;
  HpkeContext& operator=(HpkeContext&&) noexcept = default;
  ~HpkeContext() = default;

  Result<Bytes> Seal(ByteView aad, ByteView plaintext);
  // Open returns kVerifyFailed on any authentication failure; the sequence number then does
  // not advance.
  Result<SecretBytes> Open(ByteView aad, ByteView ciphertext);
  // Export is RFC 9180 §5.3 Context.Export; kInvalidArgument if `len` > 255 * Nh.
  Result<SecretBytes> Export(ByteView exporter_context, size_t len) const;

 private:
  friend class HpkeSetup;
  friend class HpkeBaseSealer;
  HpkeContext(HpkeSuite suite, SecretBytes key, SecretBytes base_nonce, SecretBytes exporter);
  HpkeSuite suite_;
  SecretBytes key_;
  SecretBytes base_nonce_;
  SecretBytes exporter_secret_;
  uint64_t seq_ = 0;
};

// HpkeSenderContext is what a sender setup returns: the encapsulated key and the context.
struct HpkeSenderContext {
  Bytes enc;
  HpkeContext context;
};

// HpkeSetupParams carries the optional inputs of the non-base modes. `psk` and `psk_id` must both
// be empty (Base, Auth) or both non-empty (PSK, AuthPSK); `sender_private_key` (sender side) or
// `sender_public_key` (receiver side) is required exactly in the Auth modes. Views must remain
// live during the call only.
struct HpkeSetupParams {
  HpkeMode mode = HpkeMode::kBase;
  ByteView psk;
  ByteView psk_id;
  ByteView sender_private_key;
  ByteView sender_public_key;
};

// HpkeSetup holds the RFC 9180 §5.1 setup functions for one suite. Stateless and thread-safe.
class HpkeSetup {
 public:
  explicit HpkeSetup(HpkeSuite suite) : suite_(suite) {}

  // SetupS is SetupBaseS / SetupPSKS / SetupAuthS / SetupAuthPSKS by `params.mode`. Returns
  // kInvalidArgument for inconsistent params (RFC 9180 §5.1 VerifyPSKInputs) and kMalformed for
  // an invalid `pk_r`.
  Result<HpkeSenderContext> SetupS(ByteView pk_r, ByteView info,
                                   const HpkeSetupParams& params = {}) const;
  // SetupSDeterministic is SetupS with the ephemeral key derived from `ikm_e` (RFC 9180
  // Appendix A vectors); never use it outside tests.
  Result<HpkeSenderContext> SetupSDeterministic(ByteView pk_r, ByteView info, ByteView ikm_e,
                                                const HpkeSetupParams& params = {}) const;
  // SetupR is the receiver side. A bad `enc` or key is kMalformed.
  Result<HpkeContext> SetupR(ByteView enc, ByteView sk_r, ByteView info,
                             const HpkeSetupParams& params = {}) const;

  const HpkeSuite& suite() const { return suite_; }

 private:
  HpkeSuite suite_;
};

// HpkeCiphertext is the output of single-shot Seal (RFC 9180 §6.1).
struct HpkeCiphertext {
  Bytes kem_output;
  Bytes ciphertext;
};

// HpkeSealBase is RFC 9180 §6.1 SealBase(pkR, info, aad, pt).
Result<HpkeCiphertext> HpkeSealBase(const HpkeSuite& suite, ByteView pk_r, ByteView info,
                                    ByteView aad, ByteView plaintext);

// HpkeBaseSealer is SealBase (RFC 9180 §6.1) for many recipients that share one `info`. The
// key schedule's key_schedule_context (mode, psk_id_hash and info_hash, RFC 9180 §5.1) depends
// on `info` alone in Base mode, so it is computed once, by Create, instead of once per message;
// that matters when `info` is large (an MLS Welcome passes the whole encrypted GroupInfo as
// context to every new member's EncryptWithLabel). Seal gives exactly what HpkeSealBase gives
// and skips the exporter_secret, which a single-shot Seal never uses; it is const and may run
// on several threads at once.
class HpkeBaseSealer {
 public:
  // Create hashes `info` for `suite`. Returns kInvalidArgument for an unknown suite.
  static Result<HpkeBaseSealer> Create(const HpkeSuite& suite, ByteView info);

  // Seal is HpkeSealBase(suite, pk_r, info, aad, plaintext) with a fresh ephemeral key. Returns
  // kMalformed for an invalid `pk_r` and kInvalidArgument for an export-only suite.
  Result<HpkeCiphertext> Seal(ByteView pk_r, ByteView aad, ByteView plaintext) const;

  // SealDeterministic is Seal with the ephemeral key derived from `ikm_e` (RFC 9180 Appendix A
  // vectors); never use it outside tests.
  Result<HpkeCiphertext> SealDeterministic(ByteView pk_r, ByteView ikm_e, ByteView aad,
                                           ByteView plaintext) const;

 private:
  HpkeBaseSealer(HpkeSuite suite, Bytes key_schedule_context)
      : suite_(suite), key_schedule_context_(std::move(key_schedule_context)) {}
  HpkeSuite suite_;
  Bytes key_schedule_context_;  // concat(mode, psk_id_hash, info_hash): hashes of public data
};

// HpkeOpenBase is RFC 9180 §6.1 OpenBase(enc, skR, info, aad, ct). Any decryption failure is
// kVerifyFailed.
Result<SecretBytes> HpkeOpenBase(const HpkeSuite& suite, ByteView enc, ByteView sk_r, ByteView info,
                                 ByteView aad, ByteView ciphertext);

}  // namespace candor::crypto
