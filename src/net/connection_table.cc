#include "connection_table.h"

#include <vector>

namespace candor::net {

Admit ConnectionTable::Add(const std::string& peer_key, Abort abort, Clock::time_point now,
                           uint64_t* id) {
  Abort victim;
  Admit result = Admit::kAdmitted;
  {
    std::lock_guard<std::mutex> lock(mu_);
    size_t& from_peer = per_peer_[peer_key];
    if (from_peer >= max_per_peer_) {
      if (from_peer == 0) per_peer_.erase(peer_key);
      return Admit::kRefusedPeer;
    }
    if (entries_.size() - num_evicting_ >= max_total_) {
      victim = PickVictimLocked();
      if (!victim) {
        if (from_peer == 0) per_peer_.erase(peer_key);
        return Admit::kRefusedFull;
      }
      result = Admit::kAdmittedByEviction;
    }
    ++from_peer;
    *id = next_id_++;
    entries_.emplace(*id, Entry{peer_key, ConnState::kWaiting, now, std::move(abort), false});
  }
  if (victim) victim();
  return result;
}

void ConnectionTable::SetState(uint64_t id, ConnState state, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  it->second.state = state;
  it->second.since = now;
}

void ConnectionTable::Remove(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  if (it->second.evicting) --num_evicting_;
  auto peer = per_peer_.find(it->second.peer_key);
  if (peer != per_peer_.end() && --peer->second == 0) per_peer_.erase(peer);
  entries_.erase(it);
}

ConnectionTable::Abort ConnectionTable::PickVictimLocked() {
  Entry* best = nullptr;
  for (auto& [id, e] : entries_) {
    if (e.evicting || e.state == ConnState::kBusy || e.state == ConnState::kWebSocket) continue;
    if (best == nullptr) {
      best = &e;
      continue;
    }
    // A connection waiting for a request beats one reading a header; then the longest wait.
    const bool e_waiting = e.state == ConnState::kWaiting;
    const bool best_waiting = best->state == ConnState::kWaiting;
    if (e_waiting != best_waiting ? e_waiting : e.since < best->since) best = &e;
  }
  if (best == nullptr) return nullptr;
  best->evicting = true;
  ++num_evicting_;
  return best->abort;
}

bool ConnectionTable::EvictOne() {
  Abort victim;
  {
    std::lock_guard<std::mutex> lock(mu_);
    victim = PickVictimLocked();
  }
  if (!victim) return false;
  victim();
  return true;
}

void ConnectionTable::AbortAll(bool all_states, ConnState state) {
  std::vector<Abort> victims;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, e] : entries_) {
      if (all_states || e.state == state) victims.push_back(e.abort);
    }
  }
  for (Abort& a : victims) a();
}

size_t ConnectionTable::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace candor::net
