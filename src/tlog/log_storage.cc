#include "candor/tlog/log_storage.h"

#include <charconv>
#include <filesystem>
#include <vector>

#include "candor/base/file.h"
#include "candor/tlog/tile.h"

namespace candor::tlog {
namespace {

constexpr char kStateCheckpoint[] = "/state/checkpoint";
constexpr char kPublished[] = "/checkpoint";

}  // namespace

Result<Bytes> FileLogStorage::ReadCheckpoint() { return ReadFile(dir_ + kStateCheckpoint); }

Result<Bytes> FileLogStorage::ReadTile(const std::string& path) {
  CANDOR_TRY(ParseTilePath(path));
  return ReadFile(dir_ + "/" + path);
}

Status FileLogStorage::Commit(uint64_t /*old_size*/, std::span<const TileFile> tiles,
                              uint64_t /*new_size*/, std::string_view checkpoint) {
  std::vector<FileWrite> writes;
  writes.reserve(tiles.size());
  for (const TileFile& t : tiles) writes.push_back({dir_ + "/" + t.path, t.data});
  CANDOR_TRY(WriteFilesDurable(writes));
  CANDOR_TRY(WriteFileDurable(dir_ + kStateCheckpoint, AsBytes(checkpoint)));
  // The partial tiles of a tile that is now full are superseded (tlog-tiles allows deleting
  // them; readers fall back to the full tile). Removing them keeps the file count proportional
  // to the log, not to the number of checkpoints. Best effort: leftovers are harmless.
  for (const TileFile& t : tiles) {
    if (t.path.find(".p/") != std::string::npos) continue;
    std::error_code ec;
    std::filesystem::remove_all(dir_ + "/" + t.path + ".p", ec);
  }
  return OkStatus();
}

void FileLogStorage::DropBeyond(uint64_t size) {
  // Tiles past the durable size run contiguously from the right edge of each level: walk each
  // level from its edge until neither a full tile nor a partial-tile folder exists.
  std::error_code ec;
  for (unsigned level = 0; level <= kMaxTileLevel + 1u; ++level) {
    const bool entries = level == kMaxTileLevel + 1u;
    const std::string level_dir =
        dir_ + (entries ? "/tile/entries" : "/tile/" + std::to_string(level));
    if (!std::filesystem::exists(level_dir, ec)) continue;
    const uint8_t tile_level = entries ? 0 : static_cast<uint8_t>(level);
    const unsigned shift = kTileHeight * tile_level;
    const uint64_t count = shift >= 64 ? 0 : size >> shift;
    for (uint64_t n = count / kTileWidth;; ++n) {
      TileId id{entries, tile_level, n, kTileWidth};
      const std::string full = dir_ + "/" + TilePath(id);
      const std::string partial_dir = full + ".p";
      const bool has_full = std::filesystem::exists(full, ec);
      const bool has_partial = std::filesystem::exists(partial_dir, ec);
      if (!has_full && !has_partial) break;
      if (has_full && !TileCoveredBy(id, size)) std::filesystem::remove(full, ec);
      if (!has_partial) continue;
      std::vector<std::filesystem::path> stale;
      for (const auto& e : std::filesystem::directory_iterator(partial_dir, ec)) {
        id.width = 0;
        const std::string name = e.path().filename().string();
        auto [ptr, bad] = std::from_chars(name.data(), name.data() + name.size(), id.width);
        // Anything that is not a covered partial tile (including temporary files) goes.
        if (bad != std::errc() || ptr != name.data() + name.size() || !TileCoveredBy(id, size)) {
          stale.push_back(e.path());
        }
      }
      for (const auto& path : stale) std::filesystem::remove(path, ec);
      std::filesystem::remove(partial_dir, ec);  // only if it is now empty
    }
  }
}

Result<Bytes> FileLogStorage::ReadPublished() { return ReadFile(dir_ + kPublished); }

Status FileLogStorage::WritePublished(uint64_t /*size*/, std::string_view note) {
  return WriteFileDurable(dir_ + kPublished, AsBytes(note));
}

std::string FileLogStorage::FileOf(std::string_view path) const {
  return dir_ + "/" + std::string(path);
}

}  // namespace candor::tlog
