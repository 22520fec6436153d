#include "candor/mls/extensions.h"

#include "codec_internal.h"

namespace candor::mls {

bool IsGrease(uint16_t value) {
  // Both bytes equal, each of the form 0x?A.
  return (value >> 8) == (value & 0xff) && (value & 0x0f) == 0x0a && value != 0xfafa;
}

Result<Extension> Extension::Decode(tls::Reader& r) {
  Extension e;
  CANDOR_ASSIGN_OR_RETURN(e.extension_type, r.U16("Extension.extension_type"));
  CANDOR_ASSIGN_OR_RETURN(e.extension_data, internal::ReadOpaqueV(r, "Extension.extension_data"));
  return e;
}

void Extension::Encode(tls::Writer& w) const {
  w.U16(extension_type);
  w.OpaqueV(extension_data);
}

Result<std::vector<Extension>> DecodeExtensions(tls::Reader& r, std::string_view field) {
  return internal::DecodeStructList<Extension>(r, field);
}

void EncodeExtensions(tls::Writer& w, const std::vector<Extension>& extensions) {
  internal::EncodeStructList(w, extensions);
}

}  // namespace candor::mls
