#include "candor/net/http_server.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <optional>
#include <thread>
#include <vector>

#include "connection_table.h"
#include "request_headers.h"

namespace candor::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kFileChunk = size_t{64} << 10;
constexpr auto kShortageWindow = std::chrono::seconds(10);

// Gate is shared by the server and every responder: once Stop closes it, late answers are
// dropped instead of touching an io_context that is stopping or gone. Responders hold only the
// gate, a weak reference to their connection and their PendingAnswer, never an asio object, so
// they may be destroyed at any time, even after the server.
struct Gate {
  std::mutex mu;
  bool open = true;
};

// PendingAnswer carries a handler's answer to the session waiting for it. Strand only; it holds
// no asio object, so a responder may keep it alive past the server.
struct PendingAnswer {
  bool closed = false;  // the session stopped waiting: drop the answer
  std::optional<HttpResponse> response;
  asio::steady_timer* timer = nullptr;  // the waiting session's timer, valid while !closed
};

// Conn is one connection. Its fields are touched only on its strand.
struct Conn {
  explicit Conn(tcp::socket s) : stream(std::move(s)) {}
  beast::tcp_stream stream;
  uint64_t id = 0;
  std::string peer;
  bool aborted = false;
  asio::steady_timer* answer_timer = nullptr;  // set while waiting for the handler
};

// AbortConn closes a connection on its strand: pending reads and writes fail, and a wait for
// the handler ends.
void AbortConn(const std::weak_ptr<Conn>& weak) {
  auto c = weak.lock();
  if (c == nullptr || c->aborted) return;
  c->aborted = true;
  error_code ec;
  c->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  c->stream.close();
  if (c->answer_timer != nullptr) c->answer_timer->cancel();
}

constexpr size_t kWsMaxQueue = 256;
constexpr size_t kWsMaxMessage = size_t{64} << 10;

struct WsCore;

// WsShared is the part of a WebSocket that handlers reach through WsFacade: the send queue and
// the close request, under a mutex, and no asio object.
struct WsShared {
  std::mutex mu;
  std::deque<std::string> queue;
  bool closed = false;
  std::optional<std::pair<uint16_t, std::string>> close_request;
  std::weak_ptr<WsCore> core;  // strand only
};

// WsCore is the asio side of one WebSocket, owned by its session and its pending operations.
struct WsCore : std::enable_shared_from_this<WsCore> {
  explicit WsCore(std::shared_ptr<Conn> c, std::shared_ptr<WsShared> s)
      : conn(std::move(c)), ws(conn->stream), shared(std::move(s)) {}
  std::shared_ptr<Conn> conn;
  websocket::stream<beast::tcp_stream&> ws;
  std::shared_ptr<WsShared> shared;
  bool writing = false;
  bool closing = false;

  // Pump writes the next queued frame, or the close frame once the queue is empty (strand).
  void Pump() {
    if (writing || closing) return;
    std::string next;
    std::optional<std::pair<uint16_t, std::string>> close;
    {
      std::lock_guard<std::mutex> lock(shared->mu);
      if (!shared->queue.empty()) {
        next = std::move(shared->queue.front());
        shared->queue.pop_front();
      } else if (shared->close_request) {
        close = shared->close_request;
      } else {
        return;
      }
    }
    auto self = shared_from_this();
    if (close) {
      closing = true;
      websocket::close_reason reason(close->first);
      reason.reason = close->second;
      ws.async_close(reason, [self](const error_code&) {});
      return;
    }
    writing = true;
    auto frame = std::make_shared<std::string>(std::move(next));
    ws.text(true);
    ws.async_write(asio::buffer(*frame), [self, frame](const error_code& ec, size_t) {
      self->writing = false;
      if (ec) {
        error_code ignored;
        self->conn->stream.socket().close(ignored);
        return;
      }
      self->Pump();
    });
  }
};

