#include "candor/server/config.h"

#include <set>

#include "json_util.h"

namespace candor::server {
namespace {

Error Bad(const std::string& key, const std::string& why) {
  return MakeError(Errc::kInvalidArgument, "candord.json: " + key + ": " + why);
}

// Reader walks one JSON object, taking known keys and refusing the rest at the end.
class Reader {
 public:
  Reader(const Json& j, std::string path) : j_(j), path_(std::move(path)) {}

  template <class T>
  Status Number(const char* key, T& out) {
    seen_.insert(key);
    auto it = j_.find(key);
    if (it == j_.end()) return OkStatus();
    if (!it->is_number() || (std::is_unsigned_v<T> && !it->is_number_unsigned())) {
      return Bad(path_ + key, "must be a non-negative number");
    }
    out = it->get<T>();
    return OkStatus();
  }
  Status String(const char* key, std::string& out) {
    seen_.insert(key);
    auto it = j_.find(key);
    if (it == j_.end()) return OkStatus();
    if (!it->is_string()) return Bad(path_ + key, "must be a string");
    out = it->get<std::string>();
    return OkStatus();
  }
  Status Strings(const char* key, std::vector<std::string>& out) {
    seen_.insert(key);
    auto it = j_.find(key);
    if (it == j_.end()) return OkStatus();
    if (!it->is_array()) return Bad(path_ + key, "must be a list of strings");
    out.clear();
    for (const Json& v : *it) {
      if (!v.is_string()) return Bad(path_ + key, "must be a list of strings");
      out.push_back(v.get<std::string>());
    }
    return OkStatus();
  }
  Status Millis(const char* key, std::chrono::milliseconds& out) {
    auto v = static_cast<uint64_t>(out.count());
    CANDOR_TRY(Number(key, v));
    out = std::chrono::milliseconds(v);
    return OkStatus();
  }
  // Object returns the sub-object `key` (an empty one if absent).
  Result<Json> Object(const char* key) {
    seen_.insert(key);
    auto it = j_.find(key);
    if (it == j_.end()) return Json::object();
    if (!it->is_object()) return Bad(path_ + key, "must be an object");
    return *it;
  }
  Status Done() const {
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      if (seen_.count(it.key()) == 0) return Bad(path_ + it.key(), "unknown option");
    }
    return OkStatus();
  }

 private:
  const Json& j_;
  std::string path_;
  std::set<std::string> seen_;
};

}  // namespace

