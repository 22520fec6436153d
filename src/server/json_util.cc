#include "json_util.h"

#include <algorithm>

#include "candor/base/encoding.h"

namespace candor::server {

Result<Json> ParseObject(std::string_view body, std::initializer_list<std::string_view> fields) {
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return MakeError(Errc::kMalformed, "the body must be one JSON object");
  }
  for (const auto& [name, value] : j.items()) {
    if (std::find(fields.begin(), fields.end(), name) == fields.end()) {
      return MakeError(Errc::kMalformed, "unknown field " + Json(name).dump());
    }
  }
  return j;
}

Result<std::string> StringField(const Json& j, const char* name, size_t max_len) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) {
    return MakeError(Errc::kMalformed, std::string("field ") + name + ": missing or not a string");
  }
  std::string s = it->get<std::string>();
  if (s.size() > max_len) {
    return MakeError(Errc::kMalformed, std::string("field ") + name + ": longer than " +
                                           std::to_string(max_len) + " bytes");
  }
  return s;
}

Result<Bytes> Base64Field(const Json& j, const char* name, size_t max_len) {
  // Base64 is 4/3 the size: refuse long strings before decoding them.
  CANDOR_ASSIGN_OR_RETURN(std::string text, StringField(j, name, (max_len + 2) / 3 * 4));
  auto bytes = Base64Decode(text);
  if (!bytes.ok()) {
    return MakeError(Errc::kMalformed, std::string("field ") + name + ": not base64");
  }
  return std::move(*bytes);
}

Result<std::optional<Bytes>> OptionalBase64Field(const Json& j, const char* name, size_t max_len) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::optional<Bytes>();
  CANDOR_ASSIGN_OR_RETURN(Bytes b, Base64Field(j, name, max_len));
  return std::optional<Bytes>(std::move(b));
}

Result<uint64_t> UintField(const Json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_unsigned()) {
    return MakeError(Errc::kMalformed,
                     std::string("field ") + name + ": missing or not a non-negative integer");
  }
  return it->get<uint64_t>();
}

net::HttpResponse JsonAnswer(const Json& j, int status) {
  return net::MakeResponse(status, "application/json",
                           j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n");
}

net::HttpResponse BinaryAnswer(Bytes body) {
  return net::MakeResponse(200, "application/octet-stream", std::string(body.begin(), body.end()));
}

std::string B64(ByteView b) { return Base64Encode(b); }

}  // namespace candor::server
