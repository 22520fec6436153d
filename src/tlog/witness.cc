#include "candor/tlog/witness.h"

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/crypto/sha256.h"
#include "candor/tlog/merkle.h"

namespace candor::tlog {
namespace {

Error Malformed(const std::string& what) {
  return MakeError(Errc::kMalformed, "add-checkpoint: " + what);
}

AddCheckpointOutcome Refuse(WitnessVerdict verdict, std::string detail) {
  AddCheckpointOutcome out;
  out.verdict = verdict;
  out.detail = std::move(detail);
  return out;
}

std::string OriginHash(std::string_view origin) {
  return HexEncode(crypto::Sha256(AsBytes(origin)));
}

}  // namespace

std::string AddCheckpointRequest::Format() const {
  std::string out = "old " + std::to_string(old_size) + "\n";
  for (const Hash32& h : proof) out += Base64Encode(h) + "\n";
  out += "\n";
  out += checkpoint;
  return out;
}

Result<AddCheckpointRequest> ParseAddCheckpointRequest(std::string_view body) {
  AddCheckpointRequest req;
  const size_t nl = body.find('\n');
  if (nl == std::string_view::npos) return Malformed("no old size line");
  std::string_view old_line = body.substr(0, nl);
  if (old_line.substr(0, 4) != "old ") return Malformed("first line is not 'old <size>'");
  auto old_size = ParseDecimalU64(old_line.substr(4));
  if (!old_size.ok()) return Malformed("old size: " + old_size.error().message);
  req.old_size = *old_size;
  body.remove_prefix(nl + 1);
  for (;;) {
    const size_t end = body.find('\n');
    if (end == std::string_view::npos) return Malformed("no blank line before the checkpoint");
    std::string_view line = body.substr(0, end);
    body.remove_prefix(end + 1);
    if (line.empty()) break;
    if (req.proof.size() == kMaxConsistencyProofLines) return Malformed("more than 63 proof lines");
    auto h = Base64Decode(line);
    if (!h.ok() || h->size() != 32) return Malformed("proof line is not a base64 hash");
    Hash32 hash;
    std::copy(h->begin(), h->end(), hash.begin());
    req.proof.push_back(hash);
  }
  req.checkpoint = std::string(body);
  return req;
}

Result<std::optional<std::string>> FileWitnessStore::Load(const std::string& origin) {
  auto data = ReadFile(dir_ + "/" + OriginHash(origin) + "/checkpoint");
  if (!data.ok()) {
    if (data.error().code == Errc::kNotFound) return std::optional<std::string>();
    return std::move(data).error();
  }
  return std::optional<std::string>(std::string(AsStringView(*data)));
}

Status FileWitnessStore::Store(const std::string& origin, const std::string& note) {
  return WriteFileDurable(dir_ + "/" + OriginHash(origin) + "/checkpoint", AsBytes(note));
}

Result<std::optional<std::string>> MemoryWitnessStore::Load(const std::string& origin) {
  auto it = notes_.find(origin);
  if (it == notes_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Status MemoryWitnessStore::Store(const std::string& origin, const std::string& note) {
  notes_[origin] = note;
  return OkStatus();
}

Witness::Witness(Cosigner cosigner, std::vector<TrustedLog> logs,
                 std::unique_ptr<WitnessStore> store, Clock clock)
    : cosigner_(std::move(cosigner)), store_(std::move(store)), clock_(std::move(clock)) {
  for (TrustedLog& log : logs) {
    std::string origin = log.origin;
    logs_.emplace(std::move(origin), std::move(log));
  }
}

AddCheckpointOutcome Witness::AddCheckpoint(std::string_view body) {
  using V = WitnessVerdict;
  auto req = ParseAddCheckpointRequest(body);
  if (!req.ok()) return Refuse(V::kMalformed, req.error().message);
  auto note = ParseNote(req->checkpoint);
  if (!note.ok()) return Refuse(V::kMalformed, note.error().message);
  const std::string origin = note->text.substr(0, note->text.find('\n'));
  auto log = logs_.find(origin);
  if (log == logs_.end()) return Refuse(V::kUnknownLog, "this witness does not follow that log");
  const NoteVerifier* vs[] = {log->second.key.get()};
  auto opened = OpenNote(req->checkpoint, vs);
  if (!opened.ok()) return Refuse(V::kBadSignature, "checkpoint is not signed by the log's key");
  auto cp = ParseCheckpoint(opened->note.text);
  if (!cp.ok()) return Refuse(V::kMalformed, cp.error().message);
  if (req->old_size > cp->size) {
    return Refuse(V::kMalformed, "old size is larger than the checkpoint size");
  }

  std::lock_guard<std::mutex> lock(mu_);
  auto stored = store_->Load(origin);
  if (!stored.ok()) return Refuse(V::kStorageFailed, "witness storage unavailable");
  uint64_t known_size = 0;
  Hash32 known_root = EmptyRoot();
  if (stored->has_value()) {
    auto stored_note = ParseNote(**stored);
    auto stored_cp =
        stored_note.ok() ? ParseCheckpoint(stored_note->text) : MakeError(Errc::kInternal, "");
    if (!stored_cp.ok()) return Refuse(V::kStorageFailed, "witness storage is corrupt");
    known_size = stored_cp->size;
    known_root = stored_cp->root;
  }
  if (req->old_size != known_size) {
    AddCheckpointOutcome out = Refuse(V::kOldSizeMismatch, "old size is not the witness's size");
    out.known_size = known_size;
    return out;
  }
  if (cp->size == 0 && cp->root != EmptyRoot()) {
    return Refuse(V::kInconsistent, "a checkpoint of size 0 must have the empty tree's root");
  }
  if (req->old_size == 0) {
    if (!req->proof.empty()) return Refuse(V::kInconsistent, "old size 0 needs an empty proof");
  } else if (!VerifyConsistency(req->old_size, cp->size, known_root, cp->root, req->proof).ok()) {
    return Refuse(V::kInconsistent, "consistency proof does not verify");
  }
  // Cosign and persist before answering.
  // cosignature/v1 timestamps are POSIX seconds.
  NoteSignature cosig = cosigner_.Cosign(opened->note.text, clock_() / 1000);
  Note keep{opened->note.text, opened->verified};
  keep.signatures.push_back(cosig);
  if (!store_->Store(origin, keep.Format()).ok()) {
    return Refuse(V::kStorageFailed, "witness storage unavailable");
  }
  AddCheckpointOutcome out;
  out.verdict = V::kCosigned;
  out.cosignature = cosig.Line();
  return out;
}

Result<std::string> Witness::LatestCheckpoint(std::string_view origin_hash) {
  for (const auto& [origin, log] : logs_) {
    if (OriginHash(origin) != origin_hash) continue;
    std::lock_guard<std::mutex> lock(mu_);
    CANDOR_ASSIGN_OR_RETURN(std::optional<std::string> note, store_->Load(origin));
    if (!note.has_value()) break;
    return *note;
  }
  return MakeError(Errc::kNotFound, "no checkpoint cosigned for that log");
}

}  // namespace candor::tlog
