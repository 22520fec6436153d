#include "candor/server/witness_client.h"

#include "candor/tlog/checkpoint.h"
#include "candor/tlog/cosignature.h"
#include "candor/tlog/witness.h"

namespace candor::server {

Result<WitnessEndpoint> ParseWitnessSpec(const std::string& spec) {
  const size_t eq = spec.find('=');
  if (eq == std::string::npos) {
    return MakeError(Errc::kInvalidArgument, "witness must be URL=VKEY: " + spec);
  }
  WitnessEndpoint w;
  CANDOR_ASSIGN_OR_RETURN(w.url, net::ParseUrl(spec.substr(0, eq)));
  auto key = tlog::ParseVerifierKey(spec.substr(eq + 1));
  if (!key.ok()) return MakeError(Errc::kInvalidArgument, "witness vkey: " + key.error().message);
  if (dynamic_cast<tlog::CosignatureVerifier*>(key->get()) == nullptr) {
    return MakeError(Errc::kInvalidArgument, "witness vkey must be a cosignature/v1 key");
  }
  w.key = std::move(*key);
  return w;
}

WitnessClient::WitnessClient(WitnessEndpoint endpoint, ProofSource proofs)
    : endpoint_(std::move(endpoint)), proofs_(std::move(proofs)) {
  http_.set_timeout(std::chrono::milliseconds(5000));
  http_.set_max_response_bytes(64 << 10);
}

Result<std::vector<tlog::NoteSignature>> WitnessClient::Submit(const tlog::SignedCheckpoint& cp) {
  const net::Url url = endpoint_.url.Join("add-checkpoint");
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (known_size_ > cp.checkpoint.size) {
      return MakeError(Errc::kConflict, "witness " + name() + " has seen size " +
                                            std::to_string(known_size_) + " > " +
                                            std::to_string(cp.checkpoint.size));
    }
    tlog::AddCheckpointRequest req;
    req.old_size = known_size_;
    req.checkpoint = cp.note;
    if (known_size_ > 0) {
      CANDOR_ASSIGN_OR_RETURN(req.proof, proofs_(known_size_, cp.checkpoint.size));
    }
    CANDOR_ASSIGN_OR_RETURN(net::HttpResponse res, http_.Request("POST", url, req.Format()));
    if (res.status == 409) {
      auto size = tlog::ParseDecimalU64(std::string_view(res.body).substr(0, res.body.find('\n')));
      if (!size.ok()) return MakeError(Errc::kVerifyFailed, "witness sent a bad 409 body");
      known_size_ = *size;
      continue;
    }
    if (res.status != 200) {
      return MakeError(Errc::kUnavailable, "witness " + name() + " answered " +
                                               std::to_string(res.status) + ": " +
                                               res.body.substr(0, 200));
    }
    auto lines = tlog::ParseSignatureLines(res.body);
    if (!lines.ok()) return MakeError(Errc::kVerifyFailed, "witness sent malformed signatures");
    std::vector<tlog::NoteSignature> good;
    const std::string text = cp.checkpoint.Text();
    for (tlog::NoteSignature& sig : *lines) {
      if (sig.name == endpoint_.key->name() && sig.key_id == endpoint_.key->key_id() &&
          endpoint_.key->Verify(text, sig.signature).ok()) {
        good.push_back(std::move(sig));
      }
    }
    if (good.empty()) return VerifyFailed();
    known_size_ = cp.checkpoint.size;
    return good;
  }
  return MakeError(Errc::kUnavailable, "witness " + name() + " kept answering 409");
}

}  // namespace candor::server
