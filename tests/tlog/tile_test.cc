#include "candor/tlog/tile.h"

#include <gtest/gtest.h>

#include <map>

#include "candor/tlog/tile_builder.h"

namespace candor::tlog {
namespace {

TEST(TileTest, IndexEncoding) {
  EXPECT_EQ(EncodeTileIndex(0), "000");
  EXPECT_EQ(EncodeTileIndex(5), "005");
  EXPECT_EQ(EncodeTileIndex(1000), "x001/000");
  EXPECT_EQ(EncodeTileIndex(1234067), "x001/x234/067");
}

TEST(TileTest, PathsRoundTrip) {
  const TileId ids[] = {{false, 0, 0, 256},
                        {false, 1, 1234067, 17},
                        {true, 0, 273, 112},
                        {false, 63, 999, 1},
                        {true, 0, 1000, 256}};
  for (const TileId& id : ids) {
    auto parsed = ParseTilePath(TilePath(id));
    ASSERT_TRUE(parsed.ok()) << TilePath(id);
    EXPECT_EQ(*parsed, id);
  }
  EXPECT_EQ(TilePath({false, 1, 1234067, 17}), "tile/1/x001/x234/067.p/17");
}

TEST(TileTest, ParseRejectsNonCanonicalPaths) {
  for (const char* bad :
       {"tile/0/1", "tile/0/0001", "tile/00/000", "tile/64/000", "tile/0/x000/001", "tile/0/001/",
        "tile/0/000.p/0", "tile/0/000.p/256", "tile/0/000.p/07", "tile/0/x1/000", "tile/entries",
        "tile/0/000.p", "tile/-1/000", "tile/0/000/../001", "tiles/0/000", "tile/0/x001",
        "tile/0/x18446744073709551/615/000", ""}) {
    auto r = ParseTilePath(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
}

TEST(TileTest, TilesForTreeMatchesSpecExample) {
  // tlog-tiles: size 70,000 has 273 full level-0 tiles, one partial of width 112, one full
  // level-1 tile, a partial level-1 tile of width 17 and a partial level-2 tile of width 1.
  std::vector<TileId> tiles = TilesForTree(70000);
  size_t full0 = 0, bundles = 0;
  std::vector<std::string> partials;
  for (const TileId& t : tiles) {
    if (t.entries)
      ++bundles;
    else if (t.level == 0 && t.full())
      ++full0;
    if (!t.full()) partials.push_back(TilePath(t));
  }
  EXPECT_EQ(full0, 273u);
  EXPECT_EQ(bundles, 274u);
  EXPECT_EQ(partials, (std::vector<std::string>{"tile/0/273.p/112", "tile/entries/273.p/112",
                                                "tile/1/001.p/17", "tile/2/000.p/1"}));
  EXPECT_TRUE(TilesForTree(0).empty());
}

TEST(TileTest, EntryBundleCodec) {
  Bytes bundle;
  ASSERT_TRUE(AppendBundleEntry(bundle, AsBytes("ab")).ok());
  ASSERT_TRUE(AppendBundleEntry(bundle, AsBytes("")).ok());
  auto entries = DecodeEntryBundle(bundle, 2);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(AsStringView((*entries)[0]), "ab");
  EXPECT_FALSE(DecodeEntryBundle(bundle, 1).ok());
  EXPECT_FALSE(DecodeEntryBundle(bundle, 3).ok());
  for (size_t cut = 1; cut < bundle.size(); ++cut) {
    if (cut == 4) continue;  // exactly one whole entry: a valid bundle of width 1
    EXPECT_FALSE(DecodeEntryBundle(ByteView(bundle).first(cut), 2).ok()) << cut;
  }
  EXPECT_EQ(AppendBundleEntry(bundle, Bytes(65536)).error().code, Errc::kInvalidArgument);
}

// A builder's tiles, read back through TileHashReader, give the same roots and proofs as the
// in-memory tree at every size, and Restore resumes from the published right edge.
TEST(TileTest, BuilderTilesServeRootsAndProofs) {
  std::map<std::string, Bytes> store;
  auto fetch = [&store](const std::string& path) -> Result<Bytes> {
    auto it = store.find(path);
    if (it == store.end()) return MakeError(Errc::kNotFound, path);
    return it->second;
  };
  TileBuilder builder;
  MemoryTree reference;
  const uint64_t sizes[] = {1, 2, 255, 256, 257, 600, 65535, 65536, 65537, 66000};
  for (uint64_t target : sizes) {
    // Restore from the store before every step, as a restarted log would.
    auto restored = TileBuilder::Restore(builder.size(), fetch);
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    builder = std::move(*restored);
    while (builder.size() < target) {
      const std::string e = "entry-" + std::to_string(builder.size());
      ASSERT_TRUE(builder.Append(AsBytes(e)).ok());
      reference.AppendLeafHash(HashLeaf(AsBytes(e)));
    }
    for (TileFile& f : builder.TakeChanged()) store[f.path] = std::move(f.data);
    EXPECT_EQ(builder.Root(), *TreeRoot(target, reference)) << target;
    TileHashReader reader(target, fetch);
    EXPECT_EQ(*TreeRoot(target, reader), builder.Root());
    for (uint64_t i : {uint64_t{0}, target / 2, target - 1}) {
      EXPECT_EQ(*ProveInclusion(i, target, reader), *ProveInclusion(i, target, reference));
    }
    EXPECT_EQ(*ProveConsistency(1, target, reader), *ProveConsistency(1, target, reference));
  }
  for (const TileId& t : TilesForTree(66000)) EXPECT_TRUE(store.count(TilePath(t))) << TilePath(t);
}

}  // namespace
}  // namespace candor::tlog
