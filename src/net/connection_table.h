// connection_table.h: the HTTP server's admission policy, apart from sockets so that it can be
// tested alone. It counts connections in all and per client, and when full names the
// connection to evict: the one that has waited longest for a request's first byte, else the one
// that has spent longest reading a request header. Connections being served are never evicted.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace candor::net {

enum class ConnState : uint8_t {
  kWaiting,        // waiting for the first byte of a request
  kReadingHeader,  // a request header has begun
  kBusy,           // reading a body, waiting for the handler, or writing the answer
  kWebSocket,      // upgraded to a WebSocket: never evicted, closed first when draining
};

enum class Admit : uint8_t {
  kAdmitted,
  kAdmittedByEviction,  // admitted; the victim's abort function was called
  kRefusedFull,         // full and every connection is busy
  kRefusedPeer,         // the client is at its own cap
};

class ConnectionTable {
 public:
  using Clock = std::chrono::steady_clock;
  // Abort closes a connection from any thread; the connection later calls Remove itself.
  using Abort = std::function<void()>;

  ConnectionTable(size_t max_total, size_t max_per_peer)
      : max_total_(max_total), max_per_peer_(max_per_peer) {}

  // Add admits a connection from `peer_key` in state kWaiting and sets `*id`, or refuses it.
  // On kAdmittedByEviction the victim's `abort` has been called (outside the lock).
  Admit Add(const std::string& peer_key, Abort abort, Clock::time_point now, uint64_t* id);

  // SetState records that connection `id` entered `state` at `now`.
  void SetState(uint64_t id, ConnState state, Clock::time_point now);

  // Remove forgets connection `id` (unknown ids are ignored).
  void Remove(uint64_t id);

  // EvictOne aborts the best eviction candidate, if any, and reports whether there was one.
  bool EvictOne();

  // AbortAll aborts every connection in `state` (all if `all_states`).
  void AbortAll(bool all_states, ConnState state);

  size_t size() const;
  size_t max_total() const { return max_total_; }

 private:
  struct Entry {
    std::string peer_key;
    ConnState state = ConnState::kWaiting;
    Clock::time_point since;
    Abort abort;
    bool evicting = false;  // aborted, not yet removed: neither a candidate nor counted
  };

  // PickVictimLocked marks the best candidate as evicting and returns its abort function.
  Abort PickVictimLocked();

  const size_t max_total_;
  const size_t max_per_peer_;
  mutable std::mutex mu_;
  uint64_t next_id_ = 1;
  size_t num_evicting_ = 0;
  std::unordered_map<uint64_t, Entry> entries_;
  std::unordered_map<std::string, size_t> per_peer_;
};

}  // namespace candor::net
