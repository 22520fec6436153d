// tile_builder.h: turns a stream of log entries into C2SP tiles and entry bundles, keeping only
// the right edge of the tree (the partial tile of each level) in memory.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/tlog/tile.h"

namespace candor::tlog {

// TileFile is one tile or entry bundle to publish: its TilePath and contents.
struct TileFile {
  std::string path;
  Bytes data;
};

// TileBuilder appends entries and reports which tiles changed. Not thread-safe.
class TileBuilder {
 public:
  TileBuilder() = default;

  // Restore rebuilds the right edge of a `size`-leaf tree from its published partial tiles and
  // partial entry bundle, read through `fetch`. kInternal if they are missing or disagree.
  static Result<TileBuilder> Restore(uint64_t size, const TileFetcher& fetch);

  // Append adds one entry (at most kMaxEntrySize bytes, else kInvalidArgument) and returns its
  // index.
  Result<uint64_t> Append(ByteView entry);

  uint64_t size() const { return size_; }

  // Root returns the RFC 9162 root of the current tree.
  Hash32 Root() const;

  // TakeChanged returns every tile and entry bundle that the current size publishes and that
  // was not returned before: the full tiles completed since the last call and the current
  // partial tiles whose width changed.
  std::vector<TileFile> TakeChanged();

 private:
  void AddHash(uint8_t level, const Hash32& hash);

  uint64_t size_ = 0;
  std::vector<std::vector<Hash32>> partial_;  // partial_[L]: hashes of the open tile at level L
  std::vector<bool> dirty_;                   // partial_[L] changed since TakeChanged
  Bytes bundle_;                              // the open entry bundle
  std::vector<TileFile> completed_;           // full tiles and bundles not yet taken
};

}  // namespace candor::tlog
