#include "candor/tlog/merkle.h"

#include <sys/mman.h>

#include <bit>
#include <cstdlib>

#include "candor/crypto/constant_time.h"
#include "candor/crypto/sha256.h"

namespace candor::tlog {
namespace {

// LargestPowerOfTwoBelow returns the largest power of two strictly less than n (n >= 2).
uint64_t LargestPowerOfTwoBelow(uint64_t n) { return std::bit_floor(n - 1); }

// NodeRange is a node D[begin:end) of the RFC 9162 tree shape.
struct NodeRange {
  uint64_t begin;
  uint64_t end;
};

// InclusionRanges lists the nodes of PATH(index, D[begin:end]) (RFC 9162 §2.1.3.1), deepest
// sibling first.
void InclusionRanges(uint64_t index, uint64_t begin, uint64_t end, std::vector<NodeRange>& out) {
  if (end - begin <= 1) return;
  const uint64_t k = LargestPowerOfTwoBelow(end - begin);
  if (index - begin < k) {
    InclusionRanges(index, begin, begin + k, out);
    out.push_back({begin + k, end});
  } else {
    InclusionRanges(index, begin + k, end, out);
    out.push_back({begin, begin + k});
  }
}

// ConsistencyRanges lists the nodes of SUBPROOF(m, D[begin:end], b) (RFC 9162 §2.1.4.1), with
// m relative to begin.
void ConsistencyRanges(uint64_t m, uint64_t begin, uint64_t end, bool b,
                       std::vector<NodeRange>& out) {
  const uint64_t n = end - begin;
  if (m == n) {
    if (!b) out.push_back({begin, end});
    return;
  }
  const uint64_t k = LargestPowerOfTwoBelow(n);
  if (m <= k) {
    ConsistencyRanges(m, begin, begin + k, b, out);
    out.push_back({begin + k, end});
  } else {
    ConsistencyRanges(m - k, begin + k, end, false, out);
    out.push_back({begin, begin + k});
  }
}

// AppendSubtrees splits a node into its perfect subtrees, largest (leftmost) first. A node of
// the RFC 9162 shape starts at a multiple of each piece's size.
void AppendSubtrees(const NodeRange& r, std::vector<SubtreeId>& out) {
  uint64_t begin = r.begin;
  const uint64_t n = r.end - r.begin;
  for (int bit = 63; bit >= 0; --bit) {
    const uint64_t piece = uint64_t{1} << bit;
    if ((n & piece) == 0) continue;
    CANDOR_CHECK(begin % piece == 0);
    out.push_back({static_cast<uint8_t>(bit), begin >> bit});
    begin += piece;
  }
}

// HashRanges reads every perfect subtree the nodes need in one batch, then folds each node's
// pieces from the right: MTH(D[a:b]) = HASH(left piece, MTH(rest)).
Result<std::vector<Hash32>> HashRanges(std::span<const NodeRange> ranges, HashReader& reader) {
  std::vector<SubtreeId> ids;
  std::vector<size_t> counts;
  counts.reserve(ranges.size());
  for (const NodeRange& r : ranges) {
    const size_t before = ids.size();
    AppendSubtrees(r, ids);
    counts.push_back(ids.size() - before);
  }
  std::vector<Hash32> hashes(ids.size());
  CANDOR_TRY(reader.PerfectHashes(ids, hashes));
  std::vector<Hash32> out;
  out.reserve(ranges.size());
  size_t pos = 0;
  for (size_t c : counts) {
    Hash32 h = hashes[pos + c - 1];
    for (size_t j = c - 1; j > 0; --j) h = HashChildren(hashes[pos + j - 1], h);
    out.push_back(h);
    pos += c;
  }
  return out;
}

constexpr uint64_t kSmallChunk = 64;     // hashes in a column's first chunk
constexpr uint64_t kBigChunk = 1 << 16;  // 2 MiB of hashes
constexpr size_t kHugePage = size_t{2} << 20;

// ChunkOf maps a column index to (chunk, offset): chunk 0 holds [0, 64), chunk c >= 1 holds
// [64 * 2^(c-1), 64 * 2^c) up to 2^16, then every chunk holds 2^16 hashes.
std::pair<size_t, uint64_t> ChunkOf(uint64_t i) {
  if (i < kSmallChunk) return {0, i};
  if (i < kBigChunk) {
    const auto c = static_cast<size_t>(std::bit_width(i) - 6);
    return {c, i - (kSmallChunk << (c - 1))};
  }
  return {static_cast<size_t>(10 + i / kBigChunk), i % kBigChunk};
}

uint64_t ChunkCapacity(size_t c) {
  if (c == 0) return kSmallChunk;
  if (c <= 10) return kSmallChunk << (c - 1);
  return kBigChunk;
}

bool Equal(const Hash32& a, const Hash32& b) { return crypto::ConstantTimeEqual(a, b); }

}  // namespace

Hash32 HashLeaf(ByteView entry) {
  // Short entries (the common case: hashes, keys) take one call on a stack buffer.
  uint8_t buf[1 + 128];
  if (entry.size() <= 128) {
    buf[0] = 0x00;
    std::copy(entry.begin(), entry.end(), buf + 1);
    return crypto::Sha256(ByteView(buf, 1 + entry.size()));
  }
  crypto::Sha256Hasher h;
  h.Update(uint8_t{0x00});
  h.Update(entry);
  return h.Final();
}

Hash32 HashChildren(const Hash32& left, const Hash32& right) {
  uint8_t buf[65];
  buf[0] = 0x01;
  std::copy(left.begin(), left.end(), buf + 1);
  std::copy(right.begin(), right.end(), buf + 33);
  return crypto::Sha256(ByteView(buf, sizeof(buf)));
}

const Hash32& EmptyRoot() {
  static const Hash32 kEmpty = crypto::Sha256(ByteView());
  return kEmpty;
}

Status HashReader::PerfectHashes(std::span<const SubtreeId> ids, std::span<Hash32> out) {
  CANDOR_CHECK(ids.size() == out.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    CANDOR_ASSIGN_OR_RETURN(out[i], PerfectHash(ids[i].height, ids[i].index));
  }
  return OkStatus();
}

Result<Hash32> RangeHash(uint64_t begin, uint64_t end, HashReader& reader) {
  CANDOR_CHECK(begin < end);
  const NodeRange r{begin, end};
  CANDOR_ASSIGN_OR_RETURN(std::vector<Hash32> h,
                          HashRanges(std::span<const NodeRange>(&r, 1), reader));
  return h[0];
}

Result<Hash32> TreeRoot(uint64_t size, HashReader& reader) {
  if (size == 0) return EmptyRoot();
  return RangeHash(0, size, reader);
}

Result<std::vector<Hash32>> ProveInclusion(uint64_t index, uint64_t size, HashReader& reader) {
  if (index >= size) return MakeError(Errc::kInvalidArgument, "inclusion: index >= size");
  std::vector<NodeRange> ranges;
  InclusionRanges(index, 0, size, ranges);
  return HashRanges(ranges, reader);
}

Result<std::vector<Hash32>> ProveConsistency(uint64_t old_size, uint64_t new_size,
                                             HashReader& reader) {
  if (old_size == 0 || old_size > new_size) {
    return MakeError(Errc::kInvalidArgument, "consistency: need 0 < old_size <= new_size");
  }
  if (old_size == new_size) return std::vector<Hash32>();
  std::vector<NodeRange> ranges;
  ConsistencyRanges(old_size, 0, new_size, true, ranges);
  return HashRanges(ranges, reader);
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Hash32& leaf_hash,
                       std::span<const Hash32> proof, const Hash32& root) {
  if (index >= size) return MakeError(Errc::kInvalidArgument, "inclusion: index >= size");
  // RFC 9162 §2.1.3.2.
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash32 r = leaf_hash;
  for (const Hash32& p : proof) {
    if (sn == 0) return VerifyFailed();
    if ((fn & 1) == 1 || fn == sn) {
      r = HashChildren(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0 || !Equal(r, root)) return VerifyFailed();
  return OkStatus();
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash32& old_root,
                         const Hash32& new_root, std::span<const Hash32> proof) {
  if (old_size == 0 || old_size > new_size) {
    return MakeError(Errc::kInvalidArgument, "consistency: need 0 < old_size <= new_size");
  }
  if (old_size == new_size) {
    if (!proof.empty() || !Equal(old_root, new_root)) return VerifyFailed();
    return OkStatus();
  }
  // RFC 9162 §2.1.4.2.
  if (proof.empty()) return VerifyFailed();
  std::vector<Hash32> path(proof.begin(), proof.end());
  if (std::has_single_bit(old_size)) path.insert(path.begin(), old_root);
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash32 fr = path[0];
  Hash32 sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash32& c = path[i];
    if (sn == 0) return VerifyFailed();
    if ((fn & 1) == 1 || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0 || !Equal(fr, old_root) || !Equal(sr, new_root)) return VerifyFailed();
  return OkStatus();
}

void MemoryTree::Column::FreeChunk::operator()(Hash32* p) const { std::free(p); }

void MemoryTree::Column::Append(const Hash32& h) {
  const auto [chunk, offset] = ChunkOf(size_);
  if (chunk == chunks_.size()) {
    const uint64_t capacity = ChunkCapacity(chunk);
    const size_t bytes = static_cast<size_t>(capacity) * sizeof(Hash32);
    void* p = bytes == kHugePage ? std::aligned_alloc(kHugePage, bytes) : std::malloc(bytes);
    if (p == nullptr) std::abort();                            // out of memory is fatal
    if (bytes == kHugePage) madvise(p, bytes, MADV_HUGEPAGE);  // advice only; may be ignored
    chunks_.emplace_back(static_cast<Hash32*>(p));
  }
  chunks_[chunk][offset] = h;
  ++size_;
}

const Hash32& MemoryTree::Column::operator[](uint64_t i) const {
  const auto [chunk, offset] = ChunkOf(i);
  return chunks_[chunk][offset];
}

uint64_t MemoryTree::AppendLeafHash(const Hash32& leaf_hash) {
  if (levels_.empty()) levels_.emplace_back();
  const uint64_t index = levels_[0].size();
  levels_[0].Append(leaf_hash);
  // Complete every perfect subtree this leaf closes.
  for (size_t h = 0; levels_[h].size() % 2 == 0; ++h) {
    if (levels_.size() == h + 1) levels_.emplace_back();
    const Column& level = levels_[h];
    const uint64_t n = level.size();
    levels_[h + 1].Append(HashChildren(level[n - 2], level[n - 1]));
  }
  return index;
}

Result<Hash32> MemoryTree::PerfectHash(uint8_t height, uint64_t index) {
  if (height >= levels_.size() || index >= levels_[height].size()) {
    return MakeError(Errc::kNotFound, "memory tree: no such subtree");
  }
  return levels_[height][index];
}

Status MemoryTree::PerfectHashes(std::span<const SubtreeId> ids, std::span<Hash32> out) {
  CANDOR_CHECK(ids.size() == out.size());
  for (const SubtreeId& id : ids) {
    if (id.height >= levels_.size() || id.index >= levels_[id.height].size()) {
      return MakeError(Errc::kNotFound, "memory tree: no such subtree");
    }
  }
  // Independent loads: the CPU overlaps their cache misses.
  for (size_t i = 0; i < ids.size(); ++i) out[i] = levels_[ids[i].height][ids[i].index];
  return OkStatus();
}

}  // namespace candor::tlog
