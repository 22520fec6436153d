// service.h: candord hosts services (today: transparency logs; later the key directory and
// message delivery). Each service owns a URL prefix; the Router dispatches to it and serves
// /healthz and Prometheus /metrics.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "candor/net/http.h"
#include "candor/net/http_server.h"

namespace candor::server {

class Service {
 public:
  virtual ~Service() = default;
  // prefix is the path prefix the service owns, beginning and ending with '/'.
  virtual const std::string& prefix() const = 0;
  // Handle serves a request whose path starts with prefix(); `rest` is the path after it.
  virtual void Handle(const net::HttpRequest& request, std::string_view rest,
                      net::Responder respond) = 0;
  // AppendMetrics adds Prometheus text-format lines for this service.
  virtual void AppendMetrics(std::string& out) const = 0;
  // Health is OK, or kUnavailable with what is wrong; /healthz reports it.
  virtual Status Health() const = 0;
};

// Router dispatches requests to services by longest prefix. Unknown paths get a JSON 404.
// GET /healthz answers 200 "ok" when every service and the HTTP server are healthy, else 503
// with a JSON error listing what is wrong.
class Router : public net::HttpHandler {
 public:
  void Add(std::unique_ptr<Service> service) { services_.push_back(std::move(service)); }
  void Handle(net::HttpRequest request, net::Responder respond) override;

  // SetServer lets /healthz and /metrics include the HTTP server (which must outlive the
  // router's use of it; pass nullptr before destroying it).
  void SetServer(const net::HttpServer* server) { server_.store(server); }

  // Metrics renders the Prometheus exposition text of the router and every service.
  std::string Metrics() const;

  // Health combines every service's and the server's health.
  Status Health() const;

 private:
  std::vector<std::unique_ptr<Service>> services_;
  std::atomic<const net::HttpServer*> server_{nullptr};
  std::atomic<uint64_t> num_requests_{0};
  std::atomic<uint64_t> num_not_found_{0};
};

}  // namespace candor::server
