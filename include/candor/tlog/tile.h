// tile.h: C2SP tlog-tiles: tile and entry-bundle paths, their encodings, and a HashReader that
// computes any subtree hash of a tree from its tiles. Tiles have height 8 (256 hashes).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/tlog/merkle.h"

namespace candor::tlog {

inline constexpr unsigned kTileHeight = 8;
inline constexpr uint32_t kTileWidth = 256;
inline constexpr uint8_t kMaxTileLevel = 63;
inline constexpr size_t kMaxEntrySize = 0xffff;

// TileId names one tile: level `level` (0..63; ignored for entry bundles), index `index`,
// and `width` hashes (1..256; 256 is a full tile, served without the `.p/<W>` suffix).
struct TileId {
  bool entries = false;  // true for an entry bundle (tile/entries/...)
  uint8_t level = 0;
  uint64_t index = 0;
  uint32_t width = kTileWidth;

  bool full() const { return width == kTileWidth; }
  bool operator==(const TileId&) const = default;
};

// EncodeTileIndex renders `n` as zero-padded 3-digit path elements, all but the last prefixed
// with 'x' (1234067 -> "x001/x234/067").
std::string EncodeTileIndex(uint64_t n);

// TilePath returns "tile/<L>/<N>[.p/<W>]" or "tile/entries/<N>[.p/<W>]" for `id`.
std::string TilePath(const TileId& id);

// ParseTilePath parses a path produced by TilePath (no leading slash). Anything else, including
// non-canonical numbers, is kMalformed.
Result<TileId> ParseTilePath(std::string_view path);

// TileForLevelHash returns the tile at `level` that holds hash number `hash_index` of that level
// in a tree of `tree_size` leaves (full if complete in that tree, otherwise the partial width).
// kInvalidArgument if that hash does not exist in the tree.
Result<TileId> TileForLevelHash(uint8_t level, uint64_t hash_index, uint64_t tree_size);

// TileCoveredBy reports whether every hash (or entry) that tile `id` holds exists in the tree of
// `tree_size` leaves, so that a log which published that tree can never change the tile.
bool TileCoveredBy(const TileId& id, uint64_t tree_size);

// TilesForTree lists every hash tile and entry bundle a tree of `tree_size` leaves publishes.
std::vector<TileId> TilesForTree(uint64_t tree_size);

// EncodeHashTile concatenates hashes (1..256 of them).
Bytes EncodeHashTile(std::span<const Hash32> hashes);

// DecodeHashTile splits a tile of exactly `width` hashes; any other length is kMalformed.
Result<std::vector<Hash32>> DecodeHashTile(ByteView data, uint32_t width);

// AppendBundleEntry appends one uint16-length-prefixed entry to an entry bundle. The entry must
// be at most kMaxEntrySize bytes (kInvalidArgument otherwise).
Status AppendBundleEntry(Bytes& bundle, ByteView entry);

// DecodeEntryBundle splits a bundle into exactly `width` entries (views into `data`, which must
// remain live). Truncation, trailing bytes or a different count are kMalformed.
Result<std::vector<ByteView>> DecodeEntryBundle(ByteView data, uint32_t width);

// SplitEntryBundle splits a sequence of uint16-length-prefixed entries (views into `data`) of
// any count up to `max_entries`; truncation or more entries is kMalformed.
Result<std::vector<ByteView>> SplitEntryBundle(ByteView data, size_t max_entries);

// TileFetcher returns the bytes of the tile at a TilePath (from disk, HTTP, memory ...).
using TileFetcher = std::function<Result<Bytes>(const std::string& path)>;

// TileHashReader reads perfect subtree hashes of a `tree_size`-leaf tree from its tiles through
// `fetch`, caching decoded tiles; a partial tile that is gone (kNotFound) is read from the
// prefix of its full tile. It does not authenticate tiles by itself: callers verify the results
// against a signed root (proof verification does). Not thread-safe.
class TileHashReader : public HashReader {
 public:
  TileHashReader(uint64_t tree_size, TileFetcher fetch)
      : tree_size_(tree_size), fetch_(std::move(fetch)) {}
  Result<Hash32> PerfectHash(uint8_t height, uint64_t index) override;
  size_t num_tiles_fetched() const { return num_fetched_; }

 private:
  Result<const std::vector<Hash32>*> Tile(const TileId& id);

  uint64_t tree_size_;
  TileFetcher fetch_;
  std::unordered_map<std::string, std::vector<Hash32>> cache_;
  size_t num_fetched_ = 0;
};

// SubtreeRoot returns the Merkle hash of 2^k consecutive perfect subtrees of equal height
// (`hashes.size()` must be a power of two).
Hash32 SubtreeRoot(std::span<const Hash32> hashes);

}  // namespace candor::tlog
