// note.h: C2SP signed-note v1.0.0: parsing and formatting signed notes, verifier keys (vkeys),
// Ed25519 note signatures (type 0x01) and the verification rules (unknown keys are ignored, a
// known key whose signature fails rejects the note, at least one known key must verify).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/crypto/ed25519.h"

namespace candor::tlog {

inline constexpr uint8_t kSigTypeEd25519 = 0x01;
inline constexpr uint8_t kSigTypeCosignatureV1 = 0x04;
inline constexpr size_t kMaxNoteSize = 1 << 20;
inline constexpr size_t kMaxNoteSignatures = 100;

// NoteSignature is one signature line: `— <name> base64(key_id || signature)`.
struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  Bytes signature;  // without the 4-byte key ID

  // Line returns the formatted signature line, including the final newline.
  std::string Line() const;
  bool operator==(const NoteSignature&) const = default;
};

// Note is a note text (ending in a newline) and its signature lines.
struct Note {
  std::string text;
  std::vector<NoteSignature> signatures;

  // Format renders text, the blank line and the signature lines.
  std::string Format() const;
};

// ParseNote splits `msg` into text and signatures, checking the syntax only: valid UTF-8, no
// control characters but newline, text ending in a newline, a blank line, then at least one
// well-formed signature line (at most kMaxNoteSignatures, size at most kMaxNoteSize). Any
// violation is kMalformed.
Result<Note> ParseNote(std::string_view msg);

// ParseSignatureLines parses a block of signature lines (as a witness returns them).
Result<std::vector<NoteSignature>> ParseSignatureLines(std::string_view block);

// KeyId returns SHA-256(name || "\n" || type || public_key)[:4] as a big-endian uint32.
uint32_t KeyId(std::string_view name, uint8_t type, ByteView public_key);

// IsValidKeyName reports whether `name` is non-empty and has no whitespace and no '+'.
bool IsValidKeyName(std::string_view name);

// NoteVerifier checks signatures of one key. Implementations are immutable and thread-safe.
class NoteVerifier {
 public:
  virtual ~NoteVerifier() = default;
  virtual const std::string& name() const = 0;
  virtual uint32_t key_id() const = 0;
  // Verify checks `signature` (without the key ID) over the note `text`; kVerifyFailed if not.
  virtual Status Verify(std::string_view text, ByteView signature) const = 0;
};

// NoteSigner produces signatures of one key.
class NoteSigner {
 public:
  virtual ~NoteSigner() = default;
  virtual const std::string& name() const = 0;
  virtual uint32_t key_id() const = 0;
  // Sign signs the note `text` and returns the signature (without the key ID).
  virtual Bytes Sign(std::string_view text) const = 0;
};

// ParseVerifierKey parses a vkey `<name>+<hex key id>+base64(type || key)` of type 0x01
// (Ed25519 note signature) or 0x04 (Ed25519 cosignature/v1). A malformed vkey, an unknown type or
// a key ID that does not match the key is kMalformed.
Result<std::unique_ptr<NoteVerifier>> ParseVerifierKey(std::string_view vkey);

// Ed25519NoteSigner signs notes with Ed25519 (type 0x01).
class Ed25519NoteSigner : public NoteSigner {
 public:
  Ed25519NoteSigner(std::string name, crypto::Ed25519PrivateKey key);
  const std::string& name() const override { return name_; }
  uint32_t key_id() const override { return key_id_; }
  Bytes Sign(std::string_view text) const override;
  // VerifierKey returns this key's vkey string.
  std::string VerifierKey() const;
  // SecretKey returns the private key text `PRIVATE+KEY+<name>+<id>+base64(0x01 || seed)`.
  SecretBytes SecretKey() const;

 private:
  std::string name_;
  crypto::Ed25519PrivateKey key_;
  uint32_t key_id_;
};

// ParsedSecretKey is the content of a `PRIVATE+KEY+...` string.
struct ParsedSecretKey {
  std::string name;
  uint8_t type = 0;
  crypto::Ed25519PrivateKey key;
};

// ParseSecretKey parses `PRIVATE+KEY+<name>+<hex id>+base64(type || 32-byte seed)` for types 0x01
// and 0x04, checking the key ID. Anything else is kMalformed.
Result<ParsedSecretKey> ParseSecretKey(std::string_view skey);

// LoadSecretKeyFile reads a private key file and parses it like ParseSecretKey, requiring
// signature type `type`. The file's bytes are wiped from memory after parsing. A missing file
// is kNotFound; a key of another type is kInvalidArgument.
Result<ParsedSecretKey> LoadSecretKeyFile(const std::string& path, uint8_t type);

// FormatSecretKey renders the private key text for `type` (a secret: store it, never log it).
SecretBytes FormatSecretKey(std::string_view name, uint8_t type,
                            const crypto::Ed25519PrivateKey& key);

// FormatVerifierKey renders a vkey for `type` and an Ed25519 public key.
std::string FormatVerifierKey(std::string_view name, uint8_t type,
                              const crypto::Ed25519PublicKey& public_key);

// OpenedNote is a note whose signatures were checked: `verified` lists the signatures of known
// keys that verified (in note order), `unverified` the lines from unknown keys.
struct OpenedNote {
  Note note;
  std::vector<NoteSignature> verified;
  std::vector<NoteSignature> unverified;
};

// OpenNote parses `msg` and verifies it against `verifiers` per C2SP signed-note: signatures
// from unknown (name, key ID) pairs are ignored; if any known key's signature fails, or none
// verifies, the result is kVerifyFailed. Syntax errors are kMalformed.
Result<OpenedNote> OpenNote(std::string_view msg, std::span<const NoteVerifier* const> verifiers);

}  // namespace candor::tlog
