// percentile.h: the one percentile rule of the load drivers that share it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace candor::bench {

// Percentile is the value at rank floor(p * n) of `v` sorted (the greatest for p = 1); 0 for an
// empty `v`.
inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

}  // namespace candor::bench
