#include "candor/tlog/trust.h"

#include <algorithm>
#include <functional>
#include <map>

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
  std::map<std::string, uint64_t> cosigned_at;  // witness name -> its newest timestamp
  for (const NoteSignature& sig : opened.verified) {
    if (sig.name == trust.log_key->name() && sig.key_id == trust.log_key->key_id()) {
      log_signed = true;
      continue;
    }
    // Every witness key is a cosignature/v1 key (ParseLogTrust), so a verified signature has
    // its timestamp.
    CANDOR_ASSIGN_OR_RETURN(uint64_t at, CosignatureTimestamp(sig.signature));
    uint64_t& newest = cosigned_at[sig.name];
    newest = std::max(newest, at);
  }
  if (!log_signed || cosigned_at.size() < trust.quorum) return VerifyFailed();
  CANDOR_ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpoint(opened.note.text));
  if (cp.origin != trust.log_key->name()) return VerifyFailed();
  VerifiedCheckpoint out{std::move(cp), std::string(note), {}, 0};
  std::vector<uint64_t> times;
  for (const auto& [name, at] : cosigned_at) {
    out.cosigners.push_back(name);
    times.push_back(at);
  }
  if (trust.quorum > 0) {
    // The quorum-th newest: by then `quorum` witnesses had cosigned.
    std::nth_element(times.begin(), times.begin() + static_cast<ptrdiff_t>(trust.quorum - 1),
                     times.end(), std::greater<>());
    out.quorum_cosigned_at = times[trust.quorum - 1];
  }
  return out;
}

}  // namespace candor::tlog
