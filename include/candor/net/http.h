// http.h: transport-neutral HTTP request/response values and the handler interface. Handlers
// are plain objects testable without sockets (house style H9); the server adapts them to Beast.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "candor/base/result.h"

namespace candor::net {

struct HttpRequest {
  std::string method;                          // "GET", "POST", ...
  std::string target;                          // path and query, as sent
  std::map<std::string, std::string> headers;  // lowercase names
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
};

// Responder delivers the response; it may be called from any thread, exactly once.
using Responder = std::function<void(HttpResponse)>;

// HttpHandler serves requests. Handle may respond before returning or later from any thread.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  virtual void Handle(HttpRequest request, Responder respond) = 0;
};

// HttpStatusFor maps an error code to its HTTP status (house style H3): 400 kMalformed and
// kInvalidArgument, 403 kVerifyFailed, 404 kNotFound, 409 kConflict, 503 kUnavailable,
// 500 kInternal.
int HttpStatusFor(Errc code);

// JsonError renders the error as `{"error":"<code name>","detail":"..."}` with its status.
HttpResponse JsonError(const Error& error);

// JsonErrorWithStatus renders a JSON error body with an explicit status (e.g. 405, 413).
HttpResponse JsonErrorWithStatus(int status, std::string_view code, std::string_view detail);

}  // namespace candor::net
