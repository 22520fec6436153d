// note_fuzz: ParseNote accepts a signed note only if Note::Format() gives back the exact input,
// and OpenNote against a fixed set of verifiers never crashes and follows the C2SP signed-note
// rules: unknown keys ignored, one failing known key rejects, at least one known key verifies,
// no key twice. A parsed note's text, re-signed with both fixed keys, must open; flipping one
// bit of either signature must make it fail.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "candor/base/encoding.h"
#include "candor/crypto/ed25519.h"
#include "candor/tlog/cosignature.h"
#include "candor/tlog/note.h"
#include "fuzz/fuzz_target.h"

namespace {

using candor::Errc;
using candor::tlog::Cosigner;
using candor::tlog::Ed25519NoteSigner;
using candor::tlog::Note;
using candor::tlog::NoteSignature;
using candor::tlog::NoteVerifier;

// The fixed keys are the test keys of the vectors in tests/vectors/tlog (TEST ONLY), so the real
// notes in the corpus carry signatures that verify: the tessera test log key (the seed inside
// its PRIVATE+KEY string) and the skylight test witness (seed SHA-256("skylight test witness
// key")).
constexpr std::string_view kLogName = "example.com/log/testdata";
constexpr std::string_view kLogSeedHex =
    "eca663f499017d2365c27c7a7679158d43cfec1330bdb259290afbd0d21777a0";
constexpr std::string_view kWitnessName = "witness.example.org";
constexpr std::string_view kWitnessSeedHex =
    "14731ce6be532a0bcc9170c0352dc3c2477dde5f86324cd30fe00ad7d430df30";

candor::crypto::Ed25519PrivateKey KeyFromSeedHex(std::string_view seed_hex) {
  auto seed = candor::HexDecode(seed_hex);
  FUZZ_REQUIRE(seed.ok());
  auto key = candor::crypto::Ed25519PrivateKey::FromSeed(*seed);
  FUZZ_REQUIRE(key.ok());
  return std::move(key).value();
}

std::unique_ptr<NoteVerifier> VerifierFor(const std::string& vkey) {
  auto v = candor::tlog::ParseVerifierKey(vkey);
  FUZZ_REQUIRE(v.ok());
  return std::move(v).value();
}

// FixedKeys holds the two signers and the verifiers parsed from their vkeys. Built once.
class FixedKeys {
 public:
  FixedKeys()
      : signer_(std::string(kLogName), KeyFromSeedHex(kLogSeedHex)),
        cosigner_(std::string(kWitnessName), KeyFromSeedHex(kWitnessSeedHex)),
        signer_verifier_(VerifierFor(signer_.VerifierKey())),
        cosigner_verifier_(VerifierFor(cosigner_.VerifierKey())),
        verifiers_{signer_verifier_.get(), cosigner_verifier_.get()} {}

  const Ed25519NoteSigner& signer() const { return signer_; }
  const Cosigner& cosigner() const { return cosigner_; }
  std::span<const NoteVerifier* const> verifiers() const { return verifiers_; }

  // Find returns the verifier for (name, key ID), or nullptr for an unknown key.
  const NoteVerifier* Find(const NoteSignature& sig) const {
    for (const NoteVerifier* v : verifiers_) {
      if (v->name() == sig.name && v->key_id() == sig.key_id) return v;
    }
    return nullptr;
  }

