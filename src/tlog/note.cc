#include "candor/tlog/note.h"

#include <set>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/base/str_cat.h"
#include "candor/crypto/secret_encoding.h"
#include "candor/crypto/sha256.h"
#include "candor/tlog/cosignature.h"

namespace candor::tlog {
namespace {

constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";  // U+2014 EM DASH, space

// ValidUtf8NoControls checks UTF-8 validity (RFC 3629: no overlongs, no surrogates, max
// U+10FFFF) and that the only control character is newline.
bool ValidUtf8NoControls(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\n') || c == 0x7f) return false;
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i < len) return false;
    for (size_t j = 1; j < len; ++j) {
      const auto cc = static_cast<unsigned char>(s[i + j]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    if (cp >= 0x80 && cp < 0xa0) return false;  // C1 controls
    i += len;
  }
  return true;
}

Error Malformed(const std::string& what) { return MakeError(Errc::kMalformed, "note: " + what); }

Result<NoteSignature> ParseSignatureLine(std::string_view line) {
  if (line.substr(0, kSigPrefix.size()) != kSigPrefix) {
    return Malformed("signature line does not start with an em dash and a space");
  }
  line.remove_prefix(kSigPrefix.size());
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) return Malformed("signature line has no signature");
  NoteSignature sig;
  sig.name = std::string(line.substr(0, space));
  if (!IsValidKeyName(sig.name)) return Malformed("invalid key name");
  CANDOR_ASSIGN_OR_RETURN(Bytes raw, Base64Decode(line.substr(space + 1)));
  if (raw.size() < 5) return Malformed("signature shorter than key ID + 1 byte");
  sig.key_id =
      (uint32_t{raw[0]} << 24) | (uint32_t{raw[1]} << 16) | (uint32_t{raw[2]} << 8) | raw[3];
  sig.signature.assign(raw.begin() + 4, raw.end());
  return sig;
}

// KeyParts are the fields of `<name>+<hex id>+<base64 material>`; `material` is still encoded
// (a secret key's material is decoded by the caller, into wiped memory).
struct KeyParts {
  std::string name;
  std::string id_hex;
  std::string_view material;
};

Result<KeyParts> SplitKey(std::string_view key) {
  // <name>+<hex id>+<base64>; base64 may contain '+', so split on the first two only.
  const size_t p1 = key.find('+');
  if (p1 == std::string_view::npos) return Malformed("key has no '+'");
  const size_t p2 = key.find('+', p1 + 1);
  if (p2 == std::string_view::npos) return Malformed("key has one '+'");
  std::string name(key.substr(0, p1));
  std::string id_hex(key.substr(p1 + 1, p2 - p1 - 1));
  if (!IsValidKeyName(name)) return Malformed("invalid key name");
  if (id_hex.size() != 8) return Malformed("key ID is not 8 hex digits");
  for (char c : id_hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return Malformed("key ID not lowercase hex");
  }
  return KeyParts{std::move(name), std::move(id_hex), key.substr(p2 + 1)};
}

std::string Hex8(uint32_t v) {
  const uint8_t b[4] = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                        static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
  return HexEncode(ByteView(b, 4));
}

class Ed25519NoteVerifier : public NoteVerifier {
 public:
  Ed25519NoteVerifier(std::string name, const crypto::Ed25519PublicKey& pub)
      : name_(std::move(name)), pub_(pub), key_id_(KeyId(name_, kSigTypeEd25519, pub_)) {}
  const std::string& name() const override { return name_; }
  uint32_t key_id() const override { return key_id_; }
  Status Verify(std::string_view text, ByteView signature) const override {
    return crypto::Ed25519Verify(pub_, AsBytes(text), signature);
  }

 private:
  std::string name_;
  crypto::Ed25519PublicKey pub_;
  uint32_t key_id_;
};

}  // namespace

std::string NoteSignature::Line() const {
  Bytes raw = {static_cast<uint8_t>(key_id >> 24), static_cast<uint8_t>(key_id >> 16),
               static_cast<uint8_t>(key_id >> 8), static_cast<uint8_t>(key_id)};
  raw.insert(raw.end(), signature.begin(), signature.end());
  return std::string(kSigPrefix) + name + " " + Base64Encode(raw) + "\n";
}