// WsFacade is the WebSocketConnection handlers hold: the gate, the shared queue and a weak
// reference to the connection, so it may outlive the server.
struct WsFacade final : WebSocketConnection {
  WsFacade(std::shared_ptr<Gate> g, std::shared_ptr<WsShared> s, std::weak_ptr<Conn> c)
      : gate(std::move(g)), shared(std::move(s)), conn(std::move(c)) {}
  bool Send(std::string text) override {
    {
      std::lock_guard<std::mutex> lock(shared->mu);
      if (shared->closed || shared->close_request || shared->queue.size() >= kWsMaxQueue) {
        return false;
      }
      shared->queue.push_back(std::move(text));
    }
    Wake();
    return true;
  }
  void Close(uint16_t code, std::string reason) override {
    {
      std::lock_guard<std::mutex> lock(shared->mu);
      if (shared->closed || shared->close_request) return;
      shared->close_request.emplace(code, std::move(reason));
    }
    Wake();
  }
  void Wake() {
    std::lock_guard<std::mutex> lock(gate->mu);
    if (!gate->open) return;
    auto c = conn.lock();
    if (c == nullptr) return;
    asio::post(c->stream.get_executor(), [s = shared] {
      if (auto core = s->core.lock()) core->Pump();
    });
  }
  std::shared_ptr<Gate> gate;
  std::shared_ptr<WsShared> shared;
  std::weak_ptr<Conn> conn;
};

// PeerKey groups clients for the per-client cap: the IPv4 address, or the /64 of an IPv6 one
// (one subscriber usually holds a whole /64).
std::string PeerKey(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  }
  if (a.is_v4()) return a.to_string();
  const auto bytes = a.to_v6().to_bytes();
  asio::ip::address_v6::bytes_type prefix{};
  std::copy(bytes.begin(), bytes.begin() + 8, prefix.begin());
  return asio::ip::address_v6(prefix).to_string() + "/64";
}

bool IsResourceShortage(const error_code& ec) {
  if (ec.category() != boost::system::system_category()) return false;
  const int v = ec.value();
  return v == EMFILE || v == ENFILE || v == ENOBUFS || v == ENOMEM;
}

size_t DerivedMaxConnections(const HttpServerOptions& o) {
  rlimit lim{};
  size_t fds = 1024;
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
    fds = static_cast<size_t>(lim.rlim_cur);
  } else if (lim.rlim_cur == RLIM_INFINITY) {
    fds = size_t{1} << 20;
  }
  const size_t reserve =
      o.reserved_descriptors != 0 ? o.reserved_descriptors : std::max<size_t>(64, fds / 4);
  const size_t derived = fds > reserve + 16 ? fds - reserve : 16;
  return o.max_connections == 0 ? derived : std::min(o.max_connections, derived);
}

template <class Body>
void SetCommonFields(http::response<Body>& res, const HttpResponse& r, bool keep_alive) {
  res.set(http::field::server, "candor");
  res.set(http::field::content_type, r.content_type);
  for (const auto& [name, value] : r.headers) res.set(name, value);
  res.keep_alive(keep_alive);
}

