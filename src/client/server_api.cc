#include "server_api.h"

namespace candor::client {

Result<net::HttpResponse> ServerApi::Send(std::string_view method, std::string_view path,
                                          const std::string& body, const std::string& content_type,
                                          bool authenticated) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
  if (authenticated) {
    if (token_.empty()) return MakeError(Errc::kUnauthenticated, "not signed in to the server");
    headers.emplace_back("Authorization", "Bearer " + token_);
  }
  CANDOR_ASSIGN_OR_RETURN(net::HttpResponse r,
                          http_.Request(method, base_.Join(path), body, headers));
  if (r.status < 200 || r.status >= 300) return net::ErrorFromResponse(r);
  return r;
}

Result<Json> ServerApi::Call(std::string_view method, std::string_view path, const Json* body,
                             bool authenticated) {
  CANDOR_ASSIGN_OR_RETURN(net::HttpResponse r,
                          Send(method, path, body != nullptr ? body->dump() : std::string(),
                               body != nullptr ? "application/json" : "", authenticated));
  Json j = Json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return MakeError(Errc::kMalformed, "server: the answer is not a JSON object");
  }
  return j;
}

Result<Bytes> ServerApi::Kt(std::string_view path, ByteView body) {
  CANDOR_ASSIGN_OR_RETURN(
      net::HttpResponse r,
      Send("POST", path, std::string(body.begin(), body.end()), "application/octet-stream", false));
  return Bytes(r.body.begin(), r.body.end());
}

Result<std::unique_ptr<net::WebSocketClient>> ServerApi::QueueSocket(uint64_t after) {
  if (token_.empty()) return MakeError(Errc::kUnauthenticated, "not signed in to the server");
  return net::WebSocketClient::Connect(base_.Join("v1/ws?after=" + std::to_string(after)),
                                       {{"Authorization", "Bearer " + token_}});
}

}  // namespace candor::client