std::string Note::Format() const {
  std::string out = text + "\n";
  for (const NoteSignature& s : signatures) out += s.Line();
  return out;
}

bool IsValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (c == '+' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      return false;
    }
  }
  // Unicode spaces (U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F,
  // U+3000) are rejected too.
  static const std::string_view kUnicodeSpaces[] = {"\xC2\x85",     "\xC2\xA0",     "\xE1\x9A\x80",
                                                    "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAF",
                                                    "\xE2\x81\x9F", "\xE3\x80\x80"};
  for (std::string_view sp : kUnicodeSpaces) {
    if (name.find(sp) != std::string_view::npos) return false;
  }
  for (unsigned c = 0x80; c <= 0x8a; ++c) {  // U+2000..U+200A = E2 80 80..8A
    const char sp[] = {'\xE2', '\x80', static_cast<char>(c), 0};
    if (name.find(sp) != std::string_view::npos) return false;
  }
  return true;
}

uint32_t KeyId(std::string_view name, uint8_t type, ByteView public_key) {
  crypto::Sha256Hasher h;
  h.Update(AsBytes(name)).Update(uint8_t{'\n'}).Update(type).Update(public_key);
  Hash32 d = h.Final();
  return (uint32_t{d[0]} << 24) | (uint32_t{d[1]} << 16) | (uint32_t{d[2]} << 8) | d[3];
}

Result<std::vector<NoteSignature>> ParseSignatureLines(std::string_view block) {
  std::vector<NoteSignature> out;
  if (block.empty() || block.back() != '\n')
    return Malformed("signature block must end in newline");
  while (!block.empty()) {
    if (out.size() == kMaxNoteSignatures) return Malformed("too many signatures");
    const size_t nl = block.find('\n');
    CANDOR_ASSIGN_OR_RETURN(NoteSignature sig, ParseSignatureLine(block.substr(0, nl)));
    out.push_back(std::move(sig));
    block.remove_prefix(nl + 1);
  }
  return out;
}

Result<Note> ParseNote(std::string_view msg) {
  if (msg.size() > kMaxNoteSize) return Malformed("too large");
  if (!ValidUtf8NoControls(msg)) return Malformed("invalid UTF-8 or control character");
  // The text is separated from the signatures by the last blank line.
  const size_t split = msg.rfind("\n\n");
  if (split == std::string_view::npos) return Malformed("no blank line before signatures");
  Note note;
  note.text = std::string(msg.substr(0, split + 1));
  CANDOR_ASSIGN_OR_RETURN(note.signatures, ParseSignatureLines(msg.substr(split + 2)));
  return note;
}

Result<std::unique_ptr<NoteVerifier>> ParseVerifierKey(std::string_view vkey) {
  CANDOR_ASSIGN_OR_RETURN(KeyParts parts, SplitKey(vkey));
  const std::string& name = parts.name;
  CANDOR_ASSIGN_OR_RETURN(Bytes material, Base64Decode(parts.material));
  if (material.size() != 33) return Malformed("vkey: unsupported key length");
  crypto::Ed25519PublicKey pub;
  std::copy(material.begin() + 1, material.end(), pub.begin());
  std::unique_ptr<NoteVerifier> v;
  if (material[0] == kSigTypeEd25519) {
    v = std::make_unique<Ed25519NoteVerifier>(name, pub);
  } else if (material[0] == kSigTypeCosignatureV1) {
    v = std::make_unique<CosignatureVerifier>(name, pub);
  } else {
    return Malformed("vkey: unsupported signature type");
  }
  if (Hex8(v->key_id()) != parts.id_hex) return Malformed("vkey: key ID does not match key");
  return v;
}

std::string FormatVerifierKey(std::string_view name, uint8_t type,
                              const crypto::Ed25519PublicKey& public_key) {
  Bytes material = {type};
  material.insert(material.end(), public_key.begin(), public_key.end());
  return std::string(name) + "+" + Hex8(KeyId(name, type, public_key)) + "+" +
         Base64Encode(material);
}