std::string CannedRefusal(int status, std::string_view reason, std::string_view code,
                          std::string_view detail) {
  const std::string body = JsonErrorWithStatus(status, code, detail).body;
  return "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
         "\r\nServer: candor\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace

struct HttpServer::Impl {
  HttpServerOptions options;
  HttpHandler* handler = nullptr;
  WorkerPool* pool = nullptr;
  std::unique_ptr<WorkerPool> own_pool;
  std::shared_ptr<Gate> gate = std::make_shared<Gate>();
  std::unique_ptr<ConnectionTable> table;
  std::atomic<bool> draining{false};
  uint16_t port = 0;

  // Sessions alive and pool jobs in flight, for Stop.
  std::mutex mu;
  std::condition_variable cv;
  size_t num_sessions = 0;
  size_t num_pool_jobs = 0;

  std::atomic<uint64_t> accepted{0}, refused_full{0}, refused_per_peer{0}, evicted{0}, timed_out{0},
      accept_errors{0}, requests{0};
  // The last accept failure for lack of resources, for Health() and rate-limited logging.
  mutable std::mutex shortage_mu;
  Clock::time_point last_shortage{};
  Clock::time_point last_shortage_log{};
  uint64_t shortages_since_log = 0;
  std::string last_shortage_reason;

  std::vector<std::thread> threads;
  // Declared last so that it is destroyed first: coroutine frames it still holds refer to the
  // members above when they are destroyed.
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};

  asio::awaitable<void> Accept();
  void AdmitConnection(tcp::socket socket);
  void NoteShortage(const error_code& ec);
  asio::awaitable<void> Session(std::shared_ptr<Conn> conn);
  asio::awaitable<HttpResponse> Dispatch(const std::shared_ptr<Conn>& conn, HttpRequest&& request);
  asio::awaitable<bool> WriteResponse(Conn& conn, HttpResponse& answer, unsigned version,
                                      bool keep_alive, bool head);
  asio::awaitable<bool> WriteFile(Conn& conn, const std::shared_ptr<const ReadOnlyFile>& file);
  asio::awaitable<void> LingerAfterRefusal(Conn& conn);
  // AsyncReadOnPool reads `len` bytes of `file` at `offset` into `buf` on the blocking-work
  // pool and completes on the caller's executor (error io_error on a short read). It is an
  // initiating function, not a coroutine, so no argument lives in a coroutine frame (GCC 12
  // destroys by-value coroutine parameters of such calls too early).
  template <class Token>
  auto AsyncReadOnPool(const std::shared_ptr<const ReadOnlyFile>& file, uint64_t offset,
                       const std::shared_ptr<std::vector<uint8_t>>& buf, size_t len,
                       Token&& token) {
    return asio::async_initiate<Token, void(error_code, size_t)>(
        [this](auto completion, std::shared_ptr<const ReadOnlyFile> f, uint64_t at,
               std::shared_ptr<std::vector<uint8_t>> into, size_t n) {
          {
            std::lock_guard<std::mutex> lock(mu);
            ++num_pool_jobs;
          }
          // The job always posts its completion back to the caller's executor and gives up
          // every asio object before it counts itself done; Stop waits for every job before it
          // stops the io_context, so the post always lands.
          auto h = std::make_shared<decltype(completion)>(std::move(completion));
          pool->Post([this, f = std::move(f), at, into = std::move(into), n, h]() mutable {
            {
              auto got = f->ReadAt(at, std::span<uint8_t>(into->data(), n));
              const error_code result = got.ok() && *got == n
                                            ? error_code()
                                            : make_error_code(boost::system::errc::io_error);
              const size_t read = got.ok() ? *got : 0;
              auto ex = asio::get_associated_executor(*h);
              asio::post(ex, [h = std::move(h), result, read]() mutable { (*h)(result, read); });
            }
            std::lock_guard<std::mutex> lock(mu);
            --num_pool_jobs;
            cv.notify_all();
          });
        },
        token, file, offset, buf, len);
  }
  void SessionEnded(uint64_t id);
  asio::awaitable<void> RunWebSocket(std::shared_ptr<Conn> conn,
                                     const http::request<http::string_body>& req,
                                     std::shared_ptr<WebSocketHandler> ws_handler);
  bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout);
};

void HttpServer::Impl::SessionEnded(uint64_t id) {
  table->Remove(id);
  std::lock_guard<std::mutex> lock(mu);
  --num_sessions;
  cv.notify_all();
}

bool HttpServer::Impl::WaitFor(const std::function<bool()>& done,
                               std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu);
  return cv.wait_for(lock, timeout, done);
}

void HttpServer::Impl::NoteShortage(const error_code& ec) {
  accept_errors.fetch_add(1, std::memory_order_relaxed);
  const auto now = Clock::now();
  std::lock_guard<std::mutex> lock(shortage_mu);
  last_shortage = now;
  last_shortage_reason = ec.message();
  ++shortages_since_log;
  if (now - last_shortage_log >= kShortageWindow) {
    spdlog::warn("accept failed {} time(s): {}; closing idle connections and backing off",
                 shortages_since_log, last_shortage_reason);
    last_shortage_log = now;
    shortages_since_log = 0;
  }
}

