#include "candor/tlog/trust.h"

#include <set>

#include "candor/tlog/cosignature.h"

namespace candor::tlog {

Result<LogTrust> ParseLogTrust(std::string_view log_vkey,
                               const std::vector<std::string>& witness_vkeys, size_t quorum) {
  LogTrust trust;
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<NoteVerifier> log, ParseVerifierKey(log_vkey));
  if (dynamic_cast<CosignatureVerifier*>(log.get()) != nullptr) {
    return MakeError(Errc::kInvalidArgument, "the log key must be an Ed25519 note key (type 0x01)");
  }
  trust.log_key = std::move(log);
  for (const std::string& vkey : witness_vkeys) {
    CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<NoteVerifier> w, ParseVerifierKey(vkey));
    if (dynamic_cast<CosignatureVerifier*>(w.get()) == nullptr) {
      return MakeError(Errc::kInvalidArgument,
                       "witness key " + w->name() + " is not a cosignature/v1 key (type 0x04)");
    }
    trust.witnesses.push_back(std::move(w));
  }
  if (quorum > trust.witnesses.size()) {
    return MakeError(Errc::kInvalidArgument, "quorum is larger than the number of witnesses");
  }
  trust.quorum = quorum;
  return trust;
}

Result<VerifiedCheckpoint> VerifyCosignedCheckpoint(std::string_view note, const LogTrust& trust) {
  std::vector<const NoteVerifier*> verifiers = {trust.log_key.get()};
  for (const auto& w : trust.witnesses) verifiers.push_back(w.get());
  CANDOR_ASSIGN_OR_RETURN(OpenedNote opened, OpenNote(note, verifiers));
  bool log_signed = false;
  std::set<std::string> cosigners;
  for (const NoteSignature& sig : opened.verified) {
    if (sig.name == trust.log_key->name() && sig.key_id == trust.log_key->key_id()) {
      log_signed = true;
    } else {
      cosigners.insert(sig.name);
    }
  }
  if (!log_signed || cosigners.size() < trust.quorum) return VerifyFailed();
  CANDOR_ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpoint(opened.note.text));
  if (cp.origin != trust.log_key->name()) return VerifyFailed();
  return VerifiedCheckpoint{std::move(cp), std::string(note),
                            std::vector<std::string>(cosigners.begin(), cosigners.end())};
}

}  // namespace candor::tlog
