// cosignature.h: C2SP tlog-cosignature, Ed25519 `cosignature/v1` (signature type 0x04): a
// witness's timestamped statement that a checkpoint is consistent with everything it has seen.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/crypto/ed25519.h"
#include "candor/tlog/note.h"

namespace candor::tlog {

// CosignedMessage returns "cosignature/v1\ntime <timestamp>\n" followed by the checkpoint note
// text `checkpoint_text` (the message the Ed25519 signature covers).
std::string CosignedMessage(uint64_t timestamp, std::string_view checkpoint_text);

// CosignatureTimestamp returns the timestamp of a cosignature/v1 signature (8-byte big-endian
// timestamp || 64-byte Ed25519 signature); kMalformed for any other length or a timestamp
// above 2^63 - 1.
Result<uint64_t> CosignatureTimestamp(ByteView signature);

// CosignatureVerifier verifies cosignature/v1 signatures of one witness key.
class CosignatureVerifier : public NoteVerifier {
 public:
  CosignatureVerifier(std::string name, const crypto::Ed25519PublicKey& public_key);
  const std::string& name() const override { return name_; }
  uint32_t key_id() const override { return key_id_; }
  Status Verify(std::string_view text, ByteView signature) const override;

 private:
  std::string name_;
  crypto::Ed25519PublicKey public_key_;
  uint32_t key_id_;
};

// Cosigner produces cosignature/v1 signatures with one witness key.
class Cosigner {
 public:
  Cosigner(std::string name, crypto::Ed25519PrivateKey key);
  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  // Cosign returns the signature line payload for `checkpoint_text` at `timestamp` (seconds).
  NoteSignature Cosign(std::string_view checkpoint_text, uint64_t timestamp) const;
  std::string VerifierKey() const;
  SecretBytes SecretKey() const;

 private:
  std::string name_;
  crypto::Ed25519PrivateKey key_;
  uint32_t key_id_;
};

}  // namespace candor::tlog
