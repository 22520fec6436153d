// tile_fuzz: the first input byte picks a width of 1..256; the rest is decoded both as a hash
// tile and as an entry bundle of that width. A decoded hash tile re-encodes to the input and
// its power-of-two prefix hashes like a Merkle tree of those leaves; a decoded bundle rebuilt
// with AppendBundleEntry gives back the input.
#include <bit>
#include <vector>

#include "candor/tlog/merkle.h"
#include "candor/tlog/tile.h"
#include "fuzz/fuzz_target.h"

namespace {

using candor::Bytes;
using candor::ByteView;
using candor::Errc;
using candor::Hash32;
using candor::fuzz::SameBytes;

void CheckHashTile(ByteView body, uint32_t width) {
  auto hashes = candor::tlog::DecodeHashTile(body, width);
  FUZZ_REQUIRE(hashes.ok() == (body.size() == size_t{width} * 32));
  if (!hashes.ok()) {
    FUZZ_REQUIRE(hashes.error().code == Errc::kMalformed);
    return;
  }
  FUZZ_REQUIRE(hashes->size() == width);
  FUZZ_REQUIRE(SameBytes(candor::tlog::EncodeHashTile(*hashes), body));

  const size_t num = std::bit_floor(hashes->size());
  const std::span<const Hash32> prefix(hashes->data(), num);
  candor::tlog::MemoryTree tree;
  for (const Hash32& h : prefix) tree.AppendLeafHash(h);
  auto root = candor::tlog::TreeRoot(num, tree);
  FUZZ_REQUIRE(root.ok() && *root == candor::tlog::SubtreeRoot(prefix));
}

void CheckEntryBundle(ByteView body, uint32_t width) {
  auto entries = candor::tlog::DecodeEntryBundle(body, width);
  if (!entries.ok()) {
    FUZZ_REQUIRE(entries.error().code == Errc::kMalformed);
    return;
  }
  FUZZ_REQUIRE(entries->size() == width);
  Bytes rebuilt;
  for (ByteView e : *entries) {
    FUZZ_REQUIRE(e.size() <= candor::tlog::kMaxEntrySize);
    FUZZ_REQUIRE(e.empty() ||
                 (e.data() >= body.data() && e.data() + e.size() <= body.data() + body.size()));
    FUZZ_REQUIRE(candor::tlog::AppendBundleEntry(rebuilt, e).ok());
  }
  FUZZ_REQUIRE(SameBytes(rebuilt, body));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint32_t width = uint32_t{data[0]} + 1;
  const ByteView body = ByteView(data, size).subspan(1);
  CheckHashTile(body, width);
  CheckEntryBundle(body, width);
  return 0;
}
