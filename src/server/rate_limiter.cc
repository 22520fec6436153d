#include "candor/server/rate_limiter.h"

#include <algorithm>

namespace candor::server {

bool RateLimiter::Allow(const std::string& key, uint64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_ && !lru_.empty()) {
      buckets_.erase(lru_.back());
      lru_.pop_back();
    }
    lru_.push_front(key);
    it = buckets_.emplace(key, Bucket{burst_, now_ms, lru_.begin()}).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  Bucket& b = it->second;
  const uint64_t elapsed = now_ms > b.at ? now_ms - b.at : 0;
  b.tokens = std::min(burst_, b.tokens + static_cast<double>(elapsed) * rate_per_ms_);
  b.at = std::max(b.at, now_ms);
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace candor::server
