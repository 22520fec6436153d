#include "candor/server/service.h"

namespace candor::server {

void Router::Handle(net::HttpRequest request, net::Responder respond) {
  num_requests_.fetch_add(1, std::memory_order_relaxed);
  std::string_view path = request.target;
  path = path.substr(0, path.find('?'));
  if (path == "/healthz") {
    Status health = Health();
    respond(health.ok() ? net::MakeResponse(200, "text/plain; charset=utf-8", "ok\n")
                        : net::JsonError(health.error()));
    return;
  }
  if (path == "/metrics") {
    respond(net::MakeResponse(200, "text/plain; version=0.0.4", Metrics()));
    return;
  }
  Service* best = nullptr;
  for (const auto& s : services_) {
    if (path.substr(0, s->prefix().size()) == s->prefix() &&
        (best == nullptr || s->prefix().size() > best->prefix().size())) {
      best = s.get();
    }
  }
  if (best == nullptr) {
    num_not_found_.fetch_add(1, std::memory_order_relaxed);
    respond(net::JsonError(MakeError(Errc::kNotFound, "no such endpoint")));
    return;
  }
  const std::string_view rest = path.substr(best->prefix().size());
  best->Handle(request, rest, std::move(respond));
}

Status Router::Health() const {
  std::string problems;
  const auto note = [&problems](const Status& st) {
    if (st.ok()) return;
    if (!problems.empty()) problems += "; ";
    problems += st.error().message;
  };
  if (const net::HttpServer* server = server_.load()) note(server->Health());
  for (const auto& s : services_) note(s->Health());
  if (problems.empty()) return OkStatus();
  return MakeError(Errc::kUnavailable, problems);
}

std::string Router::Metrics() const {
  std::string out;
  if (const net::HttpServer* server = server_.load()) server->AppendMetrics(out);
  out += "# TYPE candor_http_requests_total counter\n";
  out += "candor_http_requests_total " + std::to_string(num_requests_.load()) + "\n";
  out += "# TYPE candor_http_not_found_total counter\n";
  out += "candor_http_not_found_total " + std::to_string(num_not_found_.load()) + "\n";
  for (const auto& s : services_) s->AppendMetrics(out);
  return out;
}

}  // namespace candor::server
