// http_server.h: an HTTP/1.1 server on Boost.Beast/Asio: one coroutine per connection, limits on
// every read and write, keep-alive, and errors as values. It adapts requests to an HttpHandler;
// nothing throws out of a connection.
//
// Defences against clients that hold connections (house style H10):
//  - a connection must send a request header within `header_timeout`, and a kept-alive one its
//    next request within `idle_timeout`;
//  - at most `max_connections_per_peer` connections per client address (per /64 for IPv6);
//  - at most `max_connections` in all, by default derived from the descriptor limit so that
//    files always have descriptors left; when full, a new connection takes the place of the
//    connection that has waited longest for a request, so idle holders cannot lock honest
//    clients out;
//  - when accept fails for lack of descriptors or memory it backs off (no spinning), frees a
//    descriptor by closing the longest-idle connection, logs, and Health() reports it.
// Responses with a file body are streamed in 64 KiB chunks read on the blocking-work pool.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "candor/base/result.h"
#include "candor/net/http.h"
#include "candor/net/worker_pool.h"

namespace candor::net {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0 picks a free port; see HttpServer::port()
  size_t max_body_bytes = 8 << 20;
  size_t max_header_bytes = 16 << 10;
  std::chrono::milliseconds header_timeout{10000};   // first byte to end of a request header
  std::chrono::milliseconds idle_timeout{15000};     // kept-alive wait for the next request
  std::chrono::milliseconds body_timeout{30000};     // reading one request body
  std::chrono::milliseconds write_timeout{30000};    // one response, or one chunk of a file
  std::chrono::milliseconds handler_timeout{60000};  // a handler that has not answered: 503
  std::chrono::milliseconds drain_timeout{10000};    // Stop() waits this long for answers
  int num_threads = 2;
  // max_connections: 0 derives it from RLIMIT_NOFILE minus `reserved_descriptors`; a larger
  // explicit value is lowered to that bound.
  size_t max_connections = 0;
  size_t reserved_descriptors = 0;  // 0: a quarter of the descriptor limit, at least 64
  size_t max_connections_per_peer = 256;
  // blocking runs file reads; it must outlive the server. If null the server makes its own
  // single-thread pool.
  WorkerPool* blocking = nullptr;
};

// HttpServerStats is a snapshot of the server's counters.
struct HttpServerStats {
  size_t max_connections = 0;
  size_t open_connections = 0;
  uint64_t accepted = 0;
  uint64_t refused_full = 0;      // answered 503 and closed: full and nobody to evict
  uint64_t refused_per_peer = 0;  // answered 429 and closed: the peer's cap
  uint64_t evicted = 0;           // idle connections closed to admit a new one
  uint64_t timed_out = 0;         // connections closed by header, idle, body or write timeouts
  uint64_t accept_errors = 0;     // accept failed for lack of descriptors or memory
  uint64_t requests = 0;
};

// SplitHostPort parses a listen address "host:port" (kInvalidArgument otherwise).
Result<std::pair<std::string, uint16_t>> SplitHostPort(const std::string& listen);

class HttpServer {
 public:
  // Start binds and starts serving `handler`, which must outlive the server. kUnavailable if the
  // address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                   HttpHandler& handler);
  // Stop drains and stops: it stops accepting, lets requests already read be answered and
  // written (up to drain_timeout; kept-alive connections are told to close), then closes every
  // connection and joins the threads. The handler is not called afterwards; responders still
  // held by handlers may be called at any later time, even after the server is destroyed, and
  // their answers are dropped. Idempotent.
  void Stop();
  // The destructor calls Stop().
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;
  HttpServerStats Stats() const;

  // Health is OK unless accept failed for lack of descriptors or memory in the last 10 seconds
  // (kUnavailable, with the reason).
  Status Health() const;

  // AppendMetrics adds the server's Prometheus text-format lines to `out`.
  void AppendMetrics(std::string& out) const;

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace candor::net
