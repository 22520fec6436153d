// server_api.h: the client's side of the messaging API (docs/formats/messaging-api.md): JSON
// and KEYTRANS calls over HTTP with the session token, and the queue's WebSocket. It checks the
// shape of answers; what they mean is verified by the callers (KT proofs, MLS, device lists).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/net/http_client.h"
#include "candor/net/websocket_client.h"

namespace candor::client {

using Json = nlohmann::json;

class ServerApi {
 public:
  explicit ServerApi(net::Url base) : base_(std::move(base)) {
    http_.set_timeout(std::chrono::seconds(40));
  }

  // Call sends a JSON request (no body for GET) and returns the answer's JSON object. A non-2xx
  // answer becomes an Error of the code the server named ("conflict" -> kConflict, ...) with its
  // detail; kUnavailable when the server cannot be reached.
  Result<Json> Call(std::string_view method, std::string_view path, const Json* body,
                    bool authenticated);
  // Kt posts a KEYTRANS request body (TLS encoding) and returns the response body.
  Result<Bytes> Kt(std::string_view path, ByteView body);
  // QueueSocket opens the queue's WebSocket from `after`.
  Result<std::unique_ptr<net::WebSocketClient>> QueueSocket(uint64_t after);

  void set_token(std::string token) { token_ = std::move(token); }
  bool has_token() const { return !token_.empty(); }
  const net::Url& base() const { return base_; }

 private:
  Result<net::HttpResponse> Send(std::string_view method, std::string_view path,
                                 const std::string& body, const std::string& content_type,
                                 bool authenticated);
  net::Url base_;
  net::HttpClient http_;
  std::string token_;
};

}  // namespace candor::client
