// witness_fuzz: arbitrary add-checkpoint request bodies against a witness that follows the
// Tessera test log. The witness must never cosign a checkpoint whose log signature does not
// verify, and its storage (in memory) never fails.
#include "candor/tlog/witness.h"
#include "fuzz/fuzz_target.h"

namespace {

using namespace candor;

constexpr char kLogVkey[] =
    "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::shared_ptr<const tlog::NoteVerifier> log_key =
      std::move(*tlog::ParseVerifierKey(kLogVkey));
  static const Bytes seed(32, 0x42);
  auto key = crypto::Ed25519PrivateKey::FromSeed(seed);
  tlog::Witness witness(tlog::Cosigner("witness.fuzz", std::move(*key)),
                        {tlog::TrustedLog{"example.com/log/testdata", log_key}},
                        std::make_unique<tlog::MemoryWitnessStore>(),
                        [] { return uint64_t{1700000000000}; });
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const tlog::AddCheckpointOutcome r = witness.AddCheckpoint(body);
  FUZZ_REQUIRE(r.verdict != tlog::WitnessVerdict::kStorageFailed);
  if (r.verdict == tlog::WitnessVerdict::kCosigned) {
    // Only a checkpoint that verifies under the log key can have been cosigned.
    auto req = tlog::ParseAddCheckpointRequest(body);
    FUZZ_REQUIRE(req.ok());
    const tlog::NoteVerifier* vs[] = {log_key.get()};
    FUZZ_REQUIRE(tlog::OpenNote(req->checkpoint, vs).ok());
  }
  return 0;
}
