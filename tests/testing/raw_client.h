// raw_client.h: a blocking TCP client for tests that speak HTTP byte by byte (malformed
// requests, idle or slow connections, clients that never read), with a chosen loopback source
// address so that one test can act as several clients.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace candor::testing {

class RawClient {
 public:
  // Connect opens a connection to `host`:`port` from `source` (e.g. "127.0.0.2"; empty for the
  // default). Returns nullptr if the connection fails.
  static std::unique_ptr<RawClient> Connect(uint16_t port, const std::string& source = "",
                                            const std::string& host = "127.0.0.1");
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // Send writes all of `bytes`; false if the connection failed.
  bool Send(std::string_view bytes);
  // Read returns what arrives until the peer closes or `timeout` passes without data.
  std::string Read(std::chrono::milliseconds timeout);
  // ReadResponse reads one HTTP response (header and Content-Length body), waiting up to
  // `timeout` in all; returns what it got.
  std::string ReadResponse(std::chrono::milliseconds timeout);
  // PeerClosed reports whether the peer closed (EOF or reset) within `timeout`.
  bool PeerClosed(std::chrono::milliseconds timeout);
  // SetReceiveBuffer shrinks the kernel's receive buffer (a client that reads nothing).
  void SetReceiveBuffer(int bytes);
  int fd() const { return fd_; }

 private:
  explicit RawClient(int fd) : fd_(fd) {}
  int fd_ = -1;
  bool eof_ = false;
};

// RaiseOwnDescriptorLimit raises this process's soft RLIMIT_NOFILE towards `n` (as far as the
// hard limit allows; root may raise that too) and returns the soft limit in force.
uint64_t RaiseOwnDescriptorLimit(uint64_t n);

}  // namespace candor::testing
