// lossy_proxy.h: a loopback TCP proxy for tests that loses answers on purpose: the server gets
// the request and acts on it, the client never sees the answer (its connection is closed), as
// when a server dies or the network drops right after a write became durable.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace candor::testing {

class LossyProxy {
 public:
  // Start listens on an ephemeral loopback port and forwards every connection to
  // 127.0.0.1:`upstream`. nullptr if it cannot listen.
  static std::unique_ptr<LossyProxy> Start(uint16_t upstream);
  ~LossyProxy();
  LossyProxy(const LossyProxy&) = delete;
  LossyProxy& operator=(const LossyProxy&) = delete;

  uint16_t port() const { return port_; }
  // LoseAnswers makes the proxy swallow the answers to the next `count` requests whose request
  // line starts with `prefix` (e.g. "POST /v1/groups/commit ").
  void LoseAnswers(const std::string& prefix, int count);
  // lost is how many answers were swallowed so far.
  int lost() const { return lost_.load(); }

 private:
  LossyProxy() = default;
  void AcceptLoop();
  void Pump(int client, int server);
  // Doom reports whether `request_bytes` start a request whose answer must be lost (and
  // consumes one from the budget).
  bool Doom(const std::string& request_bytes);

  int listener_ = -1;
  uint16_t port_ = 0;
  uint16_t upstream_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> lost_{0};
  std::mutex mu_;
  std::string prefix_;
  int budget_ = 0;
  std::thread acceptor_;
  std::vector<std::thread> pumps_;
};

}  // namespace candor::testing
