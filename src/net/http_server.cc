#include "candor/net/http_server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <charconv>
#include <optional>
#include <thread>
#include <vector>

namespace candor::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

struct HttpServer::Impl {
  HttpServerOptions options;
  HttpHandler* handler = nullptr;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> threads;
  std::atomic<size_t> num_connections{0};
  uint16_t port = 0;

  asio::awaitable<void> Accept();
  asio::awaitable<void> Session(tcp::socket socket);
};

namespace {

// ResponseSlot carries a handler's answer back to the connection's strand.
struct ResponseSlot {
  explicit ResponseSlot(const asio::any_io_executor& ex) : timer(ex) {}
  asio::steady_timer timer;
  std::optional<HttpResponse> response;
};

HttpRequest ToRequest(http::request<http::string_body>&& req, const std::string& peer) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(field.value());
  }
  out.body = std::move(req.body());
  out.peer = peer;
  return out;
}

http::response<http::string_body> ToBeast(HttpResponse&& r, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "candor");
  res.set(http::field::content_type, r.content_type);
  for (auto& [name, value] : r.headers) res.set(name, value);
  res.body() = std::move(r.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

}  // namespace

asio::awaitable<void> HttpServer::Impl::Session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  error_code ec;
  const auto remote = stream.socket().remote_endpoint(ec);
  const std::string peer = ec ? std::string() : remote.address().to_string();
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    parser.header_limit(static_cast<uint32_t>(options.max_header_bytes));
    stream.expires_after(options.read_timeout);
    co_await http::async_read(stream, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || ec == asio::error::eof) {
      break;
    }
    if (ec) {
      // Malformed or oversized request: answer with a JSON error and close.
      const bool too_big = ec == http::error::body_limit || ec == http::error::header_limit;
      HttpResponse err =
          JsonErrorWithStatus(too_big ? 413 : 400, too_big ? "too_large" : "malformed",
                              "bad HTTP request: " + ec.message());
      auto res = ToBeast(std::move(err), 11, false);
      stream.expires_after(options.read_timeout);
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      break;
    }
    http::request<http::string_body> req = parser.release();
    const unsigned version = req.version();
    const bool keep_alive = req.keep_alive();

    auto slot = std::make_shared<ResponseSlot>(co_await asio::this_coro::executor);
    slot->timer.expires_after(options.handler_timeout);
    auto ex = slot->timer.get_executor();
    handler->Handle(ToRequest(std::move(req), peer), [slot, ex](HttpResponse r) {
      asio::post(ex, [slot, r = std::move(r)]() mutable {
        slot->response = std::move(r);
        slot->timer.cancel();
      });
    });
    if (!slot->response) {
      co_await slot->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    HttpResponse answer = slot->response
                              ? std::move(*slot->response)
                              : JsonErrorWithStatus(503, "unavailable", "the request timed out");
    auto res = ToBeast(std::move(answer), version, keep_alive);
    stream.expires_after(options.read_timeout);
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !keep_alive) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  num_connections.fetch_sub(1);
}

asio::awaitable<void> HttpServer::Impl::Accept() {
  for (;;) {
    error_code ec;
    tcp::socket socket(asio::make_strand(ioc));
    co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;
    if (num_connections.load() >= options.max_connections) {
      socket.close(ec);
      continue;
    }
    num_connections.fetch_add(1);
    auto ex = socket.get_executor();
    // Session decrements the count when it ends; if it ever threw (only std::bad_alloc can),
    // the count is released here instead.
    asio::co_spawn(ex, Session(std::move(socket)), [this](const std::exception_ptr& e) {
      if (e) num_connections.fetch_sub(1);
    });
  }
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
  if (impl_->threads.empty()) return;
  impl_->ioc.stop();
  for (std::thread& t : impl_->threads) t.join();
  impl_->threads.clear();
  error_code ec;
  impl_->acceptor.close(ec);
}

HttpServer::~HttpServer() { Stop(); }

uint16_t HttpServer::port() const { return impl_->port; }

}  // namespace candor::net
