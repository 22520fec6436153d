// router.h: the route table every Candor HTTP service registers on: (method, path pattern) ->
// handler, with per-route body limits, an authentication hook and a choice of where the handler
// runs. It answers what no route serves: 404 for an unknown path, 405 (with Allow) for a known
// path with another method, 413 for a body over the route's limit, 401 when authentication
// fails; all as JSON errors. Handlers are testable without sockets: call Router::Handle.
//
// Patterns are '/'-separated segments; a segment `{name}` matches one non-empty segment and
// binds `name`; a final `{name...}` matches the rest of the path (at least one character).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "candor/base/result.h"
#include "candor/net/http.h"
#include "candor/net/worker_pool.h"

namespace candor::net {

// Principal is who an authenticated request comes from (a device of an account).
struct Principal {
  std::string handle;
  std::string device_id;
};

// RouteRequest is what a handler sees: the request, the bound path parameters and, on
// authenticated routes, the principal.
struct RouteRequest {
  HttpRequest http;
  std::map<std::string, std::string> params;
  Principal principal;

  // Param returns a bound path parameter ("" if absent).
  const std::string& Param(const std::string& name) const;
};

// Authenticator resolves a request's credentials (Authorization header) to a principal; any
// error becomes 401. It may block (it runs on the worker pool).
using Authenticator = std::function<Result<Principal>(const HttpRequest&)>;

struct RouteOptions {
  size_t max_body = 64 << 10;  // bytes; 413 beyond
  bool authenticated = false;  // run the Authenticator first
  // blocking: the handler may block (database, disk, heavy crypto) and runs on the worker pool;
  // otherwise it runs on the IO thread and must not block.
  bool blocking = true;
};

// A synchronous handler returns the response or an Error (rendered by JsonError).
using SyncHandler = std::function<Result<HttpResponse>(const RouteRequest&)>;
// An asynchronous handler answers through the responder, at most once, from any thread.
using AsyncHandler = std::function<void(RouteRequest, Responder)>;

class Router : public HttpHandler {
 public:
  // `pool` runs blocking routes and authentication (it must outlive the router); without a pool
  // they run inline (tests).
  explicit Router(WorkerPool* pool = nullptr) : pool_(pool) {}

  void SetAuthenticator(Authenticator auth) { auth_ = std::move(auth); }

  // Add registers a route. A duplicate (method, pattern) replaces the earlier one.
  void Add(std::string method, const std::string& pattern, RouteOptions options,
           SyncHandler handler);
  void AddAsync(std::string method, const std::string& pattern, RouteOptions options,
                AsyncHandler handler);

  void Handle(HttpRequest request, Responder respond) override;
  size_t BodyLimit(std::string_view method, std::string_view target) const override;

  // num_routes is the number of registered routes.
  size_t num_routes() const { return routes_.size(); }

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    RouteOptions options;
    SyncHandler sync;
    AsyncHandler async;
  };
  // Match finds the route for (method, path), filling `params`; `path_known` tells whether
  // any method serves the path.
  const Route* Match(std::string_view method, std::string_view path,
                     std::map<std::string, std::string>* params, std::string* allow) const;
  void Run(const Route& route, RouteRequest request, Responder respond);

  WorkerPool* pool_;
  Authenticator auth_;
  std::vector<Route> routes_;
};

}  // namespace candor::net
