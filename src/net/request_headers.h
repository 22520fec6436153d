// request_headers.h: the request header rules the HTTP server enforces before it reads a body,
// apart from sockets so that they can be tested alone (RFC 9110 §5.3, RFC 9112 §3.2 and §6).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace candor::net {

// HeaderRefusal is why a request is refused before its body is read; the connection closes.
struct HeaderRefusal {
  int status = 400;
  std::string code;  // the JSON error code: "malformed", "not_implemented", ...
  std::string detail;
};

// CollectRequestHeaders turns the header fields of a request (in the order received) into the
// lowercase-name map of HttpRequest and checks them:
//  - a header that may appear only once (Host, Authorization, Content-Length, Content-Type,
//    Expect, Sec-WebSocket-Key, ...) appearing twice: 400; other repeats are joined with ", ";
//  - HTTP/1.1 without Host: 400;
//  - Transfer-Encoding (RFC 9112 §6.1): "chunked" alone is accepted; chunked not last, chunked
//    twice, Transfer-Encoding with Content-Length or in HTTP/1.0: 400; other codings before
//    chunked (gzip, ...): 501;
//  - Expect other than "100-continue": 417.
// `version` is 10 or 11. Returns the refusal, or nullopt with `*out` filled.
std::optional<HeaderRefusal> CollectRequestHeaders(
    const std::vector<std::pair<std::string_view, std::string_view>>& fields, unsigned version,
    std::map<std::string, std::string>* out);

}  // namespace candor::net
