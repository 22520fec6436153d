#include "candor/mls/extension_bodies.h"

#include "codec_internal.h"

namespace candor::mls {

Result<RequiredCapabilities> RequiredCapabilities::Decode(tls::Reader& r) {
  RequiredCapabilities c;
  CANDOR_ASSIGN_OR_RETURN(c.extension_types, internal::DecodeU16List<ExtensionType>(
                                                 r, "RequiredCapabilities.extension_types"));
  CANDOR_ASSIGN_OR_RETURN(c.proposal_types, internal::DecodeU16List<uint16_t>(
                                                r, "RequiredCapabilities.proposal_types"));
  CANDOR_ASSIGN_OR_RETURN(c.credential_types, internal::DecodeU16List<uint16_t>(
                                                  r, "RequiredCapabilities.credential_types"));
  return c;
}

void RequiredCapabilities::Encode(tls::Writer& w) const {
  internal::EncodeU16List(w, extension_types);
  internal::EncodeU16List(w, proposal_types);
  internal::EncodeU16List(w, credential_types);
}

Result<ExternalPub> ExternalPub::Decode(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(Bytes key, internal::ReadOpaqueV(r, "ExternalPub.external_pub"));
  return ExternalPub{std::move(key)};
}

void ExternalPub::Encode(tls::Writer& w) const { w.OpaqueV(external_pub); }

Result<ExternalSender> ExternalSender::Decode(tls::Reader& r) {
  ExternalSender s;
  CANDOR_ASSIGN_OR_RETURN(s.signature_key,
                          internal::ReadOpaqueV(r, "ExternalSender.signature_key"));
  CANDOR_ASSIGN_OR_RETURN(s.credential, Credential::Decode(r));
  return s;
}

void ExternalSender::Encode(tls::Writer& w) const {
  w.OpaqueV(signature_key);
  credential.Encode(w);
}

Result<ExternalSenders> ExternalSenders::Decode(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(std::vector<ExternalSender> senders,
                          internal::DecodeStructList<ExternalSender>(r, "external_senders"));
  return ExternalSenders{std::move(senders)};
}

void ExternalSenders::Encode(tls::Writer& w) const {
  internal::EncodeStructList(w, external_senders);
}

}  // namespace candor::mls
