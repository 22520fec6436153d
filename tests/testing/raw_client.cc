#include "raw_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace candor::testing {

std::unique_ptr<RawClient> RawClient::Connect(uint16_t port, const std::string& source,
                                              const std::string& host) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return nullptr;
  if (!source.empty()) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    from.sin_port = 0;
    if (inet_pton(AF_INET, source.c_str(), &from.sin_addr) != 1 ||
        bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof(from)) != 0) {
      close(fd);
      return nullptr;
    }
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1 ||
      connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return nullptr;
  }
  return std::unique_ptr<RawClient>(new RawClient(fd));
}

RawClient::~RawClient() {
  if (fd_ >= 0) close(fd_);
}

bool RawClient::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string RawClient::Read(std::chrono::milliseconds timeout) {
  std::string out;
  char buf[65536];
  while (!eof_) {
    pollfd p{fd_, POLLIN, 0};
    const int r = poll(&p, 1, static_cast<int>(timeout.count()));
    if (r <= 0) break;
    const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      eof_ = true;
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string RawClient::ReadResponse(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string out;
  char buf[65536];
  size_t need = std::string::npos;  // total length once the header is complete
  while (!eof_ && (need == std::string::npos || out.size() < need)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      eof_ = true;
      break;
    }
    out.append(buf, static_cast<size_t>(n));
    while (need == std::string::npos) {
      const size_t end = out.find("\r\n\r\n");
      if (end == std::string::npos) break;
      // A "100 Continue" interim answer has no body and is followed by the real one.
      if (out.compare(0, 12, "HTTP/1.1 100") == 0) {
        out.erase(0, end + 4);
        continue;
      }
      size_t length = 0;
      const size_t cl = out.find("Content-Length: ");
      if (cl != std::string::npos && cl < end) length = std::stoul(out.substr(cl + 16));
      need = end + 4 + length;
    }
  }
  return out;
}

bool RawClient::PeerClosed(std::chrono::milliseconds timeout) {
  Read(timeout);
  return eof_;
}

void RawClient::SetReceiveBuffer(int bytes) {
  setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
}

uint64_t RaiseOwnDescriptorLimit(uint64_t n) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  if (lim.rlim_cur >= n) return lim.rlim_cur;
  rlimit want = lim;
  want.rlim_cur = static_cast<rlim_t>(n);
  if (want.rlim_max < n) want.rlim_max = static_cast<rlim_t>(n);
  if (setrlimit(RLIMIT_NOFILE, &want) == 0) return want.rlim_cur;
  want.rlim_cur = lim.rlim_max;  // not allowed past the hard limit: go as far as it
  want.rlim_max = lim.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &want) == 0) return want.rlim_cur;
  return lim.rlim_cur;
}

}  // namespace candor::testing
