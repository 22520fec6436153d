#include "candor/tlog/tile.h"

#include <bit>
#include <charconv>

namespace candor::tlog {
namespace {

// LevelCount returns how many complete hashes level `level` has in a tree of `size` leaves.
uint64_t LevelCount(uint8_t level, uint64_t size) {
  const unsigned shift = kTileHeight * level;
  return shift >= 64 ? 0 : size >> shift;
}

// ParseDecimal parses a canonical decimal (no sign, no leading zero unless "0").
bool ParseDecimal(std::string_view s, uint64_t& out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

Error BadPath(std::string_view path) {
  return MakeError(Errc::kMalformed,
                   "tile path: not a C2SP tile path: " + std::string(path.substr(0, 128)));
}

}  // namespace

std::string EncodeTileIndex(uint64_t n) {
  std::vector<unsigned> groups;
  do {
    groups.push_back(static_cast<unsigned>(n % 1000));
    n /= 1000;
  } while (n != 0);
  std::string out;
  for (size_t i = groups.size(); i-- > 0;) {
    const std::string digits = std::to_string(groups[i]);
    if (i != 0) out += 'x';
    out.append(3 - digits.size(), '0');
    out += digits;
    if (i != 0) out += '/';
  }
  return out;
}

std::string TilePath(const TileId& id) {
  std::string out = "tile/";
  out += id.entries ? std::string("entries") : std::to_string(id.level);
  out += '/';
  out += EncodeTileIndex(id.index);
  if (!id.full()) {
    out += ".p/";
    out += std::to_string(id.width);
  }
  return out;
}

Result<TileId> ParseTilePath(std::string_view path) {
  if (path.size() > 256 || path.substr(0, 5) != "tile/") return BadPath(path);
  std::vector<std::string_view> parts;
  size_t start = 5;
  for (;;) {
    size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() < 2) return BadPath(path);
  TileId id;
  if (parts[0] == "entries") {
    id.entries = true;
  } else {
    uint64_t level = 0;
    if (!ParseDecimal(parts[0], level) || level > kMaxTileLevel) return BadPath(path);
    id.level = static_cast<uint8_t>(level);
  }
  // Optional ".p/<W>" suffix: the element before last ends in ".p".
  size_t num_index = parts.size() - 1;
  std::string_view last = parts.back();
  if (parts.size() >= 3 && parts[parts.size() - 2].size() > 2 &&
      parts[parts.size() - 2].substr(parts[parts.size() - 2].size() - 2) == ".p") {
    uint64_t width = 0;
    if (!ParseDecimal(last, width) || width == 0 || width >= kTileWidth) return BadPath(path);
    id.width = static_cast<uint32_t>(width);
    num_index = parts.size() - 2;
    parts[num_index] = parts[num_index].substr(0, parts[num_index].size() - 2);
  }
  uint64_t index = 0;
  for (size_t i = 1; i <= num_index; ++i) {
    std::string_view el = parts[i];
    const bool last_el = i == num_index;
    if (!last_el) {
      if (el.size() != 4 || el[0] != 'x') return BadPath(path);
      el.remove_prefix(1);
    }
    if (el.size() != 3) return BadPath(path);
    unsigned group = 0;
    for (char c : el) {
      if (c < '0' || c > '9') return BadPath(path);
      group = group * 10 + static_cast<unsigned>(c - '0');
    }
    if (index > (UINT64_MAX - group) / 1000) return BadPath(path);
    index = index * 1000 + group;
  }
  id.index = index;
  if (TilePath(id) != path) return BadPath(path);
  return id;
}

Result<TileId> TileForLevelHash(uint8_t level, uint64_t hash_index, uint64_t tree_size) {
  const uint64_t count = LevelCount(level, tree_size);
  if (hash_index >= count) return MakeError(Errc::kInvalidArgument, "tile: hash beyond tree");
  TileId id;
  id.level = level;
  id.index = hash_index / kTileWidth;
  const uint64_t tile_end = (id.index + 1) * kTileWidth;
  id.width = count >= tile_end ? kTileWidth : static_cast<uint32_t>(count - id.index * kTileWidth);
  return id;
}

bool TileCoveredBy(const TileId& id, uint64_t tree_size) {
  const uint64_t count = LevelCount(id.entries ? 0 : id.level, tree_size);
  // index * 256 + width <= count, without overflow.
  return id.width <= count && id.index <= (count - id.width) / kTileWidth;
}

std::vector<TileId> TilesForTree(uint64_t tree_size) {
  std::vector<TileId> out;
  for (uint8_t level = 0; level <= kMaxTileLevel; ++level) {
    const uint64_t count = LevelCount(level, tree_size);
    if (count == 0) break;
    for (uint64_t n = 0; n * kTileWidth < count; ++n) {
      TileId id;
      id.level = level;
      id.index = n;
      id.width = static_cast<uint32_t>(std::min<uint64_t>(kTileWidth, count - n * kTileWidth));
      out.push_back(id);
      if (level == 0) {
        TileId bundle = id;
        bundle.entries = true;
        out.push_back(bundle);
      }
    }
  }
  return out;
}

Bytes EncodeHashTile(std::span<const Hash32> hashes) {
  Bytes out;
  out.reserve(hashes.size() * 32);
  for (const Hash32& h : hashes) out.insert(out.end(), h.begin(), h.end());
  return out;
}

Result<std::vector<Hash32>> DecodeHashTile(ByteView data, uint32_t width) {
  if (width == 0 || width > kTileWidth || data.size() != size_t{width} * 32) {
    return MakeError(Errc::kMalformed, "hash tile: length " + std::to_string(data.size()) +
                                           " does not hold " + std::to_string(width) + " hashes");
  }
  std::vector<Hash32> out(width);
  for (size_t i = 0; i < width; ++i) {
    std::copy_n(data.begin() + static_cast<ptrdiff_t>(i * 32), 32, out[i].begin());
  }
  return out;
}

Status AppendBundleEntry(Bytes& bundle, ByteView entry) {
  if (entry.size() > kMaxEntrySize) {
    return MakeError(Errc::kInvalidArgument,
                     "entry: " + std::to_string(entry.size()) + " bytes > 65535");
  }
  bundle.push_back(static_cast<uint8_t>(entry.size() >> 8));
  bundle.push_back(static_cast<uint8_t>(entry.size()));
  bundle.insert(bundle.end(), entry.begin(), entry.end());
  return OkStatus();
}

Result<std::vector<ByteView>> SplitEntryBundle(ByteView data, size_t max_entries) {
  std::vector<ByteView> out;
  size_t pos = 0;
  while (pos < data.size()) {
    if (out.size() == max_entries) {
      return MakeError(Errc::kMalformed,
                       "entry bundle: more than " + std::to_string(max_entries) + " entries");
    }
    if (data.size() - pos < 2) return MakeError(Errc::kMalformed, "entry bundle: truncated length");
    const size_t len = (size_t{data[pos]} << 8) | data[pos + 1];
    pos += 2;
    if (data.size() - pos < len)
      return MakeError(Errc::kMalformed, "entry bundle: truncated entry");
    out.push_back(data.subspan(pos, len));
    pos += len;
  }
  return out;
}

Result<std::vector<ByteView>> DecodeEntryBundle(ByteView data, uint32_t width) {
  CANDOR_ASSIGN_OR_RETURN(std::vector<ByteView> out, SplitEntryBundle(data, width));
  if (out.size() != width) {
    return MakeError(Errc::kMalformed, "entry bundle: " + std::to_string(out.size()) +
                                           " entries, want " + std::to_string(width));
  }
  return out;
}

Hash32 SubtreeRoot(std::span<const Hash32> hashes) {
  CANDOR_CHECK(!hashes.empty() && std::has_single_bit(hashes.size()));
  if (hashes.size() == 1) return hashes[0];
  std::vector<Hash32> level(hashes.begin(), hashes.end());
  while (level.size() > 1) {
    for (size_t i = 0; i < level.size() / 2; ++i)
      level[i] = HashChildren(level[2 * i], level[2 * i + 1]);
    level.resize(level.size() / 2);
  }
  return level[0];
}

Result<const std::vector<Hash32>*> TileHashReader::Tile(const TileId& id) {
  std::string path = TilePath(id);
  auto it = cache_.find(path);
  if (it != cache_.end()) return &it->second;
  auto data = fetch_(path);
  std::vector<Hash32> hashes;
  if (!data.ok() && data.error().code == Errc::kNotFound && !id.full()) {
    // tlog-tiles lets a log delete a partial tile once the full tile exists; the full tile
    // starts with the same hashes.
    TileId full = id;
    full.width = kTileWidth;
    CANDOR_ASSIGN_OR_RETURN(Bytes whole, fetch_(TilePath(full)));
    CANDOR_ASSIGN_OR_RETURN(hashes, DecodeHashTile(whole, kTileWidth));
    hashes.resize(id.width);
  } else {
    if (!data.ok()) return std::move(data).error();
    CANDOR_ASSIGN_OR_RETURN(hashes, DecodeHashTile(*data, id.width));
  }
  ++num_fetched_;
  auto [pos, inserted] = cache_.emplace(std::move(path), std::move(hashes));
  return &pos->second;
}

Result<Hash32> TileHashReader::PerfectHash(uint8_t height, uint64_t index) {
  const auto level = static_cast<uint8_t>(height / kTileHeight);
  const unsigned sub = height % kTileHeight;
  if (level > kMaxTileLevel || (sub != 0 && index > (UINT64_MAX >> sub))) {
    return MakeError(Errc::kInvalidArgument, "tile reader: subtree out of range");
  }
  const uint64_t first = index << sub;
  const uint64_t count = uint64_t{1} << sub;
  CANDOR_ASSIGN_OR_RETURN(TileId id, TileForLevelHash(level, first + count - 1, tree_size_));
  CANDOR_ASSIGN_OR_RETURN(const std::vector<Hash32>* tile, Tile(id));
  const auto offset = static_cast<size_t>(first % kTileWidth);
  return SubtreeRoot(std::span<const Hash32>(*tile).subspan(offset, static_cast<size_t>(count)));
}

}  // namespace candor::tlog
