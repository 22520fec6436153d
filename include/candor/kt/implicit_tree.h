// implicit_tree.h: the implicit binary search tree over log entries
// (draft-ietf-keytrans-protocol §"Implicit Binary Search Tree" and its appendix). Pure integer
// functions with exactly the semantics of the draft's appendix Python code. Positions and sizes
// are log-entry indices and counts.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace candor::kt {

// ImplicitLevel returns the level of entry `x`: 0 for even x, else the number of trailing one
// bits (appendix `level`).
uint64_t ImplicitLevel(uint64_t x);

// ImplicitRoot returns the root entry of a log of `n` entries, 2^floor(log2(n)) - 1 (appendix
// `root`). `n` must be >= 1 (CANDOR_CHECK: callers validate sizes first).
uint64_t ImplicitRoot(uint64_t n);

// ImplicitLeft returns the left child of `x`, nullopt at level 0 (appendix `left`).
std::optional<uint64_t> ImplicitLeft(uint64_t x);

// ImplicitRight returns the right child of `x` in a log of `n` entries, nullopt at level 0 or
// when x == n-1 (appendix `right`). `x` must be < n (CANDOR_CHECK).
std::optional<uint64_t> ImplicitRight(uint64_t x, uint64_t n);

// ImplicitDirectPath returns the direct path of `x` in a log of `n` entries: the root first, down
// to x's parent (empty when x is the root). `x` must be < n (CANDOR_CHECK).
std::vector<uint64_t> ImplicitDirectPath(uint64_t x, uint64_t n);

// ImplicitFrontier returns the frontier of a log of `n` entries: the root, its right child, the
// right child's right child, ..., ending with n-1. `n` must be >= 1 (CANDOR_CHECK).
std::vector<uint64_t> ImplicitFrontier(uint64_t n);

}  // namespace candor::kt
