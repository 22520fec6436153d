#include "candor/kt/proof_cache.h"

namespace candor::kt {

std::optional<Bytes> ProofCache::Find(ByteView label, uint32_t version) {
  auto it = index_.find(Key(Bytes(label.begin(), label.end()), version));
  if (it == index_.end()) return std::nullopt;
  order_.splice(order_.begin(), order_, it->second);
  return it->second->proof;
}

void ProofCache::Insert(ByteView label, uint32_t version, Bytes proof) {
  Key key(Bytes(label.begin(), label.end()), version);
  if (auto it = index_.find(key); it != index_.end()) {
    it->second->proof = std::move(proof);
    order_.splice(order_.begin(), order_, it->second);
    return;
  }
  order_.push_front(Entry{key, std::move(proof)});
  index_.emplace(std::move(key), order_.begin());
  while (index_.size() > capacity_) {
    index_.erase(order_.back().key);
    order_.pop_back();
  }
}

}  // namespace candor::kt
