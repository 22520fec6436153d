// delivery_service.h: the MLS Delivery Service (RFC 9750 §5-§7, docs/formats/
// messaging-api.md §5): groups kept as public views and advanced by validated commits, one
// winning commit per epoch, per-device queues, fetch and acknowledge over HTTP and push over a
// WebSocket. It sees ciphertext, sizes, timing and membership; nothing else.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "candor/base/clock.h"
#include "candor/net/router.h"
#include "candor/net/worker_pool.h"
#include "candor/server/directory_service.h"
#include "candor/server/metrics.h"
#include "candor/store/delivery_store.h"
#include "candor/store/presence_store.h"

namespace candor::server {

struct DeliveryServiceOptions {
  size_t max_message = 256 << 10;       // bytes of one MLS message
  std::chrono::hours max_age{24 * 30};  // queue entries older than this are dropped
  size_t fetch_limit = 500;             // entries per fetch
  size_t max_in_flight = 256;           // WebSocket frames pushed and not acknowledged
};

class QueueSocket;

class DeliveryService {
 public:
  using Clock = candor::Clock;  // the injected wall clock (ms since the Unix epoch)
  // `pool` runs the WebSocket pushes' store reads; it must outlive the service's use of it
  // (the composition root waits for the pool before destroying services).
  DeliveryService(store::DeliveryStore& store, const DirectoryService& directory, Clock clock,
                  Metrics& metrics, net::WorkerPool& pool, DeliveryServiceOptions options);

  // Register adds the /v1/groups, /v1/queue and /v1/ws routes.
  void Register(net::Router& router);
  // Collect drops expired queue entries (a scheduler task).
  void Collect();
  // Drain closes every WebSocket with 1013 (try again later).
  void Drain();

  // SetPresence (a node of a cluster): the sockets this node holds are recorded in `presence`,
  // so that other nodes that queue messages for them send this node a hint. Call before
  // Register; `presence` must outlive the service.
  void SetPresence(store::PresenceStore* presence) { presence_ = presence; }
  // Notify wakes the WebSockets of `devices` on this node (a local queueing, or a hint).
  void Notify(const std::vector<store::DeviceAddress>& devices);
  // WakeAll wakes every WebSocket on this node: the sweep that repairs lost hints.
  void WakeAll();

  // Internal to QueueSocket.
  void Attach(const store::DeviceAddress& device, const std::shared_ptr<QueueSocket>& socket);
  void Detach(const store::DeviceAddress& device, const QueueSocket* socket);
  store::DeliveryStore& store() { return store_; }
  net::WorkerPool& pool() { return pool_; }
  const DeliveryServiceOptions& options() const { return options_; }
  Clock& clock() { return clock_; }
  Histogram& push_latency() { return push_latency_; }

 private:
  Result<net::HttpResponse> CreateGroup(const net::RouteRequest& req);
  Result<net::HttpResponse> Commit(const net::RouteRequest& req);
  Result<net::HttpResponse> Message(const net::RouteRequest& req);
  Result<net::HttpResponse> GetGroup(const net::RouteRequest& req);
  Result<net::HttpResponse> GroupInfo(const net::RouteRequest& req);
  Result<net::HttpResponse> Fetch(const net::RouteRequest& req);
  Result<net::HttpResponse> Ack(const net::RouteRequest& req);

  store::DeliveryStore& store_;
  const DirectoryService& directory_;
  Clock clock_;
  net::WorkerPool& pool_;
  DeliveryServiceOptions options_;
  Counter& messages_;
  Counter& commits_;
  Counter& commit_conflicts_;
  Counter& queued_;
  Histogram& push_latency_;

  std::mutex mu_;
  std::multimap<store::DeviceAddress, std::weak_ptr<QueueSocket>> sockets_;
  store::PresenceStore* presence_ = nullptr;
  bool draining_ = false;
};

}  // namespace candor::server