asio::awaitable<void> HttpServer::Impl::Accept() {
  asio::steady_timer pause(ioc);
  std::chrono::milliseconds backoff{0};
  for (;;) {
    error_code ec;
    tcp::socket socket(asio::make_strand(ioc));
    co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      // Out of descriptors or memory: retrying at once would spin. Free a descriptor by closing
      // the connection that has waited longest for a request, and back off (10 ms to 1 s).
      if (IsResourceShortage(ec)) {
        NoteShortage(ec);
        table->EvictOne();
        backoff =
            std::clamp(backoff * 2, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
        pause.expires_after(backoff);
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      continue;  // other errors (a client that reset before accept) concern one connection
    }
    backoff = std::chrono::milliseconds(0);
    AdmitConnection(std::move(socket));
  }
}

void HttpServer::Impl::AdmitConnection(tcp::socket socket) {
  error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return;  // the client is already gone
  auto conn = std::make_shared<Conn>(std::move(socket));
  conn->peer = remote.address().to_string();
  auto ex = conn->stream.get_executor();
  std::weak_ptr<Conn> weak = conn;
  uint64_t id = 0;
  const Admit admitted = table->Add(
      PeerKey(remote.address()),
      [weak] {
        if (auto c = weak.lock()) asio::post(c->stream.get_executor(), [weak] { AbortConn(weak); });
      },
      Clock::now(), &id);
  if (admitted == Admit::kRefusedPeer || admitted == Admit::kRefusedFull) {
    const bool peer = admitted == Admit::kRefusedPeer;
    (peer ? refused_per_peer : refused_full).fetch_add(1, std::memory_order_relaxed);
    static const std::string kPeer = CannedRefusal(429, "Too Many Requests", "rate_limited",
                                                   "too many connections from your address");
    static const std::string kFull =
        CannedRefusal(503, "Service Unavailable", "unavailable", "the server is full");
    tcp::socket& s = conn->stream.socket();
    s.non_blocking(true, ec);
    s.write_some(asio::buffer(peer ? kPeer : kFull), ec);
    s.shutdown(tcp::socket::shutdown_send, ec);
    s.close(ec);
    return;
  }
  if (admitted == Admit::kAdmittedByEviction) evicted.fetch_add(1, std::memory_order_relaxed);
  // A streamed answer goes out as a header and then body chunks: without TCP_NODELAY the
  // client's delayed ACK would hold each answer back by ~40 ms (Nagle).
  conn->stream.socket().set_option(tcp::no_delay(true), ec);
  accepted.fetch_add(1, std::memory_order_relaxed);
  conn->id = id;
  {
    std::lock_guard<std::mutex> lock(mu);
    ++num_sessions;
  }
  asio::co_spawn(ex, Session(std::move(conn)), asio::detached);
}

asio::awaitable<bool> HttpServer::Impl::WriteFile(Conn& conn,
                                                  const std::shared_ptr<const ReadOnlyFile>& file) {
  // One bounded buffer per connection, shared with the pool job that fills it.
  auto buf = std::make_shared<std::vector<uint8_t>>(std::min<uint64_t>(kFileChunk, file->size()));
  uint64_t offset = 0;
  error_code ec;
  while (offset < file->size()) {
    const size_t len = static_cast<size_t>(std::min<uint64_t>(kFileChunk, file->size() - offset));
    co_await AsyncReadOnPool(file, offset, buf, len, asio::redirect_error(asio::use_awaitable, ec));
    // A short read means the file changed under us; the response cannot be completed.
    if (ec || conn.aborted) co_return false;
    conn.stream.expires_after(options.write_timeout);
    co_await asio::async_write(conn.stream, asio::buffer(buf->data(), len),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec == beast::error::timeout) timed_out.fetch_add(1, std::memory_order_relaxed);
      co_return false;
    }
    offset += len;
  }
  co_return true;
}

