// http.h: transport-neutral HTTP request/response values and the handler interface. Handlers
// are plain objects testable without sockets (house style H9); the server adapts them to Beast.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "candor/base/file.h"
#include "candor/base/result.h"
#include "candor/net/websocket.h"

namespace candor::net {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...; the server hands a HEAD request over as "GET"
  std::string target;  // path and query, as sent
  // Lowercase names. A header sent twice is refused with 400 when it may appear only once
  // (Host, Authorization, Content-Length, Content-Type, ...); other repeats are joined with ", "
  // (RFC 9110 §5.3).
  std::map<std::string, std::string> headers;
  std::string body;
  std::string peer;  // remote address, for rate limiting and logs

  // Header returns the value of header `name` (lowercase) or "".
  std::string_view Header(const std::string& name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;
  // file, when set, is the body instead of `body`: the server streams it in bounded chunks read
  // on its blocking-work pool, so a large file never sits in memory or on an IO thread.
  std::shared_ptr<const ReadOnlyFile> file;
  // websocket, when set on the answer to a WebSocket upgrade request, makes the server complete
  // the upgrade and hand the connection to it (status and body are then ignored). On a request
  // that is not an upgrade the server answers 426.
  std::shared_ptr<WebSocketHandler> websocket;
};

// MakeResponse builds a response with a string body.
HttpResponse MakeResponse(int status, std::string content_type, std::string body,
                          std::vector<std::pair<std::string, std::string>> headers = {});

// Responder delivers the response; it may be called from any thread, at most once, at any time:
// after the connection closed or the server stopped, the answer is dropped.
using Responder = std::function<void(HttpResponse)>;

// HttpHandler serves requests. Handle may respond before returning or later from any thread.
// It runs on an IO thread, so it must not block: blocking work (disk, database, heavy crypto)
// goes to a WorkerPool and responds from there.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  virtual void Handle(HttpRequest request, Responder respond) = 0;
  // BodyLimit is the largest body the handler accepts for (method, target), asked once the
  // header is read; the server also applies its own limit. Larger bodies get 413 unread.
  virtual size_t BodyLimit(std::string_view method, std::string_view target) const {
    (void)method;
    (void)target;
    return SIZE_MAX;
  }
};

// HttpStatusFor maps an error code to its HTTP status (house style H3): 400 kMalformed and
// kInvalidArgument, 401 kUnauthenticated, 403 kVerifyFailed and kPermissionDenied, 404
// kNotFound, 409 kConflict, 413 kTooLarge, 429 kRateLimited, 503 kUnavailable, 500 kInternal.
int HttpStatusFor(Errc code);

// JsonError renders the error as `{"error":"<code name>","detail":"..."}` with its status.
HttpResponse JsonError(const Error& error);

// JsonErrorWithStatus renders a JSON error body with an explicit status, for the HTTP layer's
// own answers that have no Errc (405 method_not_allowed, 501 not_implemented).
HttpResponse JsonErrorWithStatus(int status, std::string_view code, std::string_view detail);

// ErrorFromResponse is JsonError read back: the Error a non-2xx answer carries, its message
// prefixed with "server: ". An answer without a known code gets kUnavailable for 5xx, else
// kInvalidArgument, and its status as the message.
Error ErrorFromResponse(const HttpResponse& response);

}  // namespace candor::net
