// directory_service.h: the KEYTRANS directory over HTTP (docs/formats/messaging-api.md §3).
// Bodies are the draft's structs in the TLS presentation language. The directory publishes on a
// cadence (a Scheduler task): every `publish_interval` when updates are queued, and an empty
// heartbeat entry after `heartbeat_interval` of silence; every signed head goes into the C2SP
// tree-head log that the witnesses cosign. An update is answered once it is published and
// durable (in thirdPartyAuditing mode, also once the directory holds a first auditor head).
//
// The service checks each new device list against the greatest published one (signature chain,
// sequence) and rate-limits the creation of accounts per source address and per handle. A
// compelled operator could skip those checks: clients never rely on them.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "candor/base/clock.h"
#include "candor/base/executor.h"
#include "candor/kt/device_list.h"
#include "candor/kt/directory.h"
#include "candor/net/router.h"
#include "candor/server/metrics.h"
#include "candor/server/rate_limiter.h"
#include "candor/server/scheduler.h"

namespace candor::server {

struct DirectoryServiceOptions {
  std::chrono::milliseconds publish_interval{1000};
  std::chrono::milliseconds heartbeat_interval{30000};
  std::chrono::milliseconds update_timeout{30000};  // an unpublished update answers 503 then
  double accounts_per_minute_per_address = 10;      // new handles from one address
  double accounts_burst_per_address = 20;
  double updates_per_minute_per_handle = 30;  // changes to one account (devices, keys)
  double updates_burst_per_handle = 10;
};

// kClientAddressHeader carries, on an update a front node forwards, the address of the client
// that sent it (trusted only with the cluster token).
inline constexpr std::string_view kClientAddressHeader = "candor-client-address";

class DirectoryService {
 public:
  using Clock = candor::Clock;  // the injected wall clock (ms since the Unix epoch)

  // DirectoryService serves `directory` (which must outlive it).
  DirectoryService(kt::Directory& directory, Clock clock, Metrics& metrics,
                   DirectoryServiceOptions options);
  ~DirectoryService();

  // AcceptAuditorHeads enables `POST /v1/directory/auditor-head` (thirdPartyAuditing) for the
  // holder of the bearer token whose SHA-256 is `token_hash`. Call it before Register.
  void AcceptAuditorHeads(const Hash32& token_hash) { auditor_token_hash_ = token_hash; }
  // A cluster's front node (cluster.h) does not publish: ForwardUpdates sends each update that
  // passed this node's checks to the sequencer through `forward`, which must name the client's
  // address in kClientAddressHeader, and relays its answer (the sequencer applies the rate
  // limits, for the whole cluster); after a published one, `follow` brings this node's
  // directory up to date so the client sees its change here at once. `forward` blocks until
  // the sequencer answers, so it runs on `forwarding`, never on the request's worker thread,
  // and at most `max_in_flight` at once (more is 503: a slow or hung sequencer cannot take the
  // node's threads). `forwarding` must outlive the answers. Call before Register.
  using Forward = std::function<Result<net::HttpResponse>(const net::HttpRequest&)>;
  void ForwardUpdates(Forward forward, std::function<void()> follow, Executor& forwarding,
                      size_t max_in_flight) {
    forward_ = std::move(forward);
    follow_ = std::move(follow);
    forwarding_ = &forwarding;
    max_forwarding_ = max_in_flight;
  }
  // AcceptForwardedUpdates: updates that carry the cluster token (SHA-256 `token_hash`) come
  // from a front node; the sequencer's rate limits count them against the client address they
  // name in kClientAddressHeader (kMalformed without one), not the front node's.
  void AcceptForwardedUpdates(const Hash32& token_hash) { cluster_token_hash_ = token_hash; }
  // Register adds the routes under /v1/directory/.
  void Register(net::Router& router);
  // Schedule registers the publish task ("kt-publish").
  void Schedule(Scheduler& scheduler);
  // Drain answers every waiting update (published or not: 503 "retry") and refuses new ones.
  void Drain();

  // CurrentDeviceList returns the device list of the greatest published version of `handle`
  // (nullopt if the handle has none). kInternal if a stored value does not decode.
  Result<std::optional<kt::DeviceList>> CurrentDeviceList(std::string_view handle) const;
  // FindDevice returns the device `device_id` of `handle`'s current list; kNotFound if absent.
  Result<kt::Device> FindDevice(std::string_view handle, std::string_view device_id) const;

  // PublishNow publishes what is queued (or a heartbeat if `heartbeat`) and answers the updates
  // it covers. The scheduler calls it; tests may too.
  void PublishNow(bool heartbeat);

 private:
  struct Waiter {
    kt::UpdateTicket ticket;
    std::optional<uint64_t> last;
    net::Responder respond;
    uint64_t deadline;
  };

  Result<net::HttpResponse> Update(const net::RouteRequest& req, net::Responder* respond);
  // TakeAuditorHead checks the bearer token and hands the posted head to the directory; the
  // updates that waited for a first auditor head are answered.
  Result<net::HttpResponse> TakeAuditorHead(const net::RouteRequest& req);
  // CheckValues verifies each new value is a device list that follows the previous one.
  Status CheckValues(const kt::UpdateRequest& request) const;
  void Answer(std::vector<Waiter> done);
  // CatchUpTo follows the sequencer first (a front node) when a client's `last` head is newer
  // than this node's newest.
  void CatchUpTo(std::optional<uint64_t> last);

  kt::Directory& directory_;
  Clock clock_;
  DirectoryServiceOptions options_;
  kt::WireContext wire_;
  std::optional<Hash32> auditor_token_hash_;
  std::optional<Hash32> cluster_token_hash_;
  Forward forward_;
  std::function<void()> follow_;
  Executor* forwarding_ = nullptr;
  size_t max_forwarding_ = 0;
  std::atomic<size_t> forwarding_in_flight_{0};
  RateLimiter new_accounts_;
  RateLimiter handle_updates_;
  Counter& rate_limited_;
  Counter& updates_;
  Counter& updates_refused_;
  Counter& publishes_;
  Counter& publish_failures_;
  Histogram& publish_seconds_;

  std::mutex mu_;
  std::vector<Waiter> waiting_;
  uint64_t last_publish_ms_ = 0;
  bool draining_ = false;
};

}  // namespace candor::server
