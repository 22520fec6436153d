#include "candor/tlog/merkle.h"

#include <bit>

#include "candor/crypto/constant_time.h"
#include "candor/crypto/sha256.h"

namespace candor::tlog {
namespace {

// LargestPowerOfTwoBelow returns the largest power of two strictly less than n (n >= 2).
uint64_t LargestPowerOfTwoBelow(uint64_t n) { return std::bit_floor(n - 1); }

Status AppendPath(uint64_t index, uint64_t begin, uint64_t end, HashReader& reader,
                  std::vector<Hash32>& out) {
  // PATH(m, D[begin:end]) with m relative to begin, emitted deepest sibling first.
  if (end - begin <= 1) return OkStatus();
  const uint64_t k = LargestPowerOfTwoBelow(end - begin);
  if (index - begin < k) {
    CANDOR_TRY(AppendPath(index, begin, begin + k, reader, out));
    CANDOR_ASSIGN_OR_RETURN(Hash32 h, RangeHash(begin + k, end, reader));
    out.push_back(h);
  } else {
    CANDOR_TRY(AppendPath(index, begin + k, end, reader, out));
    CANDOR_ASSIGN_OR_RETURN(Hash32 h, RangeHash(begin, begin + k, reader));
    out.push_back(h);
  }
  return OkStatus();
}

Status AppendSubproof(uint64_t m, uint64_t begin, uint64_t end, bool b, HashReader& reader,
                      std::vector<Hash32>& out) {
  // SUBPROOF(m, D[begin:end], b) of RFC 9162 §2.1.4.1, with m relative to begin.
  const uint64_t n = end - begin;
  if (m == n) {
    if (b) return OkStatus();
    CANDOR_ASSIGN_OR_RETURN(Hash32 h, RangeHash(begin, end, reader));
    out.push_back(h);
    return OkStatus();
  }
  const uint64_t k = LargestPowerOfTwoBelow(n);
  if (m <= k) {
    CANDOR_TRY(AppendSubproof(m, begin, begin + k, b, reader, out));
    CANDOR_ASSIGN_OR_RETURN(Hash32 h, RangeHash(begin + k, end, reader));
    out.push_back(h);
  } else {
    CANDOR_TRY(AppendSubproof(m - k, begin + k, end, false, reader, out));
    CANDOR_ASSIGN_OR_RETURN(Hash32 h, RangeHash(begin, begin + k, reader));
    out.push_back(h);
  }
  return OkStatus();
}

bool Equal(const Hash32& a, const Hash32& b) { return crypto::ConstantTimeEqual(a, b); }

}  // namespace

Hash32 HashLeaf(ByteView entry) {
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

Result<Hash32> RangeHash(uint64_t begin, uint64_t end, HashReader& reader) {
  CANDOR_CHECK(begin < end);
  const uint64_t n = end - begin;
  if (std::has_single_bit(n) && begin % n == 0) {
    return reader.PerfectHash(static_cast<uint8_t>(std::countr_zero(n)), begin / n);
  }
  const uint64_t k = LargestPowerOfTwoBelow(n);
  CANDOR_ASSIGN_OR_RETURN(Hash32 left, RangeHash(begin, begin + k, reader));
  CANDOR_ASSIGN_OR_RETURN(Hash32 right, RangeHash(begin + k, end, reader));
  return HashChildren(left, right);
}

Result<Hash32> TreeRoot(uint64_t size, HashReader& reader) {
  if (size == 0) return EmptyRoot();
  return RangeHash(0, size, reader);
}

Result<std::vector<Hash32>> ProveInclusion(uint64_t index, uint64_t size, HashReader& reader) {
  if (index >= size) return MakeError(Errc::kInvalidArgument, "inclusion: index >= size");
  std::vector<Hash32> proof;
  CANDOR_TRY(AppendPath(index, 0, size, reader, proof));
  return proof;
}

Result<std::vector<Hash32>> ProveConsistency(uint64_t old_size, uint64_t new_size,
                                             HashReader& reader) {
  if (old_size == 0 || old_size > new_size) {
    return MakeError(Errc::kInvalidArgument, "consistency: need 0 < old_size <= new_size");
  }
  std::vector<Hash32> proof;
  if (old_size == new_size) return proof;
  CANDOR_TRY(AppendSubproof(old_size, 0, new_size, true, reader, proof));
  return proof;
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

uint64_t MemoryTree::AppendLeafHash(const Hash32& leaf_hash) {
  if (levels_.empty()) levels_.emplace_back();
  const uint64_t index = levels_[0].size();
  levels_[0].push_back(leaf_hash);
  // Complete every perfect subtree this leaf closes.
  for (size_t h = 0; levels_[h].size() % 2 == 0; ++h) {
    if (levels_.size() == h + 1) levels_.emplace_back();
    const auto& level = levels_[h];
    levels_[h + 1].push_back(HashChildren(level[level.size() - 2], level[level.size() - 1]));
  }
  return index;
}

Result<Hash32> MemoryTree::PerfectHash(uint8_t height, uint64_t index) {
  if (height >= levels_.size() || index >= levels_[height].size()) {
    return MakeError(Errc::kNotFound, "memory tree: no such subtree");
  }
  return levels_[height][index];
}

}  // namespace candor::tlog
