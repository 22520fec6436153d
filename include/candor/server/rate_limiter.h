// rate_limiter.h: token buckets per key (a source address, a handle) for abuse limits (A6):
// `burst` requests at once, then `per_minute` a minute. The table is bounded: when it is full
// the least recently used key is forgotten (which only ever lets a request through).
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace candor::server {

class RateLimiter {
 public:
  RateLimiter(double per_minute, double burst, size_t max_keys = 100000)
      : rate_per_ms_(per_minute / 60000.0), burst_(burst), max_keys_(max_keys) {}

  // Allow takes one token for `key` at time `now_ms`; false if its bucket is empty.
  bool Allow(const std::string& key, uint64_t now_ms);

 private:
  struct Bucket {
    double tokens;
    uint64_t at;
    std::list<std::string>::iterator lru;
  };
  const double rate_per_ms_;
  const double burst_;
  const size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::list<std::string> lru_;  // most recent first
};

}  // namespace candor::server
