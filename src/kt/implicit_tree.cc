#include "candor/kt/implicit_tree.h"

#include <bit>

#include "candor/base/result.h"

namespace candor::kt {

uint64_t ImplicitLevel(uint64_t x) {
  // Even x is a leaf; otherwise the level is the count of trailing one bits.
  return static_cast<uint64_t>(std::countr_one(x));
}

uint64_t ImplicitRoot(uint64_t n) {
  CANDOR_CHECK(n >= 1);
  return std::bit_floor(n) - 1;
}

std::optional<uint64_t> ImplicitLeft(uint64_t x) {
  const uint64_t k = ImplicitLevel(x);
  if (k == 0) return std::nullopt;
  return x ^ (uint64_t{1} << (k - 1));
}

std::optional<uint64_t> ImplicitRight(uint64_t x, uint64_t n) {
  CANDOR_CHECK(x < n);
  const uint64_t k = ImplicitLevel(x);
  if (k == 0 || x == n - 1) return std::nullopt;
  // k <= 63 here: x < n <= 2^64-1 cannot have 64 trailing ones.
  uint64_t y = x ^ (uint64_t{3} << (k - 1));
  while (y >= n) {
    // y > x >= 0 with y >= n has a level >= 1 (it is an ancestor-side node), so left exists.
    const std::optional<uint64_t> l = ImplicitLeft(y);
    CANDOR_CHECK(l.has_value());
    y = *l;
  }
  return y;
}

std::vector<uint64_t> ImplicitDirectPath(uint64_t x, uint64_t n) {
  CANDOR_CHECK(x < n);
  std::vector<uint64_t> path;
  uint64_t cur = ImplicitRoot(n);
  while (cur != x) {
    path.push_back(cur);
    const std::optional<uint64_t> next = x < cur ? ImplicitLeft(cur) : ImplicitRight(cur, n);
    CANDOR_CHECK(next.has_value());
    cur = *next;
  }
  return path;
}

std::vector<uint64_t> ImplicitFrontier(uint64_t n) {
  std::vector<uint64_t> out{ImplicitRoot(n)};
  while (out.back() != n - 1) {
    const std::optional<uint64_t> next = ImplicitRight(out.back(), n);
    CANDOR_CHECK(next.has_value());
    out.push_back(*next);
  }
  return out;
}

}  // namespace candor::kt
