#include "candor/server/directory_service.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include "bearer.h"
#include "candor/base/tls.h"
#include "candor/mls/candor_identity.h"
#include "json_util.h"

namespace candor::server {
namespace {

constexpr size_t kMaxKtBody = 64 << 10;

template <class T>
Result<T> DecodeBody(const net::RouteRequest& req) {
  return tls::DecodeExact<T>(AsBytes(req.http.body));
}

template <class T>
net::HttpResponse Encoded(const T& msg, const kt::WireContext& ctx) {
  tls::Writer w;
  msg.Encode(w, ctx);
  return BinaryAnswer(w.Take());
}

}  // namespace

DirectoryService::DirectoryService(kt::Directory& directory, Clock clock, Metrics& metrics,
                                   DirectoryServiceOptions options)
    : directory_(directory),
      clock_(std::move(clock)),
      options_(options),
      wire_(*kt::WireContext::For(directory.config())),
      new_accounts_(options.accounts_per_minute_per_address, options.accounts_burst_per_address),
      handle_updates_(options.updates_per_minute_per_handle, options.updates_burst_per_handle),
      rate_limited_(metrics.CounterFor("candor_kt_rate_limited_total",
                                       "directory updates refused by a rate limit")),
      updates_(metrics.CounterFor("candor_kt_updates_total", "directory updates accepted")),
      updates_refused_(
          metrics.CounterFor("candor_kt_updates_refused_total", "directory updates refused")),
      publishes_(metrics.CounterFor("candor_kt_publishes_total", "directory log entries")),
      publish_failures_(
          metrics.CounterFor("candor_kt_publish_failures_total", "failed directory publishes")),
      publish_seconds_(metrics.HistogramFor("candor_kt_publish_seconds",
                                            "time to publish one directory entry",
                                            {0.001, 0.005, 0.02, 0.1, 0.5, 2})) {
  metrics.AddGauge("candor_kt_tree_size", "directory log entries",
                   [this] { return static_cast<double>(directory_.size()); });
  metrics.AddGauge("candor_kt_auditor_tree_size", "tree size of the auditor head held", [this] {
    return static_cast<double>(directory_.auditor_tree_size().value_or(0));
  });
  metrics.AddGauge("candor_kt_queued_versions", "label versions waiting to be published",
                   [this] { return static_cast<double>(directory_.queued_versions()); });
  metrics.AddGauge("candor_kt_publish_lag_seconds", "time since the last published entry", [this] {
    std::lock_guard<std::mutex> lock(mu_);
    const uint64_t now = clock_();
    return last_publish_ms_ == 0 || now < last_publish_ms_
               ? 0.0
               : static_cast<double>(now - last_publish_ms_) / 1000.0;
  });
}

DirectoryService::~DirectoryService() { Drain(); }

Result<std::optional<kt::DeviceList>> DirectoryService::CurrentDeviceList(
    std::string_view handle) const {
  auto latest = directory_.LatestValue(AsBytes(handle));
  if (!latest) return std::optional<kt::DeviceList>();
  auto list = tls::DecodeExact<kt::DeviceList>(latest->second);
  if (!list.ok()) {
    return MakeError(Errc::kInternal, "the directory holds a value that is not a device list");
  }
  return std::optional<kt::DeviceList>(std::move(*list));
}

Result<kt::Device> DirectoryService::FindDevice(std::string_view handle,
                                                std::string_view device_id) const {
  CANDOR_ASSIGN_OR_RETURN(std::optional<kt::DeviceList> list, CurrentDeviceList(handle));
  if (list) {
    for (const kt::Device& d : list->list.devices) {
      if (AsStringView(d.device_id) == device_id) return d;
    }
  }
  return MakeError(Errc::kNotFound, "no device " + std::string(device_id) + " in " +
                                        std::string(handle) + "'s device list");
}

Status DirectoryService::CheckValues(const kt::UpdateRequest& request) const {
  const std::string handle(AsStringView(request.label));
  if (!mls::IsValidHandle(handle)) {
    return MakeError(Errc::kInvalidArgument,
                     "a handle is 1 to 64 characters of a-z 0-9 . _ -, starting with a letter");
  }
  CANDOR_ASSIGN_OR_RETURN(std::optional<kt::DeviceList> previous, CurrentDeviceList(handle));
  for (const kt::LabelValue& v : request.values) {
    auto list = tls::DecodeExact<kt::DeviceList>(v.value);
    if (!list.ok()) return MakeError(Errc::kMalformed, "a value is not a DeviceList");
    for (const kt::Device& d : list->list.devices) {
      if (!mls::IsValidDeviceId(AsStringView(d.device_id))) {
        return MakeError(Errc::kInvalidArgument, "a device id is 1 to 64 of a-z 0-9 . _ -");
      }
    }
    auto verified = kt::VerifyDeviceList(request.label, *list, previous);
    if (!verified.ok()) {
      return MakeError(Errc::kVerifyFailed,
                       "the device list is not signed by the account key or does not follow the "
                       "published one");
    }
    previous = std::move(*list);
  }
  return OkStatus();
}

void DirectoryService::CatchUpTo(std::optional<uint64_t> last) {
  // A client that saw a newer head (through another node) must not be refused by this one.
  if (follow_ && last && *last > directory_.size()) follow_();
}

void DirectoryService::Register(net::Router& router) {
  const net::RouteOptions kt_route{kMaxKtBody, false, true};
  router.Add("GET", "/v1/directory/config", {0, false, false},
             [this](const net::RouteRequest&) -> Result<net::HttpResponse> {
               return BinaryAnswer(tls::Encode(directory_.config()));
             });
  router.Add("POST", "/v1/directory/search", kt_route,
             [this](const net::RouteRequest& req) -> Result<net::HttpResponse> {
               CANDOR_ASSIGN_OR_RETURN(auto request, DecodeBody<kt::SearchRequest>(req));
               CatchUpTo(request.last);
               CANDOR_ASSIGN_OR_RETURN(auto response, directory_.Search(request));
               return Encoded(response, wire_);
             });
  router.Add("POST", "/v1/directory/monitor", kt_route,
             [this](const net::RouteRequest& req) -> Result<net::HttpResponse> {
               CANDOR_ASSIGN_OR_RETURN(auto request, DecodeBody<kt::ContactMonitorRequest>(req));
               CatchUpTo(request.last);
               CANDOR_ASSIGN_OR_RETURN(auto response, directory_.ContactMonitor(request));
               return Encoded(response, wire_);
             });
  router.Add("POST", "/v1/directory/owner-init", kt_route,
             [this](const net::RouteRequest& req) -> Result<net::HttpResponse> {
               CANDOR_ASSIGN_OR_RETURN(auto request, DecodeBody<kt::OwnerInitRequest>(req));
               CatchUpTo(request.last);
               CANDOR_ASSIGN_OR_RETURN(auto response, directory_.OwnerInit(request));
               return Encoded(response, wire_);
             });
  router.Add("POST", "/v1/directory/owner-monitor", kt_route,
             [this](const net::RouteRequest& req) -> Result<net::HttpResponse> {
               CANDOR_ASSIGN_OR_RETURN(auto request, DecodeBody<kt::OwnerMonitorRequest>(req));
               CatchUpTo(request.last);
               CANDOR_ASSIGN_OR_RETURN(auto response, directory_.OwnerMonitor(request));
               return Encoded(response, wire_);
             });
  router.Add("POST", "/v1/directory/distinguished", kt_route,
             [this](const net::RouteRequest& req) -> Result<net::HttpResponse> {
               CANDOR_ASSIGN_OR_RETURN(auto request, DecodeBody<kt::DistinguishedRequest>(req));
               CatchUpTo(request.last);
               CANDOR_ASSIGN_OR_RETURN(auto response, directory_.Distinguished(request));
               return Encoded(response, wire_);
             });
  router.Add("GET", "/v1/directory/auditor-update/{position}", {0, false, true},
             [this](const net::RouteRequest& req) -> Result<net::HttpResponse> {
               const std::string& p = req.Param("position");
               uint64_t position = 0;
               auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), position);
               if (ec != std::errc() || ptr != p.data() + p.size()) {
                 return MakeError(Errc::kMalformed, "position must be a decimal number");
               }
               CANDOR_ASSIGN_OR_RETURN(auto update, directory_.AuditorUpdateFor(position));
               return BinaryAnswer(tls::Encode(update));
             });
  if (auditor_token_hash_) {
    router.Add("POST", "/v1/directory/auditor-head", {kMaxKtBody, false, true},
               [this](const net::RouteRequest& req) { return TakeAuditorHead(req); });
  }
  router.AddAsync("POST", "/v1/directory/update", kt_route,
                  [this](const net::RouteRequest& req, net::Responder respond) {
                    auto answer = Update(req, &respond);
                    if (!answer.ok()) {
                      updates_refused_.Add();
                      respond(net::JsonError(answer.error()));
                    } else if (respond) {
                      respond(std::move(*answer));
                    }
                  });
}

