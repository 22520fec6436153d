// ratchet_tree_fuzz: RatchetTree::Decode (optional<Node> ratchet_tree<V>) must never crash; a
// decoded tree re-encodes to exactly the input. The input is also tried as an UpdatePath and
// as a TreeHashInput, which share the LeafNode and ParentNode codecs.
#include "candor/mls/commit.h"
#include "candor/mls/ratchet_tree_nodes.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/mls/round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const candor::ByteView input(data, size);
  candor::fuzz::CheckRoundTrip<candor::mls::RatchetTree>(input);
  candor::fuzz::CheckRoundTrip<candor::mls::UpdatePath>(input);
  candor::fuzz::CheckRoundTrip<candor::mls::TreeHashInput>(input);
  return 0;
}
