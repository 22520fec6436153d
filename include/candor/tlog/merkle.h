// merkle.h: RFC 9162 §2.1 Merkle tree hashing, and inclusion and consistency proofs (generation
// over any source of subtree hashes, and verification). Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"

namespace candor::tlog {

// HashLeaf returns MTH({d}) = SHA-256(0x00 || d) (RFC 9162 §2.1.1).
Hash32 HashLeaf(ByteView entry);

// HashChildren returns SHA-256(0x01 || left || right) (RFC 9162 §2.1.1).
Hash32 HashChildren(const Hash32& left, const Hash32& right);

// EmptyRoot returns MTH({}) = SHA-256("").
const Hash32& EmptyRoot();

// HashReader gives the hash of any perfect subtree of a log: PerfectHash(h, k) is the Merkle tree
// hash of leaves [k * 2^h, (k + 1) * 2^h). Implementations decide where hashes live (memory,
// tiles on disk, tiles over HTTP); they fail with kNotFound when a hash is not available.
// SubtreeId names the perfect subtree of height `height` whose leftmost leaf is
// index * 2^height.
struct SubtreeId {
  uint8_t height = 0;
  uint64_t index = 0;
};

class HashReader {
 public:
  virtual ~HashReader() = default;
  virtual Result<Hash32> PerfectHash(uint8_t height, uint64_t index) = 0;
  // PerfectHashes reads many subtree hashes at once into `out` (same length as `ids`), so an
  // implementation can overlap the reads; the default calls PerfectHash for each.
  virtual Status PerfectHashes(std::span<const SubtreeId> ids, std::span<Hash32> out);
};

// RangeHash returns MTH(D[begin:end]) of a range that is a node of the RFC 9162 tree shape
// (`begin` is a multiple of the largest power of two below or equal to end - begin), reading
// perfect subtrees from `reader`. Requires begin < end.
Result<Hash32> RangeHash(uint64_t begin, uint64_t end, HashReader& reader);

// TreeRoot returns MTH(D[0:size]); the empty tree has EmptyRoot().
Result<Hash32> TreeRoot(uint64_t size, HashReader& reader);

// ProveInclusion returns PATH(index, D[0:size]) (RFC 9162 §2.1.3.1). kInvalidArgument if
// index >= size.
Result<std::vector<Hash32>> ProveInclusion(uint64_t index, uint64_t size, HashReader& reader);

// ProveConsistency returns PROOF(old_size, D[0:new_size]) (RFC 9162 §2.1.4.1).
// kInvalidArgument unless 0 < old_size <= new_size; old_size == new_size gives an empty proof.
Result<std::vector<Hash32>> ProveConsistency(uint64_t old_size, uint64_t new_size,
                                             HashReader& reader);

// VerifyInclusion checks that `leaf_hash` is leaf `index` of the `size`-leaf tree with root
// `root` (RFC 9162 §2.1.3.2). kInvalidArgument if index >= size; kVerifyFailed if `proof` does
// not lead to `root`. Keeps no reference to its arguments.
[[nodiscard]] Status VerifyInclusion(uint64_t index, uint64_t size, const Hash32& leaf_hash,
                                     std::span<const Hash32> proof, const Hash32& root);

// VerifyConsistency checks that the `old_size` tree with root `old_root` is a prefix of the
// `new_size` tree with root `new_root` (RFC 9162 §2.1.4.2). kInvalidArgument if
// old_size == 0 or old_size > new_size; kVerifyFailed if the proof does not verify. Equal sizes
// need an empty proof and equal roots.
[[nodiscard]] Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash32& old_root,
                                       const Hash32& new_root, std::span<const Hash32> proof);

// MemoryTree is an append-only Merkle tree held in memory with every perfect subtree hash
// stored, so roots and proofs cost O(log n) hash reads. Used by tests, benchmarks and tools.
// Stores are append-only columns of hashes in chunks that never move (so growth copies
// nothing); chunks grow from 64 hashes to 2 MiB, and 2 MiB chunks are aligned and advised as
// transparent huge pages.
class MemoryTree : public HashReader {
 public:
  // AppendLeafHash adds a leaf by its hash and returns its index.
  uint64_t AppendLeafHash(const Hash32& leaf_hash);
  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  Result<Hash32> PerfectHash(uint8_t height, uint64_t index) override;
  Status PerfectHashes(std::span<const SubtreeId> ids, std::span<Hash32> out) override;

 private:
  class Column {
   public:
    void Append(const Hash32& h);
    const Hash32& operator[](uint64_t i) const;
    uint64_t size() const { return size_; }

   private:
    struct FreeChunk {
      void operator()(Hash32* p) const;
    };
    std::vector<std::unique_ptr<Hash32[], FreeChunk>> chunks_;
    uint64_t size_ = 0;
  };
  std::vector<Column> levels_;  // levels_[h][k] = PerfectHash(h, k)
};

}  // namespace candor::tlog