Result<net::HttpResponse> DirectoryService::Update(const net::RouteRequest& req,
                                                   net::Responder* respond) {
  CANDOR_ASSIGN_OR_RETURN(auto request, DecodeBody<kt::UpdateRequest>(req));
  if (follow_) follow_();  // a front node checks the update against the newest published value
  const auto latest = directory_.LatestValue(request.label);
  const std::optional<uint32_t> greatest =
      latest ? std::optional<uint32_t>(latest->first) : std::nullopt;
  if (greatest && request.greatest_version && *request.greatest_version < *greatest) {
    // The client is behind: tell it what it missed (it checks those versions itself).
    CANDOR_ASSIGN_OR_RETURN(auto response, directory_.ExistingUpdate(request));
    return Encoded(response, wire_);
  }
  // The node that publishes applies the rate limits, so that they hold for the whole cluster:
  // a front node forwards the client's address with the cluster token.
  const bool limits_here = !forward_;
  std::string address = req.http.peer;
  if (cluster_token_hash_ && BearerMatches(req.http, *cluster_token_hash_)) {
    address = std::string(req.http.Header(std::string(kClientAddressHeader)));
    if (address.empty()) {
      return MakeError(Errc::kMalformed, "a forwarded update names no client address");
    }
  }
  if (!greatest && !request.values.empty() && limits_here) {
    // A new account: first come, first served, at a bounded rate per address.
    if (!new_accounts_.Allow("addr:" + address, clock_())) {
      rate_limited_.Add();
      return MakeError(Errc::kRateLimited, "too many new accounts from this address; retry later");
    }
  }
  CANDOR_TRY(CheckValues(request));
  // Counted only once the account key signed the change: others cannot spend an account's budget.
  if (!request.values.empty() && limits_here &&
      !handle_updates_.Allow(std::string(AsStringView(request.label)), clock_())) {
    rate_limited_.Add();
    return MakeError(Errc::kRateLimited, "too many changes to this account; retry later");
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (draining_) return MakeError(Errc::kUnavailable, "the server is shutting down");
  }
  if (forward_) {
    if (forwarding_in_flight_.fetch_add(1) >= max_forwarding_) {
      forwarding_in_flight_.fetch_sub(1);
      return MakeError(Errc::kUnavailable,
                       "too many directory updates are waiting for the sequencer; retry");
    }
    forwarding_->Post([this, http = req.http, respond = std::move(*respond)] {
      auto answer = forward_(http);
      if (answer.ok() && answer->status == 200) {
        updates_.Add();
        follow_();
      }
      if (!answer.ok()) updates_refused_.Add();
      respond(answer.ok() ? std::move(*answer) : net::JsonError(answer.error()));
      forwarding_in_flight_.fetch_sub(1);
    });
    *respond = nullptr;
    return net::HttpResponse{};
  }
  CANDOR_ASSIGN_OR_RETURN(kt::UpdateTicket ticket, directory_.SubmitUpdate(request));
  updates_.Add();
  std::lock_guard<std::mutex> lock(mu_);
  waiting_.push_back(Waiter{std::move(ticket), request.last, std::move(*respond),
                            clock_() + static_cast<uint64_t>(options_.update_timeout.count())});
  *respond = nullptr;
  return net::HttpResponse{};
}

