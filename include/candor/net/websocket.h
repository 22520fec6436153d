// websocket.h: the server side of a WebSocket (RFC 6455) as handlers see it. A handler answers
// an upgrade request with an HttpResponse whose `websocket` is set; the server then completes
// the handshake and drives the connection: text frames from the client go to OnMessage, and
// Send queues text frames to the client (bounded: a client that does not read fills its queue
// and Send says so, rather than the server buffering without end).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace candor::net {

// WebSocketConnection is one open WebSocket. Thread-safe; it may outlive the connection (calls
// then do nothing).
class WebSocketConnection {
 public:
  virtual ~WebSocketConnection() = default;
  // Send queues a text frame; false if the connection is closed or its send queue (256 frames)
  // is full.
  virtual bool Send(std::string text) = 0;
  // Close sends a close frame with `code` (RFC 6455 §7.4) and ends the connection.
  virtual void Close(uint16_t code, std::string reason) = 0;
};

// WebSocketHandler receives one connection's events. OnOpen comes first, OnClose last and
// exactly once (also if the handshake fails, without OnOpen then); they and OnMessage run on the
// connection's IO strand, one at a time, and must not block.
class WebSocketHandler {
 public:
  virtual ~WebSocketHandler() = default;
  virtual void OnOpen(std::shared_ptr<WebSocketConnection> connection) = 0;
  virtual void OnMessage(std::string_view text) = 0;
  virtual void OnClose() = 0;
};

}  // namespace candor::net
