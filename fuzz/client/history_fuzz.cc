// history_fuzz: the history a linked device receives from the linking one (after unsealing),
// and each chunk of it, decode strictly or are refused, never crash; what decodes re-encodes to
// the same bytes.
#include "fuzz/fuzz_target.h"
#include "src/client/history_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const candor::ByteView in(data, size);
  auto entries = candor::client::DecodeHistory(in);
  if (entries.ok()) {
    const candor::SecretBytes again = candor::client::EncodeHistory(*entries);
    FUZZ_REQUIRE(candor::fuzz::SameBytes(again.view(), in));
  }
  auto chunk = candor::client::DecodeHistoryChunk(in);
  if (chunk.ok()) {
    const candor::SecretBytes again = candor::client::EncodeHistoryChunk(*chunk);
    FUZZ_REQUIRE(candor::fuzz::SameBytes(again.view(), in));
  }
  return 0;
}