// LingerAfterRefusal half-closes a connection whose request was refused before its body was
// read, then reads and drops what the client is still sending (at most kLingerBytes, for at most
// kLingerTime, evictable meanwhile) before the socket closes. Closing with unread data makes the
// kernel reset the connection, and the reset can destroy the refusal before the client reads it
// (RFC 9112 §9.6).
asio::awaitable<void> HttpServer::Impl::LingerAfterRefusal(Conn& conn) {
  constexpr size_t kLingerBytes = 4 << 20;
  constexpr auto kLingerTime = std::chrono::seconds(2);
  error_code ec;
  conn.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  table->SetState(conn.id, ConnState::kWaiting, Clock::now());
  conn.stream.expires_after(kLingerTime);
  std::vector<char> sink(16 << 10);
  for (size_t dropped = 0; dropped < kLingerBytes;) {
    dropped += co_await conn.stream.async_read_some(asio::buffer(sink),
                                                    asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
  }
}

asio::awaitable<bool> HttpServer::Impl::WriteResponse(Conn& conn, HttpResponse& answer,
                                                      unsigned version, bool keep_alive,
                                                      bool head) {
  error_code ec;
  const auto status = static_cast<http::status>(answer.status);
  conn.stream.expires_after(options.write_timeout);
  if (answer.file != nullptr || head) {
    // The header alone (its Content-Length announces the body), then the file in chunks.
    http::response<http::empty_body> res{status, version};
    SetCommonFields(res, answer, keep_alive);
    res.content_length(answer.file != nullptr ? answer.file->size() : answer.body.size());
    http::response_serializer<http::empty_body> sr(res);
    co_await http::async_write_header(conn.stream, sr,
                                      asio::redirect_error(asio::use_awaitable, ec));
    if (!ec && !head && answer.file != nullptr) {
      co_return co_await WriteFile(conn, answer.file);
    }
  } else {
    http::response<http::string_body> res{status, version};
    SetCommonFields(res, answer, keep_alive);
    res.body() = std::move(answer.body);
    res.prepare_payload();
    co_await http::async_write(conn.stream, res, asio::redirect_error(asio::use_awaitable, ec));
  }
  if (ec == beast::error::timeout) timed_out.fetch_add(1, std::memory_order_relaxed);
  co_return !ec;
}

asio::awaitable<HttpResponse> HttpServer::Impl::Dispatch(const std::shared_ptr<Conn>& conn,
                                                         HttpRequest&& request) {
  auto pending = std::make_shared<PendingAnswer>();
  asio::steady_timer timer(conn->stream.get_executor());
  timer.expires_after(options.handler_timeout);
  pending->timer = &timer;
  conn->answer_timer = &timer;
  std::weak_ptr<Conn> weak = conn;
  handler->Handle(std::move(request), [gate = gate, pending, weak](HttpResponse r) {
    std::lock_guard<std::mutex> lock(gate->mu);
    if (!gate->open) return;
    auto c = weak.lock();
    if (c == nullptr) return;
    asio::post(c->stream.get_executor(), [pending, r = std::move(r)]() mutable {
      if (pending->closed || pending->response) return;
      pending->response = std::move(r);
      pending->timer->cancel();
    });
  });
  // The answer is always posted, so it cannot have arrived before this wait begins.
  error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  pending->closed = true;
  conn->answer_timer = nullptr;
  if (pending->response) co_return std::move(*pending->response);
  if (conn->aborted || draining.load()) {
    co_return JsonErrorWithStatus(503, "unavailable", "the server is shutting down");
  }
  co_return JsonErrorWithStatus(503, "unavailable", "the request timed out");
}

asio::awaitable<void> HttpServer::Impl::Session(std::shared_ptr<Conn> conn) {
  // Whatever way the coroutine ends (even destroyed unfinished), the table and Stop hear of it.
  struct Ended {
    Impl* impl;
    uint64_t id;
    ~Ended() { impl->SessionEnded(id); }
  } ended{this, conn->id};
  beast::tcp_stream& stream = conn->stream;
  beast::flat_buffer buffer;
  error_code ec;
  bool first = true;
  const auto closed_quietly = [](const error_code& e) {
    return e == http::error::end_of_stream || e == asio::error::eof ||
           e == asio::error::connection_reset || e == asio::error::operation_aborted ||
           e == asio::error::bad_descriptor || e == beast::error::timeout;
  };
  while (!draining.load() && !conn->aborted) {
    // 1. Wait for the first byte of a request: evictable, bounded by the idle timeout.
    table->SetState(conn->id, ConnState::kWaiting, Clock::now());
    if (buffer.size() == 0) {
      stream.expires_after(first ? options.header_timeout : options.idle_timeout);
      const size_t n = co_await stream.async_read_some(
          buffer.prepare(4096), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == beast::error::timeout) timed_out.fetch_add(1, std::memory_order_relaxed);
        break;
      }
      buffer.commit(n);
    }
    // 2. The header, within header_timeout of its first byte; checked before any body is read.
    table->SetState(conn->id, ConnState::kReadingHeader, Clock::now());
    http::request_parser<http::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    parser.header_limit(static_cast<uint32_t>(options.max_header_bytes));
    stream.expires_after(options.header_timeout);
    co_await http::async_read_header(stream, buffer, parser,
                                     asio::redirect_error(asio::use_awaitable, ec));
    table->SetState(conn->id, ConnState::kBusy, Clock::now());
    std::optional<HttpResponse> refusal;
    HttpRequest request;
    unsigned version = 11;
    if (ec) {
      if (closed_quietly(ec)) {
        if (ec == beast::error::timeout) timed_out.fetch_add(1, std::memory_order_relaxed);
        break;
      }
      // The header is too long (431), or announces a body over the limit (413).
      const int status = ec == http::error::header_limit ? 431
                         : ec == http::error::body_limit ? 413
                                                         : 400;
      refusal = JsonErrorWithStatus(status, status == 400 ? "malformed" : "too_large",
                                    "bad HTTP request: " + ec.message());
    } else {
      const auto& header = parser.get();
      version = header.version();
      std::vector<std::pair<std::string_view, std::string_view>> fields;
      for (const auto& f : header) {
        fields.emplace_back(std::string_view(f.name_string().data(), f.name_string().size()),
                            std::string_view(f.value().data(), f.value().size()));
      }
      if (auto bad = CollectRequestHeaders(fields, version, &request.headers)) {
        refusal = JsonErrorWithStatus(bad->status, bad->code, bad->detail);
      }
    }
    // 3. The body (after "100 Continue" if the client waits for it), within the route's limit.
    if (!refusal && !parser.is_done()) {
      const auto& header = parser.get();
      const size_t limit = std::min(
          options.max_body_bytes,
          handler->BodyLimit(
              std::string_view(header.method_string().data(), header.method_string().size()),
              std::string_view(header.target().data(), header.target().size())));
      const auto announced = parser.content_length();
      if (announced && *announced > limit) {
        refusal = JsonErrorWithStatus(
            413, "too_large",
            "the body is over this endpoint's limit of " + std::to_string(limit) + " bytes");
      }
      parser.body_limit(limit);
    }
    if (!refusal && !parser.is_done()) {
      if (request.Header("expect").size() != 0) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        stream.expires_after(options.write_timeout);
        co_await asio::async_write(stream, asio::buffer(kContinue),
                                   asio::redirect_error(asio::use_awaitable, ec));
      }
      stream.expires_after(options.body_timeout);
      if (!ec) {
        co_await http::async_read(stream, buffer, parser,
                                  asio::redirect_error(asio::use_awaitable, ec));
      }
      if (ec) {
        if (closed_quietly(ec)) {
          if (ec == beast::error::timeout) timed_out.fetch_add(1, std::memory_order_relaxed);
          break;
        }
        const bool too_big = ec == http::error::body_limit;
        refusal = JsonErrorWithStatus(too_big ? 413 : 400, too_big ? "too_large" : "malformed",
                                      "bad HTTP request: " + ec.message());
      }
    }
    if (refusal) {
      // A request we refuse before reading it whole leaves the stream unframed: close after,
      // lingering so the refusal is read (see LingerAfterRefusal).
      if (co_await WriteResponse(*conn, *refusal, version, false, false)) {
        co_await LingerAfterRefusal(*conn);
      }
      break;
    }
    auto req = parser.release();
    const bool head = req.method() == http::verb::head;
    request.method = head ? "GET" : std::string(req.method_string());
    request.target = std::string(req.target());
    request.body = std::move(req.body());
    request.peer = conn->peer;
    const bool keep_alive = req.keep_alive();
    requests.fetch_add(1, std::memory_order_relaxed);
    HttpResponse answer = co_await Dispatch(conn, std::move(request));
    if (answer.websocket != nullptr) {
      if (websocket::is_upgrade(req) && !draining.load() && !conn->aborted) {
        co_await RunWebSocket(conn, req, std::move(answer.websocket));
        break;
      }
      answer.websocket->OnClose();
      answer = JsonErrorWithStatus(426, "upgrade_required", "this endpoint is a WebSocket");
      answer.headers.emplace_back("Upgrade", "websocket");
    }
    // 4. The answer; a draining server asks the client to close.
    const bool keep = keep_alive && !draining.load() && !conn->aborted;
    if (!co_await WriteResponse(*conn, answer, version, keep, head) || !keep) break;
    first = false;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> HttpServer::Impl::RunWebSocket(std::shared_ptr<Conn> conn,
                                                     const http::request<http::string_body>& req,
                                                     std::shared_ptr<WebSocketHandler> ws_handler) {
  table->SetState(conn->id, ConnState::kWebSocket, Clock::now());
  auto shared = std::make_shared<WsShared>();
  auto core = std::make_shared<WsCore>(conn, shared);
  shared->core = core;
  conn->stream.expires_never();
  websocket::stream_base::timeout t{};
  t.handshake_timeout = std::chrono::seconds(30);
  t.idle_timeout = std::chrono::seconds(60);  // a ping after 30 s of silence, closed after 60 s
  t.keep_alive_pings = true;
  core->ws.set_option(t);
  core->ws.read_message_max(kWsMaxMessage);
  core->ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "candor"); }));
  error_code ec;
  co_await core->ws.async_accept(req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    ws_handler->OnClose();
    co_return;
  }
  ws_handler->OnOpen(std::make_shared<WsFacade>(gate, shared, conn));
  for (;;) {
    beast::flat_buffer buf;
    co_await core->ws.async_read(buf, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    if (!core->ws.got_text()) {
      // Candor's WebSocket protocol is JSON text: a binary frame is a protocol violation.
      std::lock_guard<std::mutex> lock(shared->mu);
      shared->close_request.emplace(static_cast<uint16_t>(websocket::close_code::unknown_data),
                                    "text frames only");
      break;
    }
    const auto data = buf.data();
    ws_handler->OnMessage(std::string_view(static_cast<const char*>(data.data()), data.size()));
  }
  {
    std::lock_guard<std::mutex> lock(shared->mu);
    shared->closed = true;
    if (ec == websocket::error::message_too_big) {
      shared->close_request.emplace(static_cast<uint16_t>(websocket::close_code::too_big),
                                    "message too large");
    }
  }
  // A pending close request (ours or a protocol violation) is sent if the socket still works.
  bool send_close = false;
  {
    std::lock_guard<std::mutex> lock(shared->mu);
    send_close = shared->close_request.has_value() && ec != websocket::error::closed;
    shared->queue.clear();
  }
  if (send_close && !core->closing && core->ws.is_open()) core->Pump();
  ws_handler->OnClose();
}

