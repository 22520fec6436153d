#include "candor/server/auth_service.h"

#include "candor/base/encoding.h"
#include "candor/crypto/random.h"
#include "candor/crypto/sha256.h"
#include "candor/crypto/signature.h"
#include "candor/mls/candor_identity.h"
#include "json_util.h"

namespace candor::server {
namespace {

constexpr size_t kChallengeLen = 32;
constexpr size_t kTokenLen = 32;

// IsHistorySlot says whether `slot` is "history-<n>", n a decimal 0..255 without leading zeros.
bool IsHistorySlot(const std::string& slot) {
  constexpr std::string_view kPrefix = "history-";
  if (slot.size() <= kPrefix.size() || slot.size() > kPrefix.size() + 3 ||
      slot.compare(0, kPrefix.size(), kPrefix) != 0) {
    return false;
  }
  const std::string digits = slot.substr(kPrefix.size());
  if (digits.size() > 1 && digits[0] == '0') return false;
  int n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  return n <= 255;
}

Error Refused() {
  // One answer for every failure: a prober learns nothing about which check failed.
  return MakeError(Errc::kUnauthenticated, "authentication failed: request a new challenge");
}

}  // namespace

AuthService::AuthService(store::AuthStore& store, const DirectoryService& directory, Clock clock,
                         Metrics& metrics, AuthServiceOptions options)
    : store_(store),
      directory_(directory),
      clock_(std::move(clock)),
      options_(options),
      challenges_(options.challenges_per_minute_per_address, options.challenges_burst_per_address),
      rate_limited_(metrics.CounterFor("candor_auth_rate_limited_total",
                                       "challenges and link requests refused by a rate limit")),
      sessions_made_(metrics.CounterFor("candor_auth_sessions_total", "sessions opened")),
      refusals_(metrics.CounterFor("candor_auth_refusals_total", "failed authentications")) {}

void AuthService::Register(net::Router& router) {
  router.Add("POST", "/v1/auth/challenge", {1024, false, true},
             [this](const net::RouteRequest& req) { return Challenge(req); });
  router.Add("POST", "/v1/auth/session", {4096, false, true},
             [this](const net::RouteRequest& req) { return Session(req); });
  // The device-link rendezvous (messaging-api.md §2.1): two opaque slots per id.
  router.Add("PUT", "/v1/link/{id}/{slot}", {16 << 10, false, true},
             [this](const net::RouteRequest& req) -> Result<net::HttpResponse> {
               CANDOR_ASSIGN_OR_RETURN(Bytes id, LinkId(req));
               // History chunks follow a finished link (its reply is stored): they are not
               // budgeted per address like the request and reply that can open one.
               if (IsHistorySlot(req.Param("slot"))) {
                 if (!store_.GetLink(id, "reply", clock_()).ok()) {
                   return MakeError(Errc::kNotFound, "no finished link to send history to");
                 }
               } else if (!challenges_.Allow(req.http.peer, clock_())) {
                 rate_limited_.Add();
                 return MakeError(Errc::kRateLimited, "too many requests from this address");
               }
               // A sealed message: a 24-byte nonce, the ciphertext and a 16-byte tag.
               if (req.http.body.size() < 40) {
                 return MakeError(Errc::kMalformed, "a link message is a sealed box (40+ bytes)");
               }
               CANDOR_TRY(store_.PutLink(id, req.Param("slot"), AsBytes(req.http.body),
                                         clock_() + 600'000));
               return JsonAnswer({{"stored", true}});
             });
  router.Add("GET", "/v1/link/{id}/{slot}", {0, false, true},
             [this](const net::RouteRequest& req) -> Result<net::HttpResponse> {
               CANDOR_ASSIGN_OR_RETURN(Bytes id, LinkId(req));
               CANDOR_ASSIGN_OR_RETURN(Bytes body, store_.GetLink(id, req.Param("slot"), clock_()));
               return BinaryAnswer(std::move(body));
             });
}

Result<Bytes> AuthService::LinkId(const net::RouteRequest& req) {
  const std::string& slot = req.Param("slot");
  if (slot != "request" && slot != "reply" && !IsHistorySlot(slot)) {
    return MakeError(Errc::kNotFound, "a link slot is request, reply or history-<0..255>");
  }
  auto id = HexDecode(req.Param("id"));
  if (!id.ok() || id->size() != 16) return MakeError(Errc::kMalformed, "a link id is 16 hex bytes");
  return std::move(*id);
}

Result<net::HttpResponse> AuthService::Challenge(const net::RouteRequest& req) {
  if (!challenges_.Allow(req.http.peer, clock_())) {
    rate_limited_.Add();
    return MakeError(Errc::kRateLimited, "too many challenges from this address; retry later");
  }
  CANDOR_ASSIGN_OR_RETURN(Json body, ParseObject(req.http.body, {"handle", "device_id"}));
  CANDOR_ASSIGN_OR_RETURN(std::string handle, StringField(body, "handle", 64));
  CANDOR_ASSIGN_OR_RETURN(std::string device_id, StringField(body, "device_id", 64));
  if (!mls::IsValidHandle(handle) || !mls::IsValidDeviceId(device_id)) {
    return MakeError(Errc::kInvalidArgument, "not a valid handle and device id");
  }
  CANDOR_TRY(directory_.FindDevice(handle, device_id));
  const Bytes challenge = crypto::RandomBytes(kChallengeLen);
  const uint64_t expires = clock_() + static_cast<uint64_t>(options_.challenge_life.count());
  CANDOR_TRY(store_.PutChallenge(challenge, {handle, device_id}, expires));
  return JsonAnswer({{"challenge", B64(challenge)}, {"expires_at", expires}});
}

Result<net::HttpResponse> AuthService::Session(const net::RouteRequest& req) {
  CANDOR_ASSIGN_OR_RETURN(
      Json body, ParseObject(req.http.body, {"handle", "device_id", "challenge", "signature"}));
  CANDOR_ASSIGN_OR_RETURN(std::string handle, StringField(body, "handle", 64));
  CANDOR_ASSIGN_OR_RETURN(std::string device_id, StringField(body, "device_id", 64));
  CANDOR_ASSIGN_OR_RETURN(Bytes challenge, Base64Field(body, "challenge", kChallengeLen));
  CANDOR_ASSIGN_OR_RETURN(Bytes signature, Base64Field(body, "signature", 1024));
  // The challenge is spent whatever happens next.
  auto issued = store_.TakeChallenge(challenge, clock_());
  const bool ok = issued.ok() && issued->handle == handle && issued->device_id == device_id;
  auto device = ok ? directory_.FindDevice(handle, device_id) : Result<kt::Device>(Refused());
  if (!device.ok() ||
      !crypto::SignatureVerify(device->signature_scheme, device->signature_key,
                               kt::DeviceAuthMessage(handle, device_id, challenge), signature)
           .ok()) {
    refusals_.Add();
    return Refused();
  }
  const Bytes token = crypto::RandomBytes(kTokenLen);
  const uint64_t expires = clock_() + static_cast<uint64_t>(options_.session_life.count());
  CANDOR_TRY(store_.PutSession(crypto::Sha256(token), {handle, device_id}, expires));
  sessions_made_.Add();
  return JsonAnswer({{"token", B64(token)}, {"expires_at", expires}});
}

Result<net::Principal> AuthService::Authenticate(const net::HttpRequest& request) const {
  constexpr std::string_view kBearer = "Bearer ";
  std::string_view auth = request.Header("authorization");
  if (auth.substr(0, kBearer.size()) != kBearer) {
    return MakeError(Errc::kUnauthenticated, "this endpoint needs Authorization: Bearer <token>");
  }
  auto token = Base64Decode(auth.substr(kBearer.size()));
  if (!token.ok() || token->size() != kTokenLen) {
    return MakeError(Errc::kUnauthenticated, "the session token is malformed");
  }
  auto session = store_.GetSession(crypto::Sha256(*token), clock_());
  if (!session.ok()) {
    if (session.error().code == Errc::kNotFound) {
      return MakeError(Errc::kUnauthenticated,
                       "the session is unknown or expired: authenticate again");
    }
    return session.error();
  }
  // A device removed from its account loses its sessions at once.
  if (!directory_.FindDevice(session->handle, session->device_id).ok()) {
    return MakeError(Errc::kUnauthenticated, "the device is no longer in its account's list");
  }
  return net::Principal{session->handle, session->device_id};
}

void AuthService::RemoveExpired() { (void)store_.RemoveExpired(clock_()); }

}  // namespace candor::server
