#include "candor/net/http_client.h"

#include <poll.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <charconv>

namespace candor::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

// IdleConnectionClosed reports whether a kept-alive connection, idle between requests, became
// readable: the server closed it (or sent what no request asked for). Either way it is not
// reused.
bool IdleConnectionClosed(int fd) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 0) != 0;
}

bool IsIdempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS";
}

}  // namespace

struct HttpClient::Conn {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  std::string host;
  uint16_t port = 0;
  bool open = false;
  beast::flat_buffer buffer;
};

Url Url::Join(std::string_view rel) const {
  Url out = *this;
  while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  if (out.path.empty() || out.path.back() != '/') out.path += '/';
  out.path += rel;
  return out;
}

std::string Url::ToString() const { return "http://" + host + ":" + std::to_string(port) + path; }

Result<Url> ParseUrl(std::string_view text) {
  constexpr std::string_view kScheme = "http://";
  if (text.substr(0, kScheme.size()) != kScheme) {
    return MakeError(Errc::kInvalidArgument, "URL must start with http://");
  }
  text.remove_prefix(kScheme.size());
  const size_t slash = text.find('/');
  std::string_view authority = text.substr(0, slash);
  Url url;
  url.path = slash == std::string_view::npos ? "/" : std::string(text.substr(slash));
  if (authority.find('@') != std::string_view::npos) {
    return MakeError(Errc::kInvalidArgument, "URL must not contain user info");
  }
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    std::string_view port = authority.substr(colon + 1);
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value == 0 ||
        value > 65535) {
      return MakeError(Errc::kInvalidArgument, "URL has a bad port");
    }
    url.port = static_cast<uint16_t>(value);
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return MakeError(Errc::kInvalidArgument, "URL has no host");
  url.host = std::string(authority);
  return url;
}

HttpClient::HttpClient() : conn_(std::make_unique<Conn>()) {}
HttpClient::~HttpClient() {
  error_code ec;
  conn_->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
}

Result<HttpResponse> HttpClient::Request(
    std::string_view method, const Url& url, const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  Conn& c = *conn_;
  for (int attempt = 0; attempt < 2; ++attempt) {
    error_code ec;
    bool reused = c.open && c.host == url.host && c.port == url.port;
    if (reused &&
        IdleConnectionClosed(beast::get_lowest_layer(c.stream).socket().native_handle())) {
      c.open = false;
      reused = false;
    }
    if (!reused) {
      c.stream.close();
      c.buffer.clear();
      tcp::resolver resolver(c.ioc);
      auto results = resolver.resolve(url.host, std::to_string(url.port), ec);
      if (ec) return MakeError(Errc::kUnavailable, "resolve " + url.host + ": " + ec.message());
      c.stream.expires_after(timeout_);
      c.stream.connect(results, ec);
      if (ec)
        return MakeError(Errc::kUnavailable, "connect " + url.ToString() + ": " + ec.message());
      c.open = true;
      c.host = url.host;
      c.port = url.port;
    }
    http::request<http::string_body> req{
        http::string_to_verb(beast::string_view(method.data(), method.size())), url.path, 11};
    req.set(http::field::host, url.host);
    req.set(http::field::user_agent, "candor");
    for (auto& [name, value] : headers) req.set(name, value);
    req.body() = body;
    req.keep_alive(true);
    req.prepare_payload();
    beast::get_lowest_layer(c.stream).expires_after(timeout_);
    http::write(c.stream, req, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_response_bytes_);
    if (!ec) http::read(c.stream, c.buffer, parser, ec);
    if (ec) {
      c.open = false;
      c.stream.close();
      // A kept-alive connection may have been closed by the server just now: retry once on a
      // new one, but only a request that may be repeated (RFC 9110 §9.2.2). Whether the server
      // acted on any other request is unknown: the caller gets kUnavailable and settles it.
      if (reused && IsIdempotent(method) &&
          (ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
           ec == asio::error::broken_pipe || ec == asio::error::eof)) {
        continue;
      }
      if (ec == http::error::body_limit) {
        return MakeError(Errc::kMalformed, "response from " + url.ToString() + " is too large");
      }
      return MakeError(Errc::kUnavailable, url.ToString() + ": " + ec.message());
    }
    auto res = parser.release();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    out.content_type = std::string(res[http::field::content_type]);
    out.body = std::move(res.body());
    if (!res.keep_alive()) {
      c.open = false;
      c.stream.close();
    }
    return out;
  }
  return MakeError(Errc::kUnavailable, url.ToString() + ": connection closed");
}

}  // namespace candor::net
