// tile_reader_fuzz: a TileHashReader over tiles an attacker chose. The first 8 bytes pick the
// tree size (below 2^20); every request for a tile is answered with the next slice of the
// input (its length taken from one byte), so tiles may be short, long or garbage. Computing a
// root and proofs must fail cleanly or succeed, never crash or read out of bounds; and a proof
// built from the attacker's tiles must only verify against the root built from the same tiles.
#include <map>

#include "candor/tlog/merkle.h"
#include "candor/tlog/tile.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace candor;
  if (size < 8) return 0;
  uint64_t tree_size = 0;
  for (size_t i = 0; i < 8; ++i) tree_size = (tree_size << 8) | data[i];
  tree_size %= (uint64_t{1} << 20);
  size_t pos = 8;
  std::map<std::string, Bytes> served;
  auto fetch = [&](const std::string& path) -> Result<Bytes> {
    auto it = served.find(path);
    if (it != served.end()) return it->second;
    if (pos >= size) return MakeError(Errc::kNotFound, path);
    const uint8_t code = data[pos++];
    const size_t len = static_cast<size_t>(code) * 32 + (code & 1u);
    const size_t take = std::min(len, size - pos);
    Bytes tile(data + pos, data + pos + take);
    pos += take;
    served[path] = tile;
    return tile;
  };
  tlog::TileHashReader reader(tree_size, fetch);
  auto root = tlog::TreeRoot(tree_size, reader);
  if (!root.ok() || tree_size == 0) return 0;
  const uint64_t index = tree_size / 3;
  auto proof = tlog::ProveInclusion(index, tree_size, reader);
  if (!proof.ok()) return 0;
  auto leaf = reader.PerfectHash(0, index);
  if (!leaf.ok()) return 0;
  FUZZ_REQUIRE(tlog::VerifyInclusion(index, tree_size, *leaf, *proof, *root).ok());
  Hash32 other = *root;
  other[0] ^= 1;
  FUZZ_REQUIRE(!tlog::VerifyInclusion(index, tree_size, *leaf, *proof, other).ok());
  return 0;
}
