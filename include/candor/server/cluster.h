// cluster.h: candord as one node of a cluster over one PostgreSQL (issue 13,
// docs/operations/scale-out.md). Every node serves accounts, KeyPackages, delivery, directory
// queries and the logs' tiles from the shared database. One node at a time, the sequencer,
// publishes the key directory and appends to the logs: it holds the sequencer lease
// (store/lease_store.h), and every write it makes runs the lease's fence in its transaction.
// The other nodes (front nodes) follow the directory from the database and forward the
// directory updates they receive to the sequencer, whose URL the lease names.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "candor/base/bytes.h"
#include "candor/base/clock.h"
#include "candor/base/result.h"
#include "candor/net/http.h"
#include "candor/store/lease_store.h"
#include "candor/store/sql.h"

namespace candor::server {

// NodeRole is what a candord process is: the whole service on its own (single, the default,
// with files for the logs), or a node of a cluster.
enum class NodeRole : uint8_t { kSingle, kFront, kSequencer };

// ParseNodeRole reads "single", "front" or "sequencer" (kInvalidArgument otherwise).
Result<NodeRole> ParseNodeRole(std::string_view name);
std::string_view NodeRoleName(NodeRole role);

struct ClusterOptions {
  NodeRole role = NodeRole::kSingle;
  // advertise_url is how the other nodes reach this one (a sequencer candidate): front nodes
  // forward directory updates there.
  std::string advertise_url;
  // lease: a sequencer that stops renewing (crashed, paused, cut off) is replaced this long
  // after its last renewal; it renews every third of it.
  std::chrono::milliseconds lease{5000};
  // follow_interval: how often a front node reads the directory entries the sequencer added.
  std::chrono::milliseconds follow_interval{200};
};

// SequencerLease is this process's holding of the sequencer lease.
class SequencerLease {
 public:
  // WaitFn pauses a standby between attempts; false stops waiting (a termination signal).
  using WaitFn = std::function<bool(std::chrono::milliseconds)>;

  // Acquire takes the lease for `advertise_url` (with a nonce, unique to this process), as a
  // standby that tries again every lease/3 while another node holds it. Returns null when
  // `wait` said stop first. kUnavailable if the database cannot be reached at the first try.
  static Result<std::unique_ptr<SequencerLease>> Acquire(store::LeaseStore& leases,
                                                         const ClusterOptions& options,
                                                         const Clock& clock, const WaitFn& wait);

  // Fence returns the fence of every write of this sequencer: it fails once another node took
  // the lease (a newer term).
  store::SqlFence Fence() const;
  // Renew extends the lease; kConflict once it is lost (the caller must step down at once).
  Status Renew();
  // Release hands the lease over at a clean shutdown, so a standby takes over at once.
  void Release();
  const store::Lease& lease() const { return lease_; }

 private:
  SequencerLease(store::LeaseStore& leases, ClusterOptions options, Clock clock, store::Lease lease)
      : leases_(leases),
        options_(std::move(options)),
        clock_(std::move(clock)),
        lease_(std::move(lease)) {}

  store::LeaseStore& leases_;
  const ClusterOptions options_;
  const Clock clock_;
  store::Lease lease_;
};

// SequencerForwarder sends the directory updates a front node receives to the sequencer named
// by the lease, with the cluster's bearer token (so the sequencer knows the front node applied
// the rate limits), and returns its answer. Thread-safe; blocks: call it on the worker pool.
class SequencerForwarder {
 public:
  // `token` is the cluster token (keys/cluster.token, the same file on every node).
  SequencerForwarder(store::LeaseStore& leases, Clock clock, SecretBytes token)
      : leases_(leases), clock_(std::move(clock)), token_(std::move(token)) {}

  // Forward posts `request` (method, target, body and content type) to the sequencer.
  // kUnavailable, "retry", while no node holds the lease (a fail-over) or it cannot be reached.
  Result<net::HttpResponse> Forward(const net::HttpRequest& request);

 private:
  store::LeaseStore& leases_;
  const Clock clock_;
  const SecretBytes token_;
};

// AdvertisedUrl returns the URL part of a lease holder's name ("<url> <nonce>").
std::string_view AdvertisedUrl(std::string_view holder);

}  // namespace candor::server