Result<net::HttpResponse> DirectoryService::TakeAuditorHead(const net::RouteRequest& req) {
  if (!BearerMatches(req.http, *auditor_token_hash_)) {
    return MakeError(Errc::kUnauthenticated, "auditor heads need the auditor's bearer token");
  }
  CANDOR_ASSIGN_OR_RETURN(auto head, DecodeBody<kt::AuditorTreeHead>(req));
  CANDOR_TRY(directory_.SetAuditorTreeHead(head));
  std::vector<Waiter> waiting;
  {
    std::lock_guard<std::mutex> lock(mu_);
    waiting.swap(waiting_);
  }
  Answer(std::move(waiting));
  return JsonAnswer({{"tree_size", head.tree_size}});
}

void DirectoryService::Schedule(Scheduler& scheduler) {
  scheduler.Every("kt-publish", options_.publish_interval, [this] {
    bool heartbeat = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      heartbeat =
          clock_() >= last_publish_ms_ + static_cast<uint64_t>(options_.heartbeat_interval.count());
    }
    PublishNow(heartbeat);
  });
}

void DirectoryService::PublishNow(bool heartbeat) {
  if (directory_.queued_versions() == 0 && !heartbeat) {
    // Nothing to publish; still time out waiters left behind by failed publishes.
    Answer({});
    return;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto position = directory_.Publish();
  publish_seconds_.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  std::vector<Waiter> done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (position.ok()) {
      publishes_.Add();
      last_publish_ms_ = clock_();
      done.swap(waiting_);
    } else {
      publish_failures_.Add();
      spdlog::warn("directory publish failed: {}", position.error().ToString());
    }
  }
  Answer(std::move(done));
}

