#include "candor/kt/tree_head.h"

#include <string>

#include "codec_internal.h"

namespace candor::kt {

using internal::ReadHash;

Result<DeploymentMode> DecodeDeploymentMode(tls::Reader& r, std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(uint8_t mode, r.U8(field));
  switch (mode) {
    case static_cast<uint8_t>(DeploymentMode::contactMonitoring):
    case static_cast<uint8_t>(DeploymentMode::thirdPartyManagement):
    case static_cast<uint8_t>(DeploymentMode::thirdPartyAuditing):
      return static_cast<DeploymentMode>(mode);
    default:
      return internal::UnknownValue(field, mode);
  }
}

namespace {

// ReadOpaque16 reads `opaque field<0..2^16-1>` into owned bytes.
Result<Bytes> ReadOpaque16(tls::Reader& r, std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(ByteView view, r.Opaque16(field));
  return Bytes(view.begin(), view.end());
}

}  // namespace

Result<Configuration> Configuration::Decode(tls::Reader& r) {
  Configuration c;
  CANDOR_ASSIGN_OR_RETURN(uint16_t suite, r.U16("Configuration.ciphersuite"));
  auto params = GetCipherSuite(suite);
  if (!params.ok()) return internal::UnknownValue("Configuration.ciphersuite", suite);
  c.ciphersuite = params->suite;
  CANDOR_ASSIGN_OR_RETURN(c.mode, DecodeDeploymentMode(r, "Configuration.mode"));
  CANDOR_ASSIGN_OR_RETURN(c.signature_public_key,
                          ReadOpaque16(r, "Configuration.signature_public_key"));
  CANDOR_ASSIGN_OR_RETURN(c.vrf_public_key, ReadOpaque16(r, "Configuration.vrf_public_key"));
  switch (c.mode) {
    case DeploymentMode::thirdPartyManagement: {
      CANDOR_ASSIGN_OR_RETURN(c.leaf_public_key, ReadOpaque16(r, "Configuration.leaf_public_key"));
      break;
    }
    case DeploymentMode::thirdPartyAuditing: {
      CANDOR_ASSIGN_OR_RETURN(c.max_auditor_lag, r.U64("Configuration.max_auditor_lag"));
      CANDOR_ASSIGN_OR_RETURN(c.auditor_start_pos, r.U64("Configuration.auditor_start_pos"));
      CANDOR_ASSIGN_OR_RETURN(c.auditor_public_key,
                              ReadOpaque16(r, "Configuration.auditor_public_key"));
      break;
    }
    case DeploymentMode::contactMonitoring:
      break;
  }
  CANDOR_ASSIGN_OR_RETURN(c.max_ahead, r.U64("Configuration.max_ahead"));
  CANDOR_ASSIGN_OR_RETURN(c.max_behind, r.U64("Configuration.max_behind"));
  CANDOR_ASSIGN_OR_RETURN(c.reasonable_monitoring_window,
                          r.U64("Configuration.reasonable_monitoring_window"));
  CANDOR_ASSIGN_OR_RETURN(bool has_lifetime, r.Optional("Configuration.maximum_lifetime"));
  if (has_lifetime) {
    CANDOR_ASSIGN_OR_RETURN(c.maximum_lifetime, r.U64("Configuration.maximum_lifetime"));
  }
  return c;
}

void Configuration::Encode(tls::Writer& w) const {
  w.U16(static_cast<uint16_t>(ciphersuite));
  w.U8(static_cast<uint8_t>(mode));
  w.Opaque16(signature_public_key);
  w.Opaque16(vrf_public_key);
  switch (mode) {
    case DeploymentMode::thirdPartyManagement:
      w.Opaque16(leaf_public_key);
      break;
    case DeploymentMode::thirdPartyAuditing:
      w.U64(max_auditor_lag);
      w.U64(auditor_start_pos);
      w.Opaque16(auditor_public_key);
      break;
    case DeploymentMode::contactMonitoring:
      break;
  }
  w.U64(max_ahead);
  w.U64(max_behind);
  w.U64(reasonable_monitoring_window);
  w.U8(maximum_lifetime.has_value() ? 1 : 0);
  if (maximum_lifetime.has_value()) w.U64(*maximum_lifetime);
}

namespace {

Error InvalidConfiguration(std::string_view field, std::string_view why) {
  return MakeError(Errc::kInvalidArgument,
                   "Configuration." + std::string(field) + ": " + std::string(why));
}

// SignatureKeyValid checks the encoding size (and SEC1 prefix) of a signature public key.
bool SignatureKeyValid(CipherSuite suite, ByteView key) {
  if (suite == CipherSuite::KT_128_SHA256_P256) return key.size() == 65 && key[0] == 0x04;
  return key.size() == 32;
}

// VrfKeyValid checks the encoding size (and SEC1 prefix) of a VRF public key.
bool VrfKeyValid(CipherSuite suite, ByteView key) {
  if (suite == CipherSuite::KT_128_SHA256_P256) {
    return key.size() == 33 && (key[0] == 0x02 || key[0] == 0x03);
  }
  return key.size() == 32;
}

}  // namespace

Status ValidateConfiguration(const Configuration& config) {
  if (!GetCipherSuite(static_cast<uint16_t>(config.ciphersuite)).ok()) {
    return InvalidConfiguration("ciphersuite", "unknown cipher suite");
  }
  switch (config.mode) {
    case DeploymentMode::contactMonitoring:
    case DeploymentMode::thirdPartyManagement:
    case DeploymentMode::thirdPartyAuditing:
      break;
    default:
      return InvalidConfiguration("mode", "unknown deployment mode");
  }
  if (!SignatureKeyValid(config.ciphersuite, config.signature_public_key)) {
    return InvalidConfiguration("signature_public_key", "wrong size for the cipher suite");
  }
  if (!VrfKeyValid(config.ciphersuite, config.vrf_public_key)) {
    return InvalidConfiguration("vrf_public_key", "wrong size for the cipher suite");
  }
  const bool management = config.mode == DeploymentMode::thirdPartyManagement;
  const bool auditing = config.mode == DeploymentMode::thirdPartyAuditing;
  if (management && !SignatureKeyValid(config.ciphersuite, config.leaf_public_key)) {
    return InvalidConfiguration("leaf_public_key", "wrong size for the cipher suite");
  }
  if (!management && !config.leaf_public_key.empty()) {
    return InvalidConfiguration("leaf_public_key", "set outside thirdPartyManagement mode");
  }
  if (auditing && !SignatureKeyValid(config.ciphersuite, config.auditor_public_key)) {
    return InvalidConfiguration("auditor_public_key", "wrong size for the cipher suite");
  }
  if (!auditing && (!config.auditor_public_key.empty() || config.max_auditor_lag != 0 ||
                    config.auditor_start_pos != 0)) {
    return InvalidConfiguration("auditor_public_key", "auditor fields set outside auditing mode");
  }
  if (config.reasonable_monitoring_window == 0) {
    return InvalidConfiguration("reasonable_monitoring_window", "must be positive");
  }
  if (config.maximum_lifetime.has_value() &&
      *config.maximum_lifetime <= config.reasonable_monitoring_window) {
    return InvalidConfiguration("maximum_lifetime",
                                "must be greater than reasonable_monitoring_window");
  }
  return OkStatus();
}

Result<TreeHead> TreeHead::Decode(tls::Reader& r) {
  TreeHead h;
  CANDOR_ASSIGN_OR_RETURN(h.tree_size, r.U64("TreeHead.tree_size"));
  CANDOR_ASSIGN_OR_RETURN(h.signature, ReadOpaque16(r, "TreeHead.signature"));
  return h;
}

void TreeHead::Encode(tls::Writer& w) const {
  w.U64(tree_size);
  w.Opaque16(signature);
}

Result<TreeHeadTBS> TreeHeadTBS::Decode(tls::Reader& r) {
  TreeHeadTBS t;
  CANDOR_ASSIGN_OR_RETURN(t.config, Configuration::Decode(r));
  CANDOR_ASSIGN_OR_RETURN(t.tree_size, r.U64("TreeHeadTBS.tree_size"));
  CANDOR_ASSIGN_OR_RETURN(t.root, ReadHash(r, "TreeHeadTBS.root"));
  return t;
}

void TreeHeadTBS::Encode(tls::Writer& w) const {
  config.Encode(w);
  w.U64(tree_size);
  w.Raw(root);
}

Result<AuditorTreeHead> AuditorTreeHead::Decode(tls::Reader& r) {
  AuditorTreeHead h;
  CANDOR_ASSIGN_OR_RETURN(h.timestamp, r.U64("AuditorTreeHead.timestamp"));
  CANDOR_ASSIGN_OR_RETURN(h.tree_size, r.U64("AuditorTreeHead.tree_size"));
  CANDOR_ASSIGN_OR_RETURN(h.signature, ReadOpaque16(r, "AuditorTreeHead.signature"));
  return h;
}

void AuditorTreeHead::Encode(tls::Writer& w) const {
  w.U64(timestamp);
  w.U64(tree_size);
  w.Opaque16(signature);
}

Result<AuditorTreeHeadTBS> AuditorTreeHeadTBS::Decode(tls::Reader& r) {
  AuditorTreeHeadTBS t;
  CANDOR_ASSIGN_OR_RETURN(t.config, Configuration::Decode(r));
  CANDOR_ASSIGN_OR_RETURN(t.timestamp, r.U64("AuditorTreeHeadTBS.timestamp"));
  CANDOR_ASSIGN_OR_RETURN(t.tree_size, r.U64("AuditorTreeHeadTBS.tree_size"));
  CANDOR_ASSIGN_OR_RETURN(t.root, ReadHash(r, "AuditorTreeHeadTBS.root"));
  return t;
}

void AuditorTreeHeadTBS::Encode(tls::Writer& w) const {
  config.Encode(w);
  w.U64(timestamp);
  w.U64(tree_size);
  w.Raw(root);
}

Result<FullTreeHead> FullTreeHead::Decode(tls::Reader& r, DeploymentMode mode) {
  FullTreeHead h;
  CANDOR_ASSIGN_OR_RETURN(uint8_t type, r.U8("FullTreeHead.head_type"));
  switch (type) {
    case static_cast<uint8_t>(FullTreeHeadType::same):
      h.head_type = FullTreeHeadType::same;
      return h;
    case static_cast<uint8_t>(FullTreeHeadType::updated):
      h.head_type = FullTreeHeadType::updated;
      break;
    default:
      return internal::UnknownValue("FullTreeHead.head_type", type);
  }
  CANDOR_ASSIGN_OR_RETURN(h.tree_head, TreeHead::Decode(r));
  if (mode == DeploymentMode::thirdPartyAuditing) {
    CANDOR_ASSIGN_OR_RETURN(h.auditor_tree_head, AuditorTreeHead::Decode(r));
  }
  return h;
}

void FullTreeHead::Encode(tls::Writer& w, DeploymentMode mode) const {
  w.U8(static_cast<uint8_t>(head_type));
  if (head_type != FullTreeHeadType::updated) return;
  tree_head.Encode(w);
  if (mode == DeploymentMode::thirdPartyAuditing) auditor_tree_head.Encode(w);
}

Bytes SuiteSign(CipherSuite suite, const crypto::SignaturePrivateKey& key, ByteView message) {
  auto params = GetCipherSuite(static_cast<uint16_t>(suite));
  CANDOR_CHECK(params.ok());
  CANDOR_CHECK(key.scheme() == params->signature);
  Bytes signature = key.Sign(message);
  if (suite != CipherSuite::KT_128_SHA256_P256) return signature;
  auto raw = crypto::EcdsaSignatureToRaw(params->signature, signature);
  CANDOR_CHECK(raw.ok());  // our own fresh DER signature always converts
  return std::move(raw).value();
}

Status SuiteVerify(CipherSuite suite, ByteView public_key, ByteView message, ByteView signature) {
  auto params = GetCipherSuite(static_cast<uint16_t>(suite));
  if (!params.ok()) return VerifyFailed();
  if (suite != CipherSuite::KT_128_SHA256_P256) {
    return crypto::SignatureVerify(params->signature, public_key, message, signature);
  }
  auto der = crypto::EcdsaSignatureFromRaw(params->signature, signature);
  if (!der.ok()) return VerifyFailed();
  return crypto::SignatureVerify(params->signature, public_key, message, *der);
}

Bytes SignTreeHead(const crypto::SignaturePrivateKey& key, const Configuration& config,
                   uint64_t tree_size, const HashValue& root) {
  const TreeHeadTBS tbs{config, tree_size, root};
  return SuiteSign(config.ciphersuite, key, tls::Encode(tbs));
}

Status VerifyTreeHead(const Configuration& config, const TreeHead& head, const HashValue& root) {
  const TreeHeadTBS tbs{config, head.tree_size, root};
  return SuiteVerify(config.ciphersuite, config.signature_public_key, tls::Encode(tbs),
                     head.signature);
}

Bytes SignAuditorTreeHead(const crypto::SignaturePrivateKey& key, const Configuration& config,
                          uint64_t timestamp, uint64_t tree_size, const HashValue& root) {
  const AuditorTreeHeadTBS tbs{config, timestamp, tree_size, root};
  return SuiteSign(config.ciphersuite, key, tls::Encode(tbs));
}

Status VerifyAuditorTreeHead(const Configuration& config, const AuditorTreeHead& head,
                             const HashValue& root) {
  const AuditorTreeHeadTBS tbs{config, head.timestamp, head.tree_size, root};
  return SuiteVerify(config.ciphersuite, config.auditor_public_key, tls::Encode(tbs),
                     head.signature);
}

}  // namespace candor::kt
