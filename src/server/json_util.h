// json_util.h: strict JSON request bodies and JSON answers for the messaging services.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/net/http.h"

namespace candor::server {

using Json = nlohmann::json;

// ParseObject parses a body that must be one JSON object whose members are among `fields`
// (kMalformed otherwise, naming an unknown member).
Result<Json> ParseObject(std::string_view body, std::initializer_list<std::string_view> fields);
// StringField reads a string member (kMalformed names it when missing or not a string, or
// longer than `max_len`).
Result<std::string> StringField(const Json& j, const char* name, size_t max_len = 256);
// Base64Field reads a base64 string member decoding to at most `max_len` bytes.
Result<Bytes> Base64Field(const Json& j, const char* name, size_t max_len);
// OptionalBase64Field is Base64Field for a member that may be absent or null (empty result).
Result<std::optional<Bytes>> OptionalBase64Field(const Json& j, const char* name, size_t max_len);
// UintField reads a non-negative integer member.
Result<uint64_t> UintField(const Json& j, const char* name);

// JsonAnswer renders `j` with `status`.
net::HttpResponse JsonAnswer(const Json& j, int status = 200);
// BinaryAnswer is an application/octet-stream answer (KT bodies).
net::HttpResponse BinaryAnswer(Bytes body);
// B64 encodes bytes as standard base64.
std::string B64(ByteView b);

}  // namespace candor::server
