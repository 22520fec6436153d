// lossy_proxy.h: a loopback TCP proxy for tests that loses or tampers with answers on purpose.
// Lost: the server gets the request and acts on it, the client never sees the answer (its
// connection is closed), as when a server dies or the network drops right after a write became
// durable. Tampered: the answer's last byte is flipped, as a malicious server or network would.
// Held: the request waits in the proxy until the test releases it, as on a slow network.
#pragma once

#include <atomic>
#include <condition_variable>
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
  // SetUpstream sends the connections accepted from now on to 127.0.0.1:`upstream` (a load
  // balancer moving clients off a dead node); open ones stay where they are.
  void SetUpstream(uint16_t upstream) { upstream_ = upstream; }
  // LoseAnswers makes the proxy swallow the answers to the next `count` requests whose request
  // line starts with `prefix` (e.g. "POST /v1/groups/commit ").
  void LoseAnswers(const std::string& prefix, int count);
  // TamperAnswers flips the last byte of the answers to the next `count` such requests.
  void TamperAnswers(const std::string& prefix, int count);
  // RecordRequests keeps the bytes of every later request whose request line starts with
  // `prefix` (empty: no more), as the client sent them, for a test to replay.
  void RecordRequests(const std::string& prefix);
  // Recorded returns the requests kept so far, in the order their answers began.
  std::vector<std::string> Recorded() const;
  // HoldRequests keeps back every later request whose request line starts with `prefix`: it
  // is not forwarded (its client waits) until ReleaseHeld. held counts the requests held.
  void HoldRequests(const std::string& prefix);
  void ReleaseHeld();
  int held() const { return held_.load(); }
  // lost and tampered count what the proxy did so far.
  int lost() const { return lost_.load(); }
  int tampered() const { return tampered_.load(); }

 private:
  LossyProxy() = default;
  void AcceptLoop();
  void Pump(int client, int server);
  enum class Fate : uint8_t { kPass, kLose, kTamper };
  // Judge says what happens to the answer of the request `request_bytes` start (and consumes
  // one from that budget).
  Fate Judge(const std::string& request_bytes);
  // Records says whether the request `request_bytes` start is to be recorded.
  bool Records(const std::string& request_bytes) const;
  // WaitIfHeld holds the request `request_bytes` start until ReleaseHeld (or the proxy stops),
  // if it is to be held.
  void WaitIfHeld(const std::string& request_bytes);

  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<uint16_t> upstream_{0};
  std::atomic<bool> stop_{false};
  std::atomic<int> lost_{0};
  std::atomic<int> tampered_{0};
  std::atomic<int> held_{0};
  std::condition_variable released_;
  std::string hold_prefix_;
  mutable std::mutex mu_;
  std::string record_prefix_;
  std::vector<std::string> recorded_;
  std::string lose_prefix_;
  int lose_budget_ = 0;
  std::string tamper_prefix_;
  int tamper_budget_ = 0;
  std::thread acceptor_;
  std::vector<std::thread> pumps_;
};

}  // namespace candor::testing
