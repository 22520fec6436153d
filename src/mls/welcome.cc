#include "candor/mls/welcome.h"

#include "codec_internal.h"

namespace candor::mls {

using internal::ReadOpaqueV;

Result<PathSecret> PathSecret::Decode(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(ByteView secret, r.OpaqueV("PathSecret.path_secret"));
  return PathSecret{SecretBytes(secret)};
}

void PathSecret::Encode(tls::Writer& w) const { w.OpaqueV(path_secret.view()); }

Result<GroupSecrets> GroupSecrets::Decode(tls::Reader& r) {
  GroupSecrets gs;
  CANDOR_ASSIGN_OR_RETURN(ByteView joiner, r.OpaqueV("GroupSecrets.joiner_secret"));
  gs.joiner_secret = SecretBytes(joiner);
  CANDOR_ASSIGN_OR_RETURN(bool has_path_secret, r.Optional("GroupSecrets.path_secret"));
  if (has_path_secret) {
    CANDOR_ASSIGN_OR_RETURN(gs.path_secret, PathSecret::Decode(r));
  }
  CANDOR_ASSIGN_OR_RETURN(gs.psks,
                          internal::DecodeStructList<PreSharedKeyID>(r, "GroupSecrets.psks"));
  return gs;
}

void GroupSecrets::Encode(tls::Writer& w) const {
  w.OpaqueV(joiner_secret.view());
  w.U8(path_secret ? 1 : 0);
  if (path_secret) path_secret->Encode(w);
  internal::EncodeStructList(w, psks);
}

Result<EncryptedGroupSecrets> EncryptedGroupSecrets::Decode(tls::Reader& r) {
  EncryptedGroupSecrets e;
  CANDOR_ASSIGN_OR_RETURN(e.new_member, ReadOpaqueV(r, "EncryptedGroupSecrets.new_member"));
  CANDOR_ASSIGN_OR_RETURN(e.encrypted_group_secrets, HPKECiphertext::Decode(r));
  return e;
}

void EncryptedGroupSecrets::Encode(tls::Writer& w) const {
  w.OpaqueV(new_member);
  encrypted_group_secrets.Encode(w);
}

Result<Welcome> Welcome::Decode(tls::Reader& r) {
  Welcome welcome;
  CANDOR_ASSIGN_OR_RETURN(uint16_t suite, r.U16("Welcome.cipher_suite"));
  welcome.cipher_suite = static_cast<CipherSuite>(suite);
  CANDOR_ASSIGN_OR_RETURN(welcome.secrets,
                          internal::DecodeStructList<EncryptedGroupSecrets>(r, "Welcome.secrets"));
  CANDOR_ASSIGN_OR_RETURN(welcome.encrypted_group_info,
                          ReadOpaqueV(r, "Welcome.encrypted_group_info"));
  return welcome;
}

void Welcome::Encode(tls::Writer& w) const {
  w.U16(static_cast<uint16_t>(cipher_suite));
  internal::EncodeStructList(w, secrets);
  w.OpaqueV(encrypted_group_info);
}

}  // namespace candor::mls