Result<ServerConfig> ParseServerConfig(std::string_view json, const std::string& dir) {
  Json j = Json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return MakeError(Errc::kInvalidArgument, "candord.json: not a JSON object");
  }
  ServerConfig c;
  c.database = "sqlite:" + dir + "/candor.db";
  Reader r(j, "");
  CANDOR_TRY(r.String("listen", c.listen));
  CANDOR_TRY(r.String("database", c.database));
  CANDOR_TRY(r.Number("http_threads", c.http_threads));
  CANDOR_TRY(r.Number("blocking_threads", c.blocking_threads));
  CANDOR_TRY(r.Number("max_connections", c.max_connections));
  CANDOR_TRY(r.Number("max_connections_per_client", c.max_connections_per_client));
  CANDOR_TRY(r.Strings("witnesses", c.witnesses));
  CANDOR_TRY(r.Number("quorum", c.quorum));
  CANDOR_TRY(r.Millis("cosign_refresh_ms", c.cosign_refresh));

  CANDOR_ASSIGN_OR_RETURN(Json d, r.Object("directory"));
  Reader dr(d, "directory.");
  CANDOR_TRY(dr.Millis("publish_interval_ms", c.directory.publish_interval));
  CANDOR_TRY(dr.Millis("heartbeat_interval_ms", c.directory.heartbeat_interval));
  CANDOR_TRY(dr.Millis("update_timeout_ms", c.directory.update_timeout));
  CANDOR_TRY(
      dr.Number("accounts_per_minute_per_address", c.directory.accounts_per_minute_per_address));
  CANDOR_TRY(dr.Number("updates_per_minute_per_handle", c.directory.updates_per_minute_per_handle));
  CANDOR_TRY(dr.Done());

  CANDOR_ASSIGN_OR_RETURN(Json a, r.Object("auth"));
  Reader ar(a, "auth.");
  CANDOR_TRY(ar.Millis("challenge_life_ms", c.auth.challenge_life));
  CANDOR_TRY(ar.Millis("session_life_ms", c.auth.session_life));
  CANDOR_TRY(
      ar.Number("challenges_per_minute_per_address", c.auth.challenges_per_minute_per_address));
  CANDOR_TRY(ar.Done());

  CANDOR_ASSIGN_OR_RETURN(Json k, r.Object("keypackages"));
  Reader kr(k, "keypackages.");
  CANDOR_TRY(kr.Number("max_per_upload", c.keypackages.max_per_upload));
  CANDOR_TRY(kr.Number("max_stored_per_device", c.keypackages.max_stored_per_device));
  CANDOR_TRY(kr.Done());

  CANDOR_ASSIGN_OR_RETURN(Json q, r.Object("delivery"));
  Reader qr(q, "delivery.");
  CANDOR_TRY(qr.Number("max_message_bytes", c.delivery.max_message));
  CANDOR_TRY(qr.Number("max_queue", c.max_queue));
  auto hours = static_cast<uint64_t>(c.delivery.max_age.count());
  CANDOR_TRY(qr.Number("max_age_hours", hours));
  c.delivery.max_age = std::chrono::hours(hours);
  CANDOR_TRY(qr.Number("max_in_flight", c.delivery.max_in_flight));
  CANDOR_TRY(qr.Done());

  CANDOR_ASSIGN_OR_RETURN(Json cl, r.Object("cluster"));
  Reader cr(cl, "cluster.");
  std::string role(NodeRoleName(c.cluster.role));
  CANDOR_TRY(cr.String("role", role));
  CANDOR_ASSIGN_OR_RETURN(c.cluster.role, ParseNodeRole(role));
  CANDOR_TRY(cr.String("advertise_url", c.cluster.advertise_url));
  CANDOR_TRY(cr.Millis("lease_ms", c.cluster.lease));
  CANDOR_TRY(cr.Millis("follow_interval_ms", c.cluster.follow_interval));
  CANDOR_TRY(cr.Done());
  CANDOR_TRY(r.Done());

  if (c.quorum > c.witnesses.size()) return Bad("quorum", "larger than the number of witnesses");
  if (c.cosign_refresh.count() != 0 && c.cosign_refresh.count() < 1000) {
    return Bad("cosign_refresh_ms", "0 or >= 1000");
  }
  if (c.http_threads < 1 || c.blocking_threads < 1) return Bad("threads", "at least 1");
  if (c.directory.publish_interval.count() < 10)
    return Bad("directory.publish_interval_ms", ">= 10");
  if (c.cluster.role != NodeRole::kSingle && c.database.rfind("postgresql:", 0) != 0) {
    return Bad("cluster.role", "a cluster node needs a postgresql: database");
  }
  if (c.cluster.role == NodeRole::kSequencer && c.cluster.advertise_url.empty()) {
    return Bad("cluster.advertise_url", "needed by a sequencer");
  }
  if (c.cluster.lease.count() < 300) return Bad("cluster.lease_ms", ">= 300");
  if (c.cluster.follow_interval.count() < 10) return Bad("cluster.follow_interval_ms", ">= 10");
  return c;
}

std::string FormatServerConfig(const ServerConfig& c) {
  Json j = {
      {"listen", c.listen},
      {"database", c.database},
      {"http_threads", c.http_threads},
      {"blocking_threads", c.blocking_threads},
      {"max_connections", c.max_connections},
      {"max_connections_per_client", c.max_connections_per_client},
      {"witnesses", c.witnesses},
      {"quorum", c.quorum},
      {"cosign_refresh_ms", c.cosign_refresh.count()},
      {"directory",
       {{"publish_interval_ms", c.directory.publish_interval.count()},
        {"heartbeat_interval_ms", c.directory.heartbeat_interval.count()},
        {"update_timeout_ms", c.directory.update_timeout.count()},
        {"accounts_per_minute_per_address", c.directory.accounts_per_minute_per_address},
        {"updates_per_minute_per_handle", c.directory.updates_per_minute_per_handle}}},
      {"auth",
       {{"challenge_life_ms", c.auth.challenge_life.count()},
        {"session_life_ms", c.auth.session_life.count()},
        {"challenges_per_minute_per_address", c.auth.challenges_per_minute_per_address}}},
      {"keypackages",
       {{"max_per_upload", c.keypackages.max_per_upload},
        {"max_stored_per_device", c.keypackages.max_stored_per_device}}},
      {"delivery",
       {{"max_message_bytes", c.delivery.max_message},
        {"max_queue", c.max_queue},
        {"max_age_hours", c.delivery.max_age.count()},
        {"max_in_flight", c.delivery.max_in_flight}}},
      {"cluster",
       {{"role", NodeRoleName(c.cluster.role)},
        {"advertise_url", c.cluster.advertise_url},
        {"lease_ms", c.cluster.lease.count()},
        {"follow_interval_ms", c.cluster.follow_interval.count()}}},
  };
  return j.dump(2) + "\n";
}

}  // namespace candor::server
