// http_client.h: a small synchronous HTTP/1.1 client (Boost.Beast) with one keep-alive connection
// per client, response size limits and timeouts. Plain http only: Candor verifies every answer
// itself (signatures and proofs), and deployments put TLS in front.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "candor/base/result.h"
#include "candor/net/http.h"

namespace candor::net {

// Url is a parsed `http://host[:port][/path]`.
struct Url {
  std::string host;
  uint16_t port = 80;
  std::string path = "/";  // always starts with '/'

  // Join appends `rel` to the path with exactly one '/' between them.
  Url Join(std::string_view rel) const;
  std::string ToString() const;
};

// ParseUrl parses an http URL; other schemes, userinfo, bad ports or an empty host are
// kInvalidArgument.
Result<Url> ParseUrl(std::string_view text);

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  void set_timeout(std::chrono::milliseconds t) { timeout_ = t; }
  void set_max_response_bytes(size_t n) { max_response_bytes_ = n; }

  // Request sends one request and returns the response (any status). Network failures are
  // kUnavailable; an oversized response is kMalformed. Reuses the connection when it can.
  Result<HttpResponse> Request(
      std::string_view method, const Url& url, const std::string& body = {},
      const std::vector<std::pair<std::string, std::string>>& headers = {});
  Result<HttpResponse> Get(const Url& url) { return Request("GET", url); }

  struct Conn;

 private:
  std::unique_ptr<Conn> conn_;
  std::chrono::milliseconds timeout_{10000};
  size_t max_response_bytes_ = 64 << 20;
};

}  // namespace candor::net
