#include "candor/mls/mls_message.h"

#include "codec_internal.h"

namespace candor::mls {
namespace {

template <class T>
Result<MLSMessage> DecodeAs(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(T body, T::Decode(r));
  return MLSMessage{ProtocolVersion::mls10, std::move(body)};
}

}  // namespace

WireFormat MLSMessage::wire_format() const {
  // The alternatives are declared in WireFormat order, starting at mls_public_message = 1.
  return static_cast<WireFormat>(message.index() + 1);
}

Result<MLSMessage> MLSMessage::Decode(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(uint16_t version, r.U16("MLSMessage.version"));
  if (version != static_cast<uint16_t>(ProtocolVersion::mls10)) {
    return internal::UnknownValue("MLSMessage.version", version);
  }
  CANDOR_ASSIGN_OR_RETURN(uint16_t format, r.U16("MLSMessage.wire_format"));
  switch (format) {
    case static_cast<uint16_t>(WireFormat::mls_public_message):
      return DecodeAs<PublicMessage>(r);
    case static_cast<uint16_t>(WireFormat::mls_private_message):
      return DecodeAs<PrivateMessage>(r);
    case static_cast<uint16_t>(WireFormat::mls_welcome):
      return DecodeAs<Welcome>(r);
    case static_cast<uint16_t>(WireFormat::mls_group_info):
      return DecodeAs<GroupInfo>(r);
    case static_cast<uint16_t>(WireFormat::mls_key_package):
      return DecodeAs<KeyPackage>(r);
    default:
      return internal::UnknownValue("MLSMessage.wire_format", format);
  }
}

void MLSMessage::Encode(tls::Writer& w) const {
  w.U16(static_cast<uint16_t>(version));
  w.U16(static_cast<uint16_t>(wire_format()));
  std::visit([&w](const auto& body) { body.Encode(w); }, message);
}

}  // namespace candor::mls
