#include "candor/net/http.h"

#include <nlohmann/json.hpp>

namespace candor::net {

std::string_view HttpRequest::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

HttpResponse MakeResponse(int status, std::string content_type, std::string body,
                          std::vector<std::pair<std::string, std::string>> headers) {
  HttpResponse r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

int HttpStatusFor(Errc code) {
  switch (code) {
    case Errc::kMalformed:
    case Errc::kInvalidArgument:
      return 400;
    case Errc::kVerifyFailed:
      return 403;
    case Errc::kNotFound:
      return 404;
    case Errc::kConflict:
      return 409;
    case Errc::kUnavailable:
      return 503;
    case Errc::kInternal:
      return 500;
    case Errc::kUnauthenticated:
      return 401;
    case Errc::kPermissionDenied:
      return 403;
    case Errc::kTooLarge:
      return 413;
    case Errc::kRateLimited:
      return 429;
  }
  return 500;
}

HttpResponse JsonErrorWithStatus(int status, std::string_view code, std::string_view detail) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  nlohmann::json j = {{"error", code}, {"detail", detail}};
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (status == 429 || status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

HttpResponse JsonError(const Error& error) {
  return JsonErrorWithStatus(HttpStatusFor(error.code), ErrcName(error.code), error.message);
}

Error ErrorFromResponse(const HttpResponse& response) {
  const nlohmann::json j = nlohmann::json::parse(response.body, nullptr, false);
  std::string detail = "HTTP " + std::to_string(response.status);
  std::optional<Errc> code;
  if (j.is_object()) {
    if (j.contains("error") && j["error"].is_string()) {
      for (uint8_t c = 0; c <= static_cast<uint8_t>(Errc::kRateLimited); ++c) {
        if (ErrcName(static_cast<Errc>(c)) == j["error"].get<std::string>()) {
          code = static_cast<Errc>(c);
        }
      }
    }
    if (j.contains("detail") && j["detail"].is_string()) detail = j["detail"].get<std::string>();
  }
  if (!code) code = response.status >= 500 ? Errc::kUnavailable : Errc::kInvalidArgument;
  return MakeError(*code, "server: " + detail);
}

}  // namespace candor::net
