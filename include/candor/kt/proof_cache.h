// proof_cache.h: the directory's bounded cache of VRF proofs, so repeated searches for one label
// do not redo the VRF work, and searches for many labels cannot grow the server's memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <utility>

#include "candor/base/bytes.h"

namespace candor::kt {

// ProofCache holds at most `capacity` VRF proofs keyed by (label, version); inserting into a
// full cache drops the one used least recently. Not thread-safe: its owner's lock guards it.
class ProofCache {
 public:
  explicit ProofCache(size_t capacity) : capacity_(capacity) {}

  // Find returns the proof for (label, version), marking it as just used, or nullopt.
  std::optional<Bytes> Find(ByteView label, uint32_t version);

  // Insert stores (or replaces) the proof for (label, version), then drops the least recently
  // used entries beyond the capacity.
  void Insert(ByteView label, uint32_t version, Bytes proof);

  size_t size() const { return index_.size(); }

 private:
  using Key = std::pair<Bytes, uint32_t>;
  struct Entry {
    Key key;
    Bytes proof;
  };

  size_t capacity_;
  std::list<Entry> order_;  // most recently used first
  std::map<Key, std::list<Entry>::iterator> index_;
};

}  // namespace candor::kt
