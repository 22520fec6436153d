#include "candor/tlog/tile_builder.h"

namespace candor::tlog {
namespace {

Error Corrupt(const std::string& what) {
  return MakeError(Errc::kInternal, "tile store is inconsistent: " + what);
}

}  // namespace

Result<TileBuilder> TileBuilder::Restore(uint64_t size, const TileFetcher& fetch) {
  TileBuilder b;
  b.size_ = size;
  for (uint8_t level = 0; level <= kMaxTileLevel; ++level) {
    const uint64_t count = (kTileHeight * level >= 64) ? 0 : size >> (kTileHeight * level);
    if (count == 0) break;
    b.partial_.emplace_back();
    b.dirty_.push_back(false);
    const auto width = static_cast<uint32_t>(count % kTileWidth);
    if (width == 0) continue;
    TileId id{false, level, count / kTileWidth, width};
    auto data = fetch(TilePath(id));
    if (!data.ok()) return Corrupt(TilePath(id) + ": " + data.error().message);
    auto hashes = DecodeHashTile(*data, width);
    if (!hashes.ok()) return Corrupt(hashes.error().message);
    b.partial_[level] = std::move(*hashes);
    if (level == 0) {
      id.entries = true;
      auto bundle = fetch(TilePath(id));
      if (!bundle.ok()) return Corrupt(TilePath(id) + ": " + bundle.error().message);
      auto entries = DecodeEntryBundle(*bundle, width);
      if (!entries.ok()) return Corrupt(entries.error().message);
      for (size_t i = 0; i < width; ++i) {
        if (HashLeaf((*entries)[i]) != b.partial_[0][i]) return Corrupt("bundle/tile mismatch");
      }
      b.bundle_ = std::move(*bundle);
    }
  }
  return b;
}

void TileBuilder::AddHash(uint8_t level, const Hash32& hash) {
  if (partial_.size() <= level) {
    partial_.resize(level + 1u);
    dirty_.resize(level + 1u, false);
  }
  std::vector<Hash32>& tile = partial_[level];
  tile.push_back(hash);
  dirty_[level] = true;
  if (tile.size() < kTileWidth) return;
  const uint64_t count = size_ >> (kTileHeight * level);  // hashes at this level, now
  const TileId id{false, level, count / kTileWidth - 1, kTileWidth};
  completed_.push_back({TilePath(id), EncodeHashTile(tile)});
  const Hash32 parent = SubtreeRoot(tile);
  tile.clear();
  AddHash(static_cast<uint8_t>(level + 1), parent);
}

Result<uint64_t> TileBuilder::Append(ByteView entry) {
  CANDOR_TRY(AppendBundleEntry(bundle_, entry));
  const uint64_t index = size_++;
  AddHash(0, HashLeaf(entry));
  if (size_ % kTileWidth == 0) {
    completed_.push_back(
        {TilePath({true, 0, size_ / kTileWidth - 1, kTileWidth}), std::move(bundle_)});
    bundle_.clear();
  }
  return index;
}

Hash32 TileBuilder::Root() const {
  if (size_ == 0) return EmptyRoot();
  // The right edge as perfect subtrees, left to right (largest first).
  std::vector<Hash32> subtrees;
  for (size_t level = partial_.size(); level-- > 0;) {
    const std::vector<Hash32>& tile = partial_[level];
    size_t offset = 0;
    for (int bit = 7; bit >= 0; --bit) {
      const size_t n = size_t{1} << bit;
      if ((tile.size() & n) == 0) continue;
      subtrees.push_back(SubtreeRoot(std::span<const Hash32>(tile).subspan(offset, n)));
      offset += n;
    }
  }
  Hash32 root = subtrees.back();
  for (size_t i = subtrees.size() - 1; i-- > 0;) root = HashChildren(subtrees[i], root);
  return root;
}

std::vector<TileFile> TileBuilder::TakeChanged() {
  std::vector<TileFile> out = std::move(completed_);
  completed_.clear();
  for (size_t level = 0; level < partial_.size(); ++level) {
    if (!dirty_[level]) continue;
    dirty_[level] = false;
    const std::vector<Hash32>& tile = partial_[level];
    if (tile.empty()) continue;
    const uint64_t count = size_ >> (kTileHeight * level);
    TileId id{false, static_cast<uint8_t>(level), count / kTileWidth,
              static_cast<uint32_t>(tile.size())};
    out.push_back({TilePath(id), EncodeHashTile(tile)});
    if (level == 0) {
      id.entries = true;
      out.push_back({TilePath(id), bundle_});
    }
  }
  return out;
}

}  // namespace candor::tlog
