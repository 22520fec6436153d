// auditor_record_fuzz: the record a candor-auditor reloads at start (auditor_record.h) decodes
// strictly or is refused, never crashes; what decodes re-encodes to the same bytes, and its
// head, when present, is for the state's tree size.
//
// The seed in fuzz/corpus/auditor_record_fuzz/ is the auditor.record of a candor-auditor that
// followed a candord directory for a few entries.
#include "candor/auditor/auditor_record.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const candor::ByteView in(data, size);
  auto record = candor::tls::DecodeExact<candor::auditor::AuditorRecord>(in);
  if (record.ok()) {
    FUZZ_REQUIRE(record->head.has_value() == (record->state.tree_size > 0));
    FUZZ_REQUIRE(!record->head || record->head->tree_size == record->state.tree_size);
    const candor::Bytes again = candor::tls::Encode(*record);
    FUZZ_REQUIRE(candor::fuzz::SameBytes(again, in));
  } else {
    FUZZ_REQUIRE(record.error().code == candor::Errc::kMalformed);
  }
  return 0;
}
