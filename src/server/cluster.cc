#include "candor/server/cluster.h"

#include <spdlog/spdlog.h>

#include "candor/base/encoding.h"
#include "candor/crypto/random.h"
#include "candor/net/http_client.h"
#include "candor/server/directory_service.h"

namespace candor::server {

Result<NodeRole> ParseNodeRole(std::string_view name) {
  if (name == "single") return NodeRole::kSingle;
  if (name == "front") return NodeRole::kFront;
  if (name == "sequencer") return NodeRole::kSequencer;
  return MakeError(Errc::kInvalidArgument,
                   "cluster.role must be single, front or sequencer, not " + std::string(name));
}

std::string_view NodeRoleName(NodeRole role) {
  switch (role) {
    case NodeRole::kSingle:
      return "single";
    case NodeRole::kFront:
      return "front";
    case NodeRole::kSequencer:
      return "sequencer";
  }
  return "single";
}

std::string_view AdvertisedUrl(std::string_view holder) {
  return holder.substr(0, holder.find(' '));
}

Result<std::unique_ptr<SequencerLease>> SequencerLease::Acquire(store::LeaseStore& leases,
                                                                const ClusterOptions& options,
                                                                const Clock& clock,
                                                                const WaitFn& wait) {
  Bytes nonce(8);
  crypto::FillRandom(nonce.data(), nonce.size());
  const std::string holder = options.advertise_url + " " + HexEncode(nonce);
  const auto ttl = static_cast<uint64_t>(options.lease.count());
  std::string last_holder;
  for (bool first = true;; first = false) {
    auto lease = leases.Acquire(holder, clock(), ttl);
    if (lease.ok()) {
      return std::unique_ptr<SequencerLease>(
          new SequencerLease(leases, options, clock, std::move(*lease)));
    }
    if (lease.error().code != Errc::kConflict && first) return std::move(lease).error();
    if (lease.error().message != last_holder) {
      // Said once per holder, not once per attempt.
      spdlog::info("standby: {}", lease.error().message);
      last_holder = lease.error().message;
    }
    if (!wait(options.lease / 3)) return std::unique_ptr<SequencerLease>();
  }
}

store::SqlFence SequencerLease::Fence() const {
  return [lease = lease_](store::SqlTx& tx) { return store::LeaseStore::CheckFence(tx, lease); };
}

Status SequencerLease::Renew() {
  CANDOR_ASSIGN_OR_RETURN(
      lease_, leases_.Renew(lease_, clock_(), static_cast<uint64_t>(options_.lease.count())));
  return OkStatus();
}

void SequencerLease::Release() {
  if (Status st = leases_.Release(lease_); !st.ok()) {
    spdlog::warn("could not release the sequencer lease: {}", st.error().ToString());
  }
}

Result<net::HttpResponse> SequencerForwarder::Forward(const net::HttpRequest& request) {
  auto lease = leases_.Current();
  if (!lease.ok() || lease->expires_ms <= clock_()) {
    return MakeError(Errc::kUnavailable,
                     "no node holds the sequencer lease (a fail-over is under way); retry");
  }
  CANDOR_ASSIGN_OR_RETURN(net::Url base, net::ParseUrl(AdvertisedUrl(lease->holder)));
  const net::Url url = base.Join(request.target);
  net::HttpClient client;
  client.set_timeout(std::chrono::seconds(40));  // more than the sequencer's update timeout
  std::string bearer = "Bearer " + std::string(AsStringView(token_.view()));
  auto answer = client.Request(request.method, url, request.body,
                               {{"Content-Type", std::string(request.Header("content-type"))},
                                {"Authorization", bearer},
                                {std::string(kClientAddressHeader), request.peer}});
  SecureZero(bearer.data(), bearer.size());
  if (!answer.ok()) {
    return MakeError(Errc::kUnavailable, "the sequencer " + base.ToString() + " did not answer (" +
                                             answer.error().message + "); retry");
  }
  return answer;
}

}  // namespace candor::server
