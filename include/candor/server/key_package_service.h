// key_package_service.h: KeyPackages over HTTP (docs/formats/messaging-api.md §4). The server
// checks each upload as far as it can (a valid MLS KeyPackage of the device's cipher suite,
// signed by the device's MLS key as its published device list names it, with the device's
// CandorIdentity); clients check again against their own verified lookups.
#pragma once

#include <cstdint>
#include <functional>

#include "candor/base/clock.h"
#include "candor/net/router.h"
#include "candor/server/directory_service.h"
#include "candor/server/metrics.h"
#include "candor/store/key_package_store.h"

namespace candor::server {

struct KeyPackageServiceOptions {
  size_t max_per_upload = 100;
  uint64_t max_stored_per_device = 1000;
};

class KeyPackageService {
 public:
  using Clock = candor::Clock;  // the injected wall clock (ms since the Unix epoch)
  KeyPackageService(store::KeyPackageStore& store, const DirectoryService& directory, Clock clock,
                    Metrics& metrics, KeyPackageServiceOptions options);

  // Register adds POST /v1/keypackages, GET /v1/keypackages/count, POST /v1/keypackages/claim.
  void Register(net::Router& router);
  // RemoveExpired drops expired KeyPackages (a scheduler task).
  void RemoveExpired();

 private:
  Result<net::HttpResponse> Upload(const net::RouteRequest& req);
  Result<net::HttpResponse> Count(const net::RouteRequest& req);
  Result<net::HttpResponse> Claim(const net::RouteRequest& req);
  // Check validates one uploaded KeyPackage of `device` and returns what the store keeps.
  Result<store::StoredKeyPackage> Check(ByteView message, const kt::Device& device,
                                        const net::Principal& who) const;

  store::KeyPackageStore& store_;
  const DirectoryService& directory_;
  Clock clock_;
  KeyPackageServiceOptions options_;
  Counter& uploaded_;
  Counter& claimed_;
  Counter& last_resort_claimed_;
};

}  // namespace candor::server
