// websocket_client.h: a small synchronous WebSocket client (Boost.Beast) for plain ws:// URLs,
// with the same limits as HttpClient. Candor verifies what it receives itself, as with HTTP.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "candor/base/result.h"
#include "candor/net/http_client.h"

namespace candor::net {

class WebSocketClient {
 public:
  // Connect opens a WebSocket to `url` (its host, port and path; the scheme is taken as ws://)
  // with extra handshake headers. kUnavailable if the connection or handshake fails (with the
  // server's HTTP status when it refused the upgrade).
  static Result<std::unique_ptr<WebSocketClient>> Connect(
      const Url& url, const std::vector<std::pair<std::string, std::string>>& headers,
      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~WebSocketClient();
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  // Send writes one text frame.
  Status Send(std::string_view text);
  // Receive waits up to `timeout` for a text frame: nullopt if none came (the connection is
  // then closed: connect again), kUnavailable if the server closed it (with its reason).
  Result<std::optional<std::string>> Receive(std::chrono::milliseconds timeout);
  // Close sends a normal close frame.
  void Close();

  struct Impl;

 private:
  explicit WebSocketClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace candor::net
