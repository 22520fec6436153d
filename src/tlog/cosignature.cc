#include "candor/tlog/cosignature.h"

namespace candor::tlog {

std::string CosignedMessage(uint64_t timestamp, std::string_view checkpoint_text) {
  std::string msg = "cosignature/v1\ntime " + std::to_string(timestamp) + "\n";
  msg += checkpoint_text;
  return msg;
}

Result<uint64_t> CosignatureTimestamp(ByteView signature) {
  if (signature.size() != 8 + 64) return MakeError(Errc::kMalformed, "cosignature: length != 72");
  uint64_t ts = 0;
  for (size_t i = 0; i < 8; ++i) ts = (ts << 8) | signature[i];
  if (ts > (uint64_t{1} << 63) - 1) return MakeError(Errc::kMalformed, "cosignature: timestamp");
  return ts;
}

CosignatureVerifier::CosignatureVerifier(std::string name,
                                         const crypto::Ed25519PublicKey& public_key)
    : name_(std::move(name)),
      public_key_(public_key),
      key_id_(KeyId(name_, kSigTypeCosignatureV1, public_key_)) {}

Status CosignatureVerifier::Verify(std::string_view text, ByteView signature) const {
  auto ts = CosignatureTimestamp(signature);
  if (!ts.ok()) return VerifyFailed();
  const std::string msg = CosignedMessage(*ts, text);
  return crypto::Ed25519Verify(public_key_, AsBytes(msg), signature.subspan(8));
}

Cosigner::Cosigner(std::string name, crypto::Ed25519PrivateKey key)
    : name_(std::move(name)),
      key_(std::move(key)),
      key_id_(KeyId(name_, kSigTypeCosignatureV1, key_.public_key())) {}

NoteSignature Cosigner::Cosign(std::string_view checkpoint_text, uint64_t timestamp) const {
  const std::string msg = CosignedMessage(timestamp, checkpoint_text);
  crypto::Ed25519Signature sig = key_.Sign(AsBytes(msg));
  NoteSignature out;
  out.name = name_;
  out.key_id = key_id_;
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.signature.push_back(static_cast<uint8_t>(timestamp >> shift));
  }
  out.signature.insert(out.signature.end(), sig.begin(), sig.end());
  return out;
}

std::string Cosigner::VerifierKey() const {
  return FormatVerifierKey(name_, kSigTypeCosignatureV1, key_.public_key());
}

SecretBytes Cosigner::SecretKey() const {
  return FormatSecretKey(name_, kSigTypeCosignatureV1, key_);
}

}  // namespace candor::tlog
