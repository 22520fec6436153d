#include "candor/mls/candor_identity.h"

#include "candor/base/tls.h"

namespace candor::mls {

namespace {

bool AllowedChars(std::string_view s) {
  return !s.empty() && s.size() <= 64 &&
         s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-") == std::string_view::npos;
}

}  // namespace

bool IsValidHandle(std::string_view handle) {
  return AllowedChars(handle) && handle.front() >= 'a' && handle.front() <= 'z';
}

bool IsValidDeviceId(std::string_view device_id) { return AllowedChars(device_id); }

Result<Bytes> EncodeCandorIdentity(const CandorIdentity& id) {
  if (id.handle.empty() || id.handle.size() > 255 || id.device_id.empty() ||
      id.device_id.size() > 255) {
    return MakeError(Errc::kInvalidArgument, "CandorIdentity: parts must be 1 to 255 bytes");
  }
  Bytes out;
  out.push_back(static_cast<uint8_t>(id.handle.size()));
  out.insert(out.end(), id.handle.begin(), id.handle.end());
  out.push_back(static_cast<uint8_t>(id.device_id.size()));
  out.insert(out.end(), id.device_id.begin(), id.device_id.end());
  return out;
}

Result<CandorIdentity> DecodeCandorIdentity(ByteView identity) {
  tls::Reader r(identity);
  CandorIdentity id;
  for (std::string* part : {&id.handle, &id.device_id}) {
    auto len = r.U8();
    if (!len.ok() || *len == 0) {
      return MakeError(Errc::kMalformed, "CandorIdentity: empty or missing part");
    }
    auto bytes = r.Fixed(*len);
    if (!bytes.ok()) return MakeError(Errc::kMalformed, "CandorIdentity: truncated part");
    part->assign(bytes->begin(), bytes->end());
  }
  if (!r.empty()) return MakeError(Errc::kMalformed, "CandorIdentity: trailing bytes");
  return id;
}

}  // namespace candor::mls