 private:
  Ed25519NoteSigner signer_;
  Cosigner cosigner_;
  std::unique_ptr<NoteVerifier> signer_verifier_;
  std::unique_ptr<NoteVerifier> cosigner_verifier_;
  std::vector<const NoteVerifier*> verifiers_;
};

const FixedKeys& Keys() {
  static const FixedKeys keys;
  return keys;
}

// CheckOpenResult compares OpenNote's verdict on a syntactically valid note with the rules.
void CheckOpenResult(const Note& note, const candor::Result<candor::tlog::OpenedNote>& opened) {
  const FixedKeys& keys = Keys();
  std::vector<std::pair<std::string, uint32_t>> known;
  bool duplicate = false;
  bool any_fails = false;
  for (const NoteSignature& sig : note.signatures) {
    const NoteVerifier* v = keys.Find(sig);
    if (v == nullptr) continue;
    const std::pair<std::string, uint32_t> id{sig.name, sig.key_id};
    if (std::find(known.begin(), known.end(), id) != known.end()) duplicate = true;
    known.push_back(id);
    if (!v->Verify(note.text, sig.signature).ok()) any_fails = true;
  }
  if (opened.ok()) {
    FUZZ_REQUIRE(!duplicate && !any_fails && !known.empty());
    FUZZ_REQUIRE(opened->note.text == note.text);
    FUZZ_REQUIRE(opened->note.signatures == note.signatures);
    FUZZ_REQUIRE(opened->verified.size() == known.size());
    FUZZ_REQUIRE(opened->verified.size() + opened->unverified.size() == note.signatures.size());
    for (const NoteSignature& sig : opened->verified) FUZZ_REQUIRE(keys.Find(sig) != nullptr);
    for (const NoteSignature& sig : opened->unverified) FUZZ_REQUIRE(keys.Find(sig) == nullptr);
    return;
  }
  const Errc code = opened.error().code;
  FUZZ_REQUIRE(code == Errc::kMalformed || code == Errc::kVerifyFailed);
  // A repeated key is kMalformed and a failing or missing known signature kVerifyFailed; when a
  // note has both, signature order decides which one is reported.
  if (code == Errc::kMalformed) FUZZ_REQUIRE(duplicate);
  if (code == Errc::kVerifyFailed) FUZZ_REQUIRE(any_fails || known.empty());
}

// CheckFreshSignatures signs `text` with both fixed keys: the note must open with both verified,
// and flipping bit `flip` of either signature must fail verification.
void CheckFreshSignatures(const std::string& text, uint64_t flip) {
  const FixedKeys& keys = Keys();
  Note fresh;
  fresh.text = text;
  fresh.signatures.push_back(
      NoteSignature{keys.signer().name(), keys.signer().key_id(), keys.signer().Sign(text)});
  fresh.signatures.push_back(keys.cosigner().Cosign(text, flip >> 1));
  const std::string msg = fresh.Format();
  if (msg.size() > candor::tlog::kMaxNoteSize) return;

  auto opened = candor::tlog::OpenNote(msg, keys.verifiers());
  FUZZ_REQUIRE(opened.ok());
  FUZZ_REQUIRE(opened->verified.size() == 2 && opened->unverified.empty());

  NoteSignature& victim = fresh.signatures[flip % 2];
  const uint64_t num_bits = uint64_t{victim.signature.size()} * 8;
  const uint64_t bit = (flip >> 1) % num_bits;
  victim.signature[static_cast<size_t>(bit / 8)] ^= static_cast<uint8_t>(1u << (bit % 8));
  auto tampered = candor::tlog::OpenNote(fresh.Format(), keys.verifiers());
  FUZZ_REQUIRE(!tampered.ok() && tampered.error().code == Errc::kVerifyFailed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view msg = candor::fuzz::AsText(data, size);
  const FixedKeys& keys = Keys();

  auto note = candor::tlog::ParseNote(msg);
  auto opened = candor::tlog::OpenNote(msg, keys.verifiers());
  if (!note.ok()) {
    FUZZ_REQUIRE(note.error().code == Errc::kMalformed);
    FUZZ_REQUIRE(!opened.ok() && opened.error().code == Errc::kMalformed);
    return 0;
  }

  FUZZ_REQUIRE(note->Format() == msg);
  FUZZ_REQUIRE(!note->text.empty() && note->text.back() == '\n');
  FUZZ_REQUIRE(!note->signatures.empty());
  FUZZ_REQUIRE(note->signatures.size() <= candor::tlog::kMaxNoteSignatures);
  std::string block;
  for (const NoteSignature& sig : note->signatures) {
    FUZZ_REQUIRE(candor::tlog::IsValidKeyName(sig.name));
    FUZZ_REQUIRE(!sig.signature.empty());
    block += sig.Line();
  }
  auto lines = candor::tlog::ParseSignatureLines(block);
  FUZZ_REQUIRE(lines.ok() && *lines == note->signatures);

  CheckOpenResult(*note, opened);
  CheckFreshSignatures(note->text, size);
  return 0;
}