Result<std::pair<std::string, uint16_t>> SplitHostPort(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return MakeError(Errc::kInvalidArgument, "listen address must be host:port: " + listen);
  }
  unsigned port = 0;
  const char* begin = listen.data() + colon + 1;
  const char* end = listen.data() + listen.size();
  auto [ptr, ec] = std::from_chars(begin, end, port);
  if (begin == end || ec != std::errc() || ptr != end || port > 65535) {
    return MakeError(Errc::kInvalidArgument, "bad port in " + listen);
  }
  return std::make_pair(listen.substr(0, colon), static_cast<uint16_t>(port));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                      HttpHandler& handler) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->handler = &handler;
  if (options.blocking == nullptr) impl->own_pool = std::make_unique<WorkerPool>(1);
  impl->pool = options.blocking != nullptr ? options.blocking : impl->own_pool.get();
  impl->table = std::make_unique<ConnectionTable>(
      DerivedMaxConnections(options), std::max<size_t>(1, options.max_connections_per_peer));
  error_code ec;
  const auto address = asio::ip::make_address(options.host, ec);
  if (ec) return MakeError(Errc::kInvalidArgument, "bad listen address " + options.host);
  const tcp::endpoint endpoint(address, options.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return MakeError(Errc::kUnavailable, "cannot listen on " + options.host + ":" +
                                             std::to_string(options.port) + ": " + ec.message());
  }
  impl->port = impl->acceptor.local_endpoint().port();
  Impl* raw = impl.get();
  asio::co_spawn(impl->ioc, raw->Accept(), asio::detached);
  for (int i = 0; i < std::max(1, options.num_threads); ++i) {
    impl->threads.emplace_back([raw] { raw->ioc.run(); });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

void HttpServer::Stop() {
  Impl& s = *impl_;
  if (s.threads.empty()) return;
  s.draining = true;
  // Stop accepting, and close connections that are only waiting for a request.
  asio::post(s.ioc, [&s] {
    error_code ec;
    s.acceptor.close(ec);
  });
  s.table->AbortAll(false, ConnState::kWaiting);
  s.table->AbortAll(false, ConnState::kWebSocket);  // clients reconnect (to another node)
  // Requests already read are answered and written, up to the drain timeout.
  if (!s.WaitFor([&s] { return s.num_sessions == 0; }, s.options.drain_timeout)) {
    spdlog::warn("stop: {} connection(s) still busy after the drain timeout; closing them",
                 s.table->size());
    s.table->AbortAll(true, ConnState::kBusy);
    (void)s.WaitFor([&s] { return s.num_sessions == 0; }, std::chrono::seconds(5));
  }
  // Pool jobs post back to the io_context: it must outlive them.
  (void)s.WaitFor([&s] { return s.num_pool_jobs == 0; }, std::chrono::hours(24 * 365));
  {
    std::lock_guard<std::mutex> lock(s.gate->mu);
    s.gate->open = false;
  }
  s.ioc.stop();
  for (std::thread& t : s.threads) t.join();
  s.threads.clear();
}

HttpServer::~HttpServer() { Stop(); }

uint16_t HttpServer::port() const { return impl_->port; }

HttpServerStats HttpServer::Stats() const {
  const Impl& s = *impl_;
  HttpServerStats out;
  out.max_connections = s.table->max_total();
  out.open_connections = s.table->size();
  out.accepted = s.accepted.load();
  out.refused_full = s.refused_full.load();
  out.refused_per_peer = s.refused_per_peer.load();
  out.evicted = s.evicted.load();
  out.timed_out = s.timed_out.load();
  out.accept_errors = s.accept_errors.load();
  out.requests = s.requests.load();
  return out;
}

Status HttpServer::Health() const {
  const Impl& s = *impl_;
  std::lock_guard<std::mutex> lock(s.shortage_mu);
  if (s.last_shortage != Clock::time_point{} && Clock::now() - s.last_shortage < kShortageWindow) {
    return MakeError(Errc::kUnavailable,
                     "accepting connections failed in the last 10 s: " + s.last_shortage_reason);
  }
  return OkStatus();
}

void HttpServer::AppendMetrics(std::string& out) const {
  const HttpServerStats st = Stats();
  const auto line = [&out](const char* name, const char* type, uint64_t value) {
    out += std::string("# TYPE ") + name + " " + type + "\n" + name + " " + std::to_string(value) +
           "\n";
  };
  line("candor_http_connections_max", "gauge", st.max_connections);
  line("candor_http_connections_open", "gauge", st.open_connections);
  line("candor_http_connections_accepted_total", "counter", st.accepted);
  line("candor_http_connections_refused_full_total", "counter", st.refused_full);
  line("candor_http_connections_refused_per_client_total", "counter", st.refused_per_peer);
  line("candor_http_connections_evicted_total", "counter", st.evicted);
  line("candor_http_connections_timed_out_total", "counter", st.timed_out);
  line("candor_http_accept_errors_total", "counter", st.accept_errors);
}

}  // namespace candor::net
