// candor_identity.h: how Candor fills a BasicCredential's identity (docs/formats/
// messaging-api.md §1): the account handle and the device id,
//   struct { opaque handle<1..255>; opaque device_id<1..255>; } CandorIdentity;
// with one-byte length prefixes. A client accepts a member only if that handle's verified
// device list holds that device with the leaf's signature key; the Delivery Service routes by it.
#pragma once

#include <string>
#include <string_view>

#include "candor/base/bytes.h"
#include "candor/base/result.h"

namespace candor::mls {

struct CandorIdentity {
  std::string handle;
  std::string device_id;
  bool operator==(const CandorIdentity&) const = default;
};

// IsValidHandle: 1 to 64 bytes of [a-z0-9._-], starting with a letter (messaging-api.md).
bool IsValidHandle(std::string_view handle);
// IsValidDeviceId: 1 to 64 bytes of [a-z0-9._-].
bool IsValidDeviceId(std::string_view device_id);

// EncodeCandorIdentity returns the identity bytes; both parts must be 1 to 255 bytes
// (kInvalidArgument otherwise).
Result<Bytes> EncodeCandorIdentity(const CandorIdentity& id);

// DecodeCandorIdentity parses identity bytes strictly (no trailing bytes, no empty part);
// kMalformed otherwise.
Result<CandorIdentity> DecodeCandorIdentity(ByteView identity);

}  // namespace candor::mls
