#include "candor/mls/key_package.h"

#include "codec_internal.h"

namespace candor::mls {

Result<KeyPackageTBS> KeyPackageTBS::Decode(tls::Reader& r) {
  KeyPackageTBS t;
  CANDOR_ASSIGN_OR_RETURN(uint16_t version, r.U16("KeyPackage.version"));
  t.version = static_cast<ProtocolVersion>(version);
  CANDOR_ASSIGN_OR_RETURN(uint16_t suite, r.U16("KeyPackage.cipher_suite"));
  t.cipher_suite = static_cast<CipherSuite>(suite);
  CANDOR_ASSIGN_OR_RETURN(t.init_key, internal::ReadOpaqueV(r, "KeyPackage.init_key"));
  CANDOR_ASSIGN_OR_RETURN(t.leaf_node, LeafNode::Decode(r));
  CANDOR_ASSIGN_OR_RETURN(t.extensions, DecodeExtensions(r, "KeyPackage.extensions"));
  return t;
}

void KeyPackageTBS::Encode(tls::Writer& w) const {
  w.U16(static_cast<uint16_t>(version));
  w.U16(static_cast<uint16_t>(cipher_suite));
  w.OpaqueV(init_key);
  leaf_node.Encode(w);
  EncodeExtensions(w, extensions);
}

KeyPackageTBS KeyPackageTBS::Of(const KeyPackage& kp) {
  return KeyPackageTBS{kp.version, kp.cipher_suite, kp.init_key, kp.leaf_node, kp.extensions};
}

Result<KeyPackage> KeyPackage::Decode(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(KeyPackageTBS tbs, KeyPackageTBS::Decode(r));
  KeyPackage kp{tbs.version,
                tbs.cipher_suite,
                std::move(tbs.init_key),
                std::move(tbs.leaf_node),
                std::move(tbs.extensions),
                {}};
  CANDOR_ASSIGN_OR_RETURN(kp.signature, internal::ReadOpaqueV(r, "KeyPackage.signature"));
  return kp;
}

void KeyPackage::Encode(tls::Writer& w) const {
  KeyPackageTBS::Of(*this).Encode(w);
  w.OpaqueV(signature);
}

}  // namespace candor::mls
