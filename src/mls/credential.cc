#include "candor/mls/credential.h"

#include "codec_internal.h"

namespace candor::mls {

using internal::ReadOpaqueV;

Result<Certificate> Certificate::Decode(tls::Reader& r) {
  Certificate c;
  CANDOR_ASSIGN_OR_RETURN(c.cert_data, ReadOpaqueV(r, "Certificate.cert_data"));
  return c;
}

void Certificate::Encode(tls::Writer& w) const { w.OpaqueV(cert_data); }

Result<Credential> Credential::Decode(tls::Reader& r) {
  Credential c;
  CANDOR_ASSIGN_OR_RETURN(uint16_t type, r.U16("Credential.credential_type"));
  switch (type) {
    case static_cast<uint16_t>(CredentialType::basic): {
      c.credential_type = CredentialType::basic;
      CANDOR_ASSIGN_OR_RETURN(c.identity, ReadOpaqueV(r, "Credential.identity"));
      return c;
    }
    case static_cast<uint16_t>(CredentialType::x509): {
      c.credential_type = CredentialType::x509;
      CANDOR_ASSIGN_OR_RETURN(
          c.certificates, internal::DecodeStructList<Certificate>(r, "Credential.certificates"));
      return c;
    }
    default:
      return internal::UnknownValue("Credential.credential_type", type);
  }
}

void Credential::Encode(tls::Writer& w) const {
  w.U16(static_cast<uint16_t>(credential_type));
  if (credential_type == CredentialType::basic) {
    w.OpaqueV(identity);
  } else {
    internal::EncodeStructList(w, certificates);
  }
}

}  // namespace candor::mls
