#include "candor/tlog/checkpoint.h"

#include <charconv>

#include "candor/base/encoding.h"

namespace candor::tlog {
namespace {

Error Malformed(const std::string& what) {
  return MakeError(Errc::kMalformed, "checkpoint: " + what);
}

}  // namespace

Result<uint64_t> ParseDecimalU64(std::string_view s) {
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) {
    return MakeError(Errc::kMalformed, "not a canonical decimal");
  }
  for (char c : s) {
    if (c < '0' || c > '9') return MakeError(Errc::kMalformed, "not a canonical decimal");
  }
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return MakeError(Errc::kMalformed, "decimal out of range");
  }
  return v;
}

std::string Checkpoint::Text() const {
  std::string out = origin + "\n" + std::to_string(size) + "\n" + Base64Encode(root) + "\n";
  for (const std::string& e : extensions) out += e + "\n";
  return out;
}

Result<Checkpoint> ParseCheckpoint(std::string_view text) {
  if (text.empty() || text.back() != '\n') return Malformed("text must end in a newline");
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < text.size();) {
    const size_t nl = text.find('\n', pos);
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  if (lines.size() < 3) return Malformed("fewer than three lines");
  Checkpoint cp;
  if (lines[0].empty()) return Malformed("empty origin line");
  cp.origin = std::string(lines[0]);
  auto size = ParseDecimalU64(lines[1]);
  if (!size.ok()) return Malformed("size line: " + size.error().message);
  cp.size = *size;
  auto root = Base64Decode(lines[2]);
  if (!root.ok() || root->size() != 32) return Malformed("root line is not base64 of 32 bytes");
  std::copy(root->begin(), root->end(), cp.root.begin());
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return Malformed("empty extension line");
    cp.extensions.emplace_back(lines[i]);
  }
  return cp;
}

}  // namespace candor::tlog