SecretBytes FormatSecretKey(std::string_view name, uint8_t type,
                            const crypto::Ed25519PrivateKey& key) {
  // The seed goes from the key to the result through wiped buffers only, encoded in constant
  // time; the text around it is public.
  SecretBytes material(1 + key.seed().size());
  material.data()[0] = type;
  std::copy(key.seed().begin(), key.seed().end(), material.data() + 1);
  const SecretBytes encoded = crypto::Base64EncodeSecret(material.view());
  const std::string head =
      StrCat({"PRIVATE+KEY+", name, "+", Hex8(KeyId(name, type, key.public_key())), "+"});
  SecretBytes out(head.size() + encoded.size());
  std::copy(head.begin(), head.end(), out.data());
  std::copy(encoded.view().begin(), encoded.view().end(), out.data() + head.size());
  return out;
}

Result<ParsedSecretKey> ParseSecretKey(std::string_view skey) {
  constexpr std::string_view kPrefix = "PRIVATE+KEY+";
  if (skey.substr(0, kPrefix.size()) != kPrefix) return Malformed("secret key: missing prefix");
  CANDOR_ASSIGN_OR_RETURN(KeyParts parts, SplitKey(skey.substr(kPrefix.size())));
  std::string& name = parts.name;
  auto decoded = crypto::Base64DecodeSecret(parts.material);
  if (!decoded.ok()) return Malformed("secret key: material is not canonical base64");
  const SecretBytes secret = std::move(*decoded);
  if (secret.size() != 1 + crypto::kEd25519SeedSize) return Malformed("secret key: bad length");
  const uint8_t type = secret.view()[0];
  if (type != kSigTypeEd25519 && type != kSigTypeCosignatureV1) {
    return Malformed("secret key: unsupported signature type");
  }
  CANDOR_ASSIGN_OR_RETURN(crypto::Ed25519PrivateKey key,
                          crypto::Ed25519PrivateKey::FromSeed(secret.view().subspan(1)));
  if (Hex8(KeyId(name, type, key.public_key())) != parts.id_hex) {
    return Malformed("secret key: key ID does not match key");
  }
  return ParsedSecretKey{std::move(name), type, std::move(key)};
}

Result<ParsedSecretKey> LoadSecretKeyFile(const std::string& path, uint8_t type) {
  CANDOR_ASSIGN_OR_RETURN(SecretBytes secret, ReadSecretFile(path, 4096));
  CANDOR_ASSIGN_OR_RETURN(ParsedSecretKey key, ParseSecretKey(AsStringView(secret.view())));
  if (key.type != type) {
    return MakeError(Errc::kInvalidArgument,
                     path + (type == kSigTypeEd25519 ? " is not an Ed25519 note key (type 0x01)"
                                                     : " is not a cosignature/v1 key (type 0x04)"));
  }
  return key;
}

Ed25519NoteSigner::Ed25519NoteSigner(std::string name, crypto::Ed25519PrivateKey key)
    : name_(std::move(name)),
      key_(std::move(key)),
      key_id_(KeyId(name_, kSigTypeEd25519, key_.public_key())) {}

Bytes Ed25519NoteSigner::Sign(std::string_view text) const {
  crypto::Ed25519Signature sig = key_.Sign(AsBytes(text));
  return {sig.begin(), sig.end()};
}

std::string Ed25519NoteSigner::VerifierKey() const {
  return FormatVerifierKey(name_, kSigTypeEd25519, key_.public_key());
}

SecretBytes Ed25519NoteSigner::SecretKey() const {
  return FormatSecretKey(name_, kSigTypeEd25519, key_);
}

Result<OpenedNote> OpenNote(std::string_view msg, std::span<const NoteVerifier* const> verifiers) {
  OpenedNote out;
  CANDOR_ASSIGN_OR_RETURN(out.note, ParseNote(msg));
  std::set<std::pair<std::string, uint32_t>> seen;
  for (const NoteSignature& sig : out.note.signatures) {
    const NoteVerifier* match = nullptr;
    for (const NoteVerifier* v : verifiers) {
      if (v->name() == sig.name && v->key_id() == sig.key_id) match = v;
    }
    if (match == nullptr) {
      out.unverified.push_back(sig);
      continue;
    }
    if (!seen.insert({sig.name, sig.key_id}).second) {
      return Malformed("two signatures from one key");
    }
    if (!match->Verify(out.note.text, sig.signature).ok()) return VerifyFailed();
    out.verified.push_back(sig);
  }
  if (out.verified.empty()) return VerifyFailed();
  return out;
}

}  // namespace candor::tlog
