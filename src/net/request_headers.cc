#include "request_headers.h"

#include <array>
#include <cctype>

namespace candor::net {
namespace {

// Headers whose value is a single item: a repeat is ambiguous (which one did a proxy in front
// of us act on?), so the request is refused rather than guessed at.
constexpr std::array<std::string_view, 10> kSingletons = {
    "host",   "authorization",     "content-length",        "content-type",
    "expect", "sec-websocket-key", "sec-websocket-version", "origin",
    "range",  "if-none-match"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

HeaderRefusal Refuse(int status, std::string code, std::string detail) {
  return HeaderRefusal{status, std::move(code), std::move(detail)};
}

// CheckTransferEncoding applies RFC 9112 §6.1 to the joined Transfer-Encoding list.
std::optional<HeaderRefusal> CheckTransferEncoding(std::string_view list) {
  std::vector<std::string> codings;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    codings.push_back(Lower(Trim(list.substr(0, comma))));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  size_t num_chunked = 0;
  for (const std::string& c : codings) num_chunked += c == "chunked" ? 1U : 0U;
  if (codings.empty() || codings.back() != "chunked" || num_chunked != 1) {
    return Refuse(400, "malformed",
                  "Transfer-Encoding must end with chunked exactly once (RFC 9112 section 6.1)");
  }
  if (codings.size() > 1) {
    return Refuse(501, "not_implemented", "only the chunked transfer coding is supported");
  }
  return std::nullopt;
}

}  // namespace

std::optional<HeaderRefusal> CollectRequestHeaders(
    const std::vector<std::pair<std::string_view, std::string_view>>& fields, unsigned version,
    std::map<std::string, std::string>* out) {
  out->clear();
  for (const auto& [raw_name, value] : fields) {
    std::string name = Lower(raw_name);
    auto [it, inserted] = out->try_emplace(name, std::string(value));
    if (inserted) continue;
    for (std::string_view single : kSingletons) {
      if (name == single) {
        return Refuse(400, "malformed", "header " + name + " appears more than once");
      }
    }
    it->second += ", ";
    it->second += value;
  }
  if (version >= 11 && out->find("host") == out->end()) {
    return Refuse(400, "malformed", "an HTTP/1.1 request needs a Host header");
  }
  const auto te = out->find("transfer-encoding");
  if (te != out->end()) {
    if (version < 11) return Refuse(400, "malformed", "Transfer-Encoding in an HTTP/1.0 request");
    if (out->count("content-length") != 0) {
      return Refuse(400, "malformed", "both Transfer-Encoding and Content-Length");
    }
    if (auto refusal = CheckTransferEncoding(te->second)) return refusal;
  }
  const auto expect = out->find("expect");
  if (expect != out->end() && Lower(Trim(expect->second)) != "100-continue") {
    return Refuse(417, "expectation_failed", "the only expectation supported is 100-continue");
  }
  return std::nullopt;
}

}  // namespace candor::net
