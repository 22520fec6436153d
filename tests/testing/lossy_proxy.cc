#include "lossy_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace candor::testing {
namespace {

int ConnectLoopback(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool WriteAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    const ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

std::unique_ptr<LossyProxy> LossyProxy::Start(uint16_t upstream) {
  std::unique_ptr<LossyProxy> p(new LossyProxy());
  p->upstream_ = upstream;
  p->listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (p->listener_ < 0) return nullptr;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(p->listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(p->listener_, 64) != 0 ||
      getsockname(p->listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return nullptr;
  }
  p->port_ = ntohs(addr.sin_port);
  p->acceptor_ = std::thread([raw = p.get()] { raw->AcceptLoop(); });
  return p;
}

LossyProxy::~LossyProxy() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  released_.notify_all();
  if (listener_ >= 0) shutdown(listener_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  if (listener_ >= 0) close(listener_);
  std::vector<std::thread> pumps;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pumps.swap(pumps_);
  }
  for (auto& t : pumps) t.join();
}

void LossyProxy::LoseAnswers(const std::string& prefix, int count) {
  std::lock_guard<std::mutex> lock(mu_);
  lose_prefix_ = prefix;
  lose_budget_ = count;
}

void LossyProxy::TamperAnswers(const std::string& prefix, int count) {
  std::lock_guard<std::mutex> lock(mu_);
  tamper_prefix_ = prefix;
  tamper_budget_ = count;
}

void LossyProxy::RecordRequests(const std::string& prefix) {
  std::lock_guard<std::mutex> lock(mu_);
  record_prefix_ = prefix;
}

std::vector<std::string> LossyProxy::Recorded() const {
  std::lock_guard<std::mutex> lock(mu_);
  return recorded_;
}

void LossyProxy::HoldRequests(const std::string& prefix) {
  std::lock_guard<std::mutex> lock(mu_);
  hold_prefix_ = prefix;
}

void LossyProxy::ReleaseHeld() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    hold_prefix_.clear();
  }
  released_.notify_all();
}

void LossyProxy::WaitIfHeld(const std::string& request_bytes) {
  std::unique_lock<std::mutex> lock(mu_);
  if (hold_prefix_.empty() || request_bytes.compare(0, hold_prefix_.size(), hold_prefix_) != 0) {
    return;
  }
  ++held_;
  released_.wait(lock, [&] { return hold_prefix_.empty() || stop_.load(); });
}

bool LossyProxy::Records(const std::string& request_bytes) const {
  std::lock_guard<std::mutex> lock(mu_);
  return !record_prefix_.empty() &&
         request_bytes.compare(0, record_prefix_.size(), record_prefix_) == 0;
}

LossyProxy::Fate LossyProxy::Judge(const std::string& request_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  if (lose_budget_ > 0 && request_bytes.compare(0, lose_prefix_.size(), lose_prefix_) == 0) {
    --lose_budget_;
    return Fate::kLose;
  }
  if (tamper_budget_ > 0 && request_bytes.compare(0, tamper_prefix_.size(), tamper_prefix_) == 0) {
    --tamper_budget_;
    return Fate::kTamper;
  }
  return Fate::kPass;
}

void LossyProxy::AcceptLoop() {
  while (!stop_) {
    pollfd p{listener_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const int client = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    const int server = ConnectLoopback(upstream_);
    if (server < 0) {
      close(client);
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    pumps_.emplace_back([this, client, server] { Pump(client, server); });
  }
}

// Pump copies bytes both ways. The client sends one request and waits for its answer, so the
// first bytes of a client burst after an answer start a request line. A lost answer is
// swallowed and both sides closed; a tampered one is read whole (until the server pauses) and
// passed on with its last byte flipped.
void LossyProxy::Pump(int client, int server) {
  bool at_request_start = true;
  Fate fate = Fate::kPass;
  bool recording = false;
  std::string request;  // the bytes of a request being recorded
  char buf[65536];
  while (!stop_) {
    pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    if (poll(fds, 2, 100) <= 0) continue;
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const ssize_t n = recv(client, buf, sizeof(buf), 0);
      if (n <= 0) break;
      if (at_request_start) {
        const std::string start(buf, static_cast<size_t>(n));
        WaitIfHeld(start);
        fate = Judge(start);
        recording = Records(start);
      }
      at_request_start = false;
      if (recording) request.append(buf, static_cast<size_t>(n));
      if (!WriteAll(server, buf, static_cast<size_t>(n))) break;
    }
    if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      ssize_t n = recv(server, buf, sizeof(buf), 0);
      if (n <= 0) break;
      if (recording) {
        std::lock_guard<std::mutex> lock(mu_);
        recorded_.push_back(std::move(request));
        request.clear();
        recording = false;
      }
      if (fate == Fate::kLose) {
        ++lost_;
        break;
      }
      std::string answer(buf, static_cast<size_t>(n));
      if (fate == Fate::kTamper) {
        for (;;) {
          pollfd more{server, POLLIN, 0};
          if (poll(&more, 1, 200) <= 0) break;
          n = recv(server, buf, sizeof(buf), 0);
          if (n <= 0) break;
          answer.append(buf, static_cast<size_t>(n));
        }
        answer.back() = static_cast<char>(answer.back() ^ 0x01);
        ++tampered_;
        fate = Fate::kPass;
      }
      at_request_start = true;
      if (!WriteAll(client, answer.data(), answer.size())) break;
    }
  }
  close(client);
  close(server);
}

}  // namespace candor::testing