void DirectoryService::Answer(std::vector<Waiter> done) {
  // Every queued version is in the entry just published (Publish takes whole labels and, below
  // the batch limit, the whole queue); anything still queued waits for the next one.
  std::vector<Waiter> still;
  const uint64_t now = clock_();
  for (Waiter& w : done) {
    auto answer = directory_.UpdateResult(w.ticket, w.last);
    if (answer.ok()) {
      w.respond(Encoded(*answer, wire_));
    } else if ((answer.error().code == Errc::kNotFound ||
                (answer.error().code == Errc::kUnavailable && auditor_token_hash_)) &&
               now < w.deadline) {
      // Not published yet, or (thirdPartyAuditing) no auditor head yet: answered later.
      still.push_back(std::move(w));
    } else {
      w.respond(net::JsonError(answer.error()));
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (now >= it->deadline) {
      it->respond(net::JsonError(
          MakeError(Errc::kUnavailable, "the update is not published yet; send it again later")));
      it = waiting_.erase(it);
    } else {
      ++it;
    }
  }
  for (Waiter& w : still) waiting_.push_back(std::move(w));
}

void DirectoryService::Drain() {
  std::vector<Waiter> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    draining_ = true;
    left.swap(waiting_);
  }
  for (Waiter& w : left) {
    w.respond(net::JsonError(
        MakeError(Errc::kUnavailable, "the server is shutting down; send the update again")));
  }
}

}  // namespace candor::server
