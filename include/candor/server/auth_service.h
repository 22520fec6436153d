// auth_service.h: device authentication without passwords (docs/formats/messaging-api.md §2):
// a single-use challenge, signed by the device's own key as the greatest published device list
// names it, buys a session token of limited life. The server stores only the token's SHA-256.
// It also hosts the device-link rendezvous: two opaque, write-once slots per link id.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "candor/base/bytes.h"
#include "candor/base/clock.h"
#include "candor/net/router.h"
#include "candor/server/directory_service.h"
#include "candor/server/metrics.h"
#include "candor/server/rate_limiter.h"
#include "candor/store/auth_store.h"

namespace candor::server {

struct AuthServiceOptions {
  std::chrono::milliseconds challenge_life{60000};
  std::chrono::milliseconds session_life{3600000};
  double challenges_per_minute_per_address = 120;
  double challenges_burst_per_address = 60;
};

class AuthService {
 public:
  using Clock = candor::Clock;  // the injected wall clock (ms since the Unix epoch)
  AuthService(store::AuthStore& store, const DirectoryService& directory, Clock clock,
              Metrics& metrics, AuthServiceOptions options);

  // Register adds POST /v1/auth/challenge and /v1/auth/session.
  void Register(net::Router& router);
  // Authenticate resolves `Authorization: Bearer <token>` (blocking: a store read).
  Result<net::Principal> Authenticate(const net::HttpRequest& request) const;
  // RemoveExpired drops expired challenges and sessions (a scheduler task).
  void RemoveExpired();

 private:
  Result<net::HttpResponse> Challenge(const net::RouteRequest& req);
  Result<net::HttpResponse> Session(const net::RouteRequest& req);
  static Result<Bytes> LinkId(const net::RouteRequest& req);

  store::AuthStore& store_;
  const DirectoryService& directory_;
  Clock clock_;
  AuthServiceOptions options_;
  RateLimiter challenges_;
  Counter& rate_limited_;
  Counter& sessions_made_;
  Counter& refusals_;
};

}  // namespace candor::server
