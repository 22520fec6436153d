#include "candor/net/websocket_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace candor::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;

struct WebSocketClient::Impl {
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  bool open = false;
};

WebSocketClient::WebSocketClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WebSocketClient::~WebSocketClient() {
  // A failed close handshake only delays the peer noticing; the socket closes regardless.
  try {
    if (impl_->open) Close();
  } catch (...) {
  }
}

Result<std::unique_ptr<WebSocketClient>> WebSocketClient::Connect(
    const Url& url, const std::vector<std::pair<std::string, std::string>>& headers,
    std::chrono::milliseconds timeout) {
  auto impl = std::make_unique<Impl>();
  error_code ec;
  tcp::resolver resolver(impl->ioc);
  auto results = resolver.resolve(url.host, std::to_string(url.port), ec);
  if (ec) return MakeError(Errc::kUnavailable, "resolve " + url.host + ": " + ec.message());
  beast::get_lowest_layer(impl->ws).expires_after(timeout);
  beast::get_lowest_layer(impl->ws).connect(results, ec);
  if (ec) return MakeError(Errc::kUnavailable, "connect " + url.ToString() + ": " + ec.message());
  impl->ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    req.set(beast::http::field::user_agent, "candor");
    for (const auto& [name, value] : headers) req.set(name, value);
  }));
  impl->ws.read_message_max(size_t{1} << 20);
  websocket::response_type res;
  impl->ws.handshake(res, url.host + ":" + std::to_string(url.port), url.path, ec);
  if (ec) {
    std::string why = ec.message();
    if (res.result_int() != 0) {
      why = "HTTP " + std::to_string(res.result_int()) + " " + std::string(res.body());
    }
    return MakeError(Errc::kUnavailable, "websocket " + url.ToString() + ": " + why);
  }
  beast::get_lowest_layer(impl->ws).expires_never();
  impl->open = true;
  return std::unique_ptr<WebSocketClient>(new WebSocketClient(std::move(impl)));
}

Status WebSocketClient::Send(std::string_view text) {
  if (!impl_->open) return MakeError(Errc::kUnavailable, "websocket is closed");
  error_code ec;
  impl_->ws.text(true);
  impl_->ws.write(asio::buffer(text.data(), text.size()), ec);
  if (ec) {
    impl_->open = false;
    return MakeError(Errc::kUnavailable, "websocket write: " + ec.message());
  }
  return OkStatus();
}

Result<std::optional<std::string>> WebSocketClient::Receive(std::chrono::milliseconds timeout) {
  if (!impl_->open) return MakeError(Errc::kUnavailable, "websocket is closed");
  beast::flat_buffer buf;
  error_code result = asio::error::would_block;
  impl_->ws.async_read(buf, [&result](const error_code& ec, size_t) { result = ec; });
  impl_->ioc.restart();
  impl_->ioc.run_for(timeout);
  if (result == asio::error::would_block) {
    // Nothing came: a cancelled WebSocket read leaves the stream unusable, so close it.
    beast::get_lowest_layer(impl_->ws).cancel();
    impl_->ioc.restart();
    impl_->ioc.run();
    beast::get_lowest_layer(impl_->ws).close();
    impl_->open = false;
    return std::optional<std::string>();
  }
  if (result) {
    impl_->open = false;
    std::string why = result.message();
    if (result == websocket::error::closed) {
      why = "closed by the server (" + std::to_string(impl_->ws.reason().code) + " " +
            std::string(impl_->ws.reason().reason.data(), impl_->ws.reason().reason.size()) + ")";
    }
    return MakeError(Errc::kUnavailable, "websocket: " + why);
  }
  const auto data = buf.data();
  return std::optional<std::string>(
      std::string(static_cast<const char*>(data.data()), data.size()));
}

void WebSocketClient::Close() {
  if (!impl_->open) return;
  impl_->open = false;
  error_code ec;
  beast::get_lowest_layer(impl_->ws).expires_after(std::chrono::seconds(2));
  impl_->ws.close(websocket::close_code::normal, ec);
}

}  // namespace candor::net
