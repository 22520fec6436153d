// http_server.h: an HTTP/1.1 server on Boost.Beast/Asio: one coroutine per connection, limits on
// every read (header and body size, timeouts), keep-alive, and errors as values. It adapts
// requests to an HttpHandler; nothing throws out of a connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "candor/base/result.h"
#include "candor/net/http.h"

namespace candor::net {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0 picks a free port; see HttpServer::port()
  size_t max_body_bytes = 8 << 20;
  size_t max_header_bytes = 16 << 10;
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds handler_timeout{60};  // a handler that has not answered gets 503
  int num_threads = 2;
  size_t max_connections = 4096;
};

// SplitHostPort parses a listen address "host:port" (kInvalidArgument otherwise).
Result<std::pair<std::string, uint16_t>> SplitHostPort(const std::string& listen);

class HttpServer {
 public:
  // Start binds and starts serving `handler`, which must outlive the server. kUnavailable if the
  // address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                   HttpHandler& handler);
  // Stop stops serving and joins the threads; handlers are no longer called, and responders
  // still held by handlers may be called safely (their answers are dropped) until the server
  // is destroyed. Idempotent.
  void Stop();
  // The destructor calls Stop().
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace candor::net
