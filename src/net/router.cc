#include "candor/net/router.h"

#include <set>

namespace candor::net {
namespace {

std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    const size_t slash = path.find('/');
    out.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool IsParam(const std::string& seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

bool IsRest(const std::string& seg) {
  return IsParam(seg) && seg.size() > 5 && seg.compare(seg.size() - 4, 4, "...}") == 0;
}

// MatchPath matches `path` against a pattern's segments, binding parameters.
bool MatchPath(const std::vector<std::string>& pattern, std::string_view path,
               std::map<std::string, std::string>* params) {
  const std::vector<std::string> got = Split(path);
  for (size_t i = 0; i < pattern.size(); ++i) {
    const std::string& p = pattern[i];
    if (IsRest(p)) {
      if (i >= got.size()) return false;
      std::string rest = got[i];
      for (size_t j = i + 1; j < got.size(); ++j) rest += "/" + got[j];
      if (rest.empty()) return false;
      (*params)[p.substr(1, p.size() - 5)] = rest;
      return true;
    }
    if (i >= got.size()) return false;
    if (IsParam(p)) {
      if (got[i].empty()) return false;
      (*params)[p.substr(1, p.size() - 2)] = got[i];
    } else if (p != got[i]) {
      return false;
    }
  }
  return got.size() == pattern.size();
}

std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

}  // namespace

const std::string& RouteRequest::Param(const std::string& name) const {
  static const std::string kEmpty;
  auto it = params.find(name);
  return it == params.end() ? kEmpty : it->second;
}

void Router::Add(std::string method, const std::string& pattern, RouteOptions options,
                 SyncHandler handler) {
  Route r{std::move(method), Split(pattern), options, std::move(handler), nullptr};
  for (Route& existing : routes_) {
    if (existing.method == r.method && existing.segments == r.segments) {
      existing = std::move(r);
      return;
    }
  }
  routes_.push_back(std::move(r));
}

void Router::AddAsync(std::string method, const std::string& pattern, RouteOptions options,
                      AsyncHandler handler) {
  Route r{std::move(method), Split(pattern), options, nullptr, std::move(handler)};
  for (Route& existing : routes_) {
    if (existing.method == r.method && existing.segments == r.segments) {
      existing = std::move(r);
      return;
    }
  }
  routes_.push_back(std::move(r));
}

const Router::Route* Router::Match(std::string_view method, std::string_view path,
                                   std::map<std::string, std::string>* params,
                                   std::string* allow) const {
  std::set<std::string> methods;
  for (const Route& r : routes_) {
    std::map<std::string, std::string> bound;
    if (!MatchPath(r.segments, path, &bound)) continue;
    if (r.method == method) {
      *params = std::move(bound);
      return &r;
    }
    methods.insert(r.method);
  }
  for (const std::string& m : methods) {
    if (!allow->empty()) *allow += ", ";
    *allow += m;
  }
  return nullptr;
}

size_t Router::BodyLimit(std::string_view method, std::string_view target) const {
  std::map<std::string, std::string> params;
  std::string allow;
  const Route* r = Match(method, PathOf(target), &params, &allow);
  // Requests no route serves are answered without reading a body.
  return r == nullptr ? 0 : r->options.max_body;
}

void Router::Handle(HttpRequest request, Responder respond) {
  std::map<std::string, std::string> params;
  std::string allow;
  const Route* route = Match(request.method, PathOf(request.target), &params, &allow);
  if (route == nullptr) {
    if (!allow.empty()) {
      HttpResponse r = JsonErrorWithStatus(405, "method_not_allowed", "use " + allow);
      r.headers.emplace_back("Allow", allow);
      respond(std::move(r));
    } else {
      respond(JsonError(MakeError(Errc::kNotFound, "no such endpoint")));
    }
    return;
  }
  if (request.body.size() > route->options.max_body) {
    respond(JsonError(MakeError(Errc::kTooLarge, "the body is over this endpoint's limit of " +
                                                     std::to_string(route->options.max_body) +
                                                     " bytes")));
    return;
  }
  RouteRequest rr{std::move(request), std::move(params), {}};
  if (route->options.blocking || route->options.authenticated) {
    if (pool_ != nullptr) {
      pool_->Post([this, route, rr = std::move(rr), respond = std::move(respond)]() mutable {
        Run(*route, std::move(rr), std::move(respond));
      });
      return;
    }
  }
  Run(*route, std::move(rr), std::move(respond));
}

void Router::Run(const Route& route, RouteRequest request, Responder respond) {
  if (route.options.authenticated) {
    if (!auth_) {
      respond(JsonError(MakeError(Errc::kInternal, "no authenticator configured")));
      return;
    }
    auto who = auth_(request.http);
    if (!who.ok()) {
      Error e = who.error();
      if (e.code != Errc::kUnavailable && e.code != Errc::kInternal) {
        e.code = Errc::kUnauthenticated;
      }
      HttpResponse r = JsonError(e);
      if (r.status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
      respond(std::move(r));
      return;
    }
    request.principal = std::move(*who);
  }
  if (route.async) {
    route.async(std::move(request), std::move(respond));
    return;
  }
  auto answer = route.sync(request);
  respond(answer.ok() ? std::move(*answer) : JsonError(answer.error()));
}

}  // namespace candor::net
