// extensions.h: RFC 9420 §13 Extension, extension lists, and the §13.5 GREASE code points.
#pragma once

#include <cstdint>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"

namespace candor::mls {

// ExtensionType is RFC 9420 §13 `uint16 ExtensionType`; any value (GREASE included) decodes.
using ExtensionType = uint16_t;

// Registered extension types (RFC 9420 §17.3).
inline constexpr ExtensionType kApplicationId = 0x0001;
inline constexpr ExtensionType kRatchetTree = 0x0002;
inline constexpr ExtensionType kRequiredCapabilities = 0x0003;
inline constexpr ExtensionType kExternalPub = 0x0004;
inline constexpr ExtensionType kExternalSenders = 0x0005;

// IsGrease reports whether `value` is one of the RFC 9420 §13.5 GREASE values
// 0x0A0A, 0x1A1A, ..., 0xEAEA.
bool IsGrease(uint16_t value);

// RFC 9420 §13: struct { ExtensionType extension_type; opaque extension_data<V>; } Extension;
struct Extension {
  ExtensionType extension_type = 0;
  Bytes extension_data;

  // Decode reads an Extension of any type; kMalformed names the field on bad input.
  static Result<Extension> Decode(tls::Reader& r);
  // Encode writes the Extension.
  void Encode(tls::Writer& w) const;
  bool operator==(const Extension&) const = default;
};

// DecodeExtensions reads `Extension extensions<V>`; `field` names the list in errors.
Result<std::vector<Extension>> DecodeExtensions(tls::Reader& r, std::string_view field);
// EncodeExtensions writes `Extension extensions<V>`.
void EncodeExtensions(tls::Writer& w, const std::vector<Extension>& extensions);

}  // namespace candor::mls
